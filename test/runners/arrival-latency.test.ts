// Arrival-to-pane latency (`tributary/arrivalToPaneMs`, runners/exec/arrival-clock.ts) on the
// direct runner, on a manual processing-time clock that the TestStream moves: a pane's latency is
// the processing time it is emitted at less the arrival of the newest input it reflects. One case
// per grouping path: the window engine (triggers, merging sessions), the bucket path (fixed
// windows, default trigger) and the global-window fast path.
import { describe, expect, it } from 'vitest';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { ManualClock } from '../../runners/direct/executor.js';
import { AfterElementMatches, AfterWatermark, Count, Duration, FixedWindows, GroupByKey, Instant, Pipeline, Sessions, Window, kv, type KV } from '../../sdk/index.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { LiveSource } from '../../io/kappa/index.js';

const MIN = 60_000;
const at = (minute: number) => Instant.ofEpochMillis(minute * MIN);
const msg = (key: string, id: string, minute: number) => ({ value: kv(key, id), timestamp: at(minute) });

/** Runs `stream` into `group` on a manual clock; the grouping's arrival-to-pane distribution. */
async function latency(stream: TestStream<KV<string, string>>, group: 'sessions-talk' | 'sessions' | 'fixed' | 'global') {
  const p = new Pipeline();
  const input = p.apply(stream);
  if (group === 'sessions-talk') {
    const trigger = AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterElementMatches.of((id: string) => id.startsWith('e'), 'isEnd'));
    input.apply(Window.into<KV<string, string>>(Sessions.withGapDuration(Duration.hours(1))).triggering(trigger).accumulatingFiredPanes()).apply('Group', GroupByKey.create());
  } else if (group === 'sessions') {
    input.apply(Window.into<KV<string, string>>(Sessions.withGapDuration(Duration.hours(1)))).apply('Group', GroupByKey.create());
  } else if (group === 'fixed') {
    input.apply(Window.into<KV<string, string>>(FixedWindows.of(Duration.hours(1)))).apply('Group', Count.perKey());
  } else {
    input.apply('Group', Count.perKey());
  }
  const result = new DirectRunner({ clock: new ManualClock(), arrivalLatency: true }).run(p);
  await result.waitUntilFinish();
  const d = result.metrics().distribution('arrivalToPaneMs');
  return d && { count: d.count, sum: d.sum, min: d.min, max: d.max };
}

describe('arrival-to-pane latency (tributary/arrivalToPaneMs)', () => {
  it("the talk's trigger: the early pane when the watermark passes the end message, the on-time pane at the session's end", async () => {
    const stream = TestStream.create<KV<string, string>>()
      .addElements(msg('u1', 'a', 0), msg('u1', 'b', 10)) // arrive at 0 s
      .advanceProcessingTime(Duration.seconds(2))
      .addElements(msg('u1', 'e', 20)) // arrives at 2 s
      .advanceProcessingTime(Duration.seconds(1))
      .advanceWatermarkTo(at(21)) // at 3 s: EARLY pane (the trigger's timer is the end message's time)
      .advanceProcessingTime(Duration.seconds(2))
      .advanceWatermarkTo(at(200)) // at 5 s: ON_TIME pane; the newest input still the one of 2 s
      .advanceWatermarkToInfinity();
    expect(await latency(stream, 'sessions-talk')).toEqual({ count: 2, sum: 4000, min: 1000, max: 3000 });
  });

  it('merged sessions keep the newest arrival of their parts', async () => {
    const stream = TestStream.create<KV<string, string>>()
      .addElements(msg('u1', 'a', 0)) // at 0 s
      .advanceProcessingTime(Duration.seconds(1))
      .addElements(msg('u1', 'b', 30)) // at 1 s, merges with a's session
      .advanceProcessingTime(Duration.seconds(2))
      .advanceWatermarkTo(at(200)) // at 3 s
      .advanceWatermarkToInfinity();
    expect(await latency(stream, 'sessions')).toEqual({ count: 1, sum: 2000, min: 2000, max: 2000 });
  });

  it('fixed windows under the default trigger: each key-window its own newest arrival', async () => {
    const stream = TestStream.create<KV<string, string>>()
      .addElements(msg('u1', 'a', 1), msg('u1', 'b', 2)) // at 0 s
      .advanceProcessingTime(Duration.seconds(1))
      .addElements(msg('u2', 'c', 3)) // at 1 s
      .advanceProcessingTime(Duration.seconds(4))
      .advanceWatermarkTo(at(61)) // at 5 s: u1 after 5 s, u2 after 4 s
      .advanceWatermarkToInfinity();
    expect(await latency(stream, 'fixed')).toEqual({ count: 2, sum: 9000, min: 4000, max: 5000 });
  });

  it('the global window: one pane per key at the end of input', async () => {
    const stream = TestStream.create<KV<string, string>>()
      .addElements(msg('u1', 'a', 1)) // at 0 s
      .advanceProcessingTime(Duration.seconds(3))
      .addElements(msg('u1', 'b', 2)) // at 3 s
      .advanceProcessingTime(Duration.seconds(4))
      .advanceWatermarkToInfinity(); // at 7 s
    expect(await latency(stream, 'global')).toEqual({ count: 1, sum: 4000, min: 4000, max: 4000 });
  });

  it('is recorded by default only when a live (unbounded splittable) read feeds the pipeline: batch and TestStream metrics stay the same run to run', async () => {
    const counted = async (live: boolean) => {
      const p = new Pipeline();
      const input = live
        ? p.apply(LiveSource.from(() => [msg('u1', 'a', 1), msg('u2', 'b', 2)].map((m) => ({ ...m.value, at: m.timestamp })), { timestamp: 'at', maxOutOfOrderness: Duration.seconds(0) }))
        : p.apply(TestStream.create<KV<string, string> & { at: number }>().addElements(...[msg('u1', 'a', 1), msg('u2', 'b', 2)].map((m) => ({ value: { ...m.value, at: m.timestamp }, timestamp: m.timestamp }))).advanceWatermarkToInfinity());
      input.apply(Window.into<KV<string, string> & { at: number }>(FixedWindows.of(Duration.hours(1)))).apply('Group', Count.perKey());
      const result = new DirectRunner().run(p);
      await result.waitUntilFinish();
      return result.metrics().distribution('arrivalToPaneMs')?.count;
    };
    expect(await counted(false)).toBeUndefined();
    expect(await counted(true)).toBe(2);
  });
});
