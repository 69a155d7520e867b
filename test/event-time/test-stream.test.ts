import { describe, expect, it } from 'vitest';
import {
  AfterWatermark,
  AfterCount,
  Duration,
  FixedWindows,
  GroupByKey,
  Instant,
  Map,
  Pipeline,
  Sessions,
  Sum,
  Window,
  kv,
  Create,
  WithTimestamps,
  type KV,
  type PaneInfo,
  DoFn,
  ProcessContext,
  ParDo,
} from '../../sdk/index.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { PAssert } from '../../sdk/testing/passert.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';

const at = (s: number) => Instant.ofEpochMillis(s * 1000);

/** Captures each output with its window and pane, as plain data a PAssert can compare. */
class DescribePane<T> extends DoFn<T, { value: T; window: string; timing: string; index: number; timestamp: number }> {
  process(value: T, ctx: ProcessContext<{ value: T; window: string; timing: string; index: number; timestamp: number }>): void {
    const pane: PaneInfo = ctx.pane;
    const w = ctx.window as { start?: number; end?: number };
    ctx.output({ value, window: `[${(w.start ?? 0) / 1000},${(w.end ?? 0) / 1000})`, timing: pane.timing, index: pane.index, timestamp: ctx.timestamp });
  }
}

/** a@1s and b@4s, the watermark to 5s, then c@2s: late for [0,5). */
function aAndBThenLateC() {
  return TestStream.create<KV<string, number>>()
    .addElements({ value: kv('k', 1), timestamp: at(1) }, { value: kv('k', 4), timestamp: at(4) })
    .advanceWatermarkTo(at(5))
    .addElements({ value: kv('k', 2), timestamp: at(2) })
    .advanceWatermarkToInfinity();
}

async function runExpecting(p: Pipeline, assertions: number) {
  const result = new DirectRunner().run(p);
  await result.waitUntilFinish();
  expect(result.metrics().counter('passertSuccess')).toBe(assertions);
  return result;
}

describe('TestStream on the direct runner', () => {
  it('a@1s and b@4s, watermark to 5s: one ON_TIME pane for [0,5); c@2s after that is dropped and counted', async () => {
    const p = new Pipeline();
    const stream = aAndBThenLateC();
    const panes = p
      .apply(stream)
      .apply(Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(5))))
      .apply(Sum.perKey<string>())
      .apply(ParDo.of(new DescribePane<KV<string, number>>()));
    PAssert.that(panes).containsInAnyOrder([{ value: kv('k', 5), window: '[0,5)', timing: 'ON_TIME', index: 0, timestamp: 4999 }]);
    const result = await runExpecting(p, 1);
    expect(result.metrics().counter('droppedLate')).toBe(1);
  });

  it('with allowed lateness the late element makes a LATE pane', async () => {
    const p = new Pipeline();
    const stream = aAndBThenLateC();
    const panes = p
      .apply(stream)
      .apply(
        Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(5)))
          .triggering(AfterWatermark.pastEndOfWindow().withLateFirings(AfterCount.of(1)))
          .withAllowedLateness(Duration.minutes(1))
          .accumulatingFiredPanes(),
      )
      .apply(Sum.perKey<string>())
      .apply(ParDo.of(new DescribePane<KV<string, number>>()));
    PAssert.that(panes).containsInAnyOrder([
      { value: kv('k', 5), window: '[0,5)', timing: 'ON_TIME', index: 0, timestamp: 4999 },
      { value: kv('k', 7), window: '[0,5)', timing: 'LATE', index: 1, timestamp: 4999 },
    ]);
    await runExpecting(p, 1);
  });

  it('session windows merge out-of-order input, and a late element within lateness bridges two sessions', async () => {
    const p = new Pipeline();
    const stream = TestStream.create<KV<string, number>>()
      .addElements({ value: kv('u', 1), timestamp: at(10) }, { value: kv('u', 1), timestamp: at(0) }, { value: kv('u', 1), timestamp: at(5) })
      .addElements({ value: kv('u', 1), timestamp: at(28) })
      .advanceWatermarkTo(at(60))
      .addElements({ value: kv('u', 1), timestamp: at(19) })
      .advanceWatermarkToInfinity();
    const panes = p
      .apply(stream)
      .apply(
        Window.into<KV<string, number>>(Sessions.withGapDuration(Duration.seconds(10)))
          .triggering(AfterWatermark.pastEndOfWindow().withLateFirings(AfterCount.of(1)))
          .withAllowedLateness(Duration.minutes(5))
          .accumulatingFiredPanes(),
      )
      .apply(GroupByKey.create<string, number>())
      .apply(Map.of((e: KV<string, number[]>) => e.value.length))
      .apply(ParDo.of(new DescribePane<number>()));
    PAssert.that(panes).containsInAnyOrder([
      { value: 3, window: '[0,20)', timing: 'ON_TIME', index: 0, timestamp: 19999 },
      { value: 1, window: '[28,38)', timing: 'ON_TIME', index: 0, timestamp: 37999 },
      { value: 5, window: '[0,38)', timing: 'LATE', index: 1, timestamp: 37999 },
    ]);
    await runExpecting(p, 1);
  });

  it('late data goes to a side output the pipeline can process (and is still counted)', async () => {
    const p = new Pipeline();
    const stream = TestStream.create<KV<string, number>>()
      .addElements({ value: kv('k', 1), timestamp: at(1) })
      .advanceWatermarkTo(at(10))
      .addElements({ value: kv('k', 7), timestamp: at(3) }, { value: kv('j', 8), timestamp: at(12) })
      .advanceWatermarkToInfinity();
    const sums = p
      .apply(stream)
      .apply(Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(5))))
      .apply(Sum.perKey<string>().withLateDataOutput());
    PAssert.that(sums.main).containsInAnyOrder([kv('k', 1), kv('j', 8)]);
    PAssert.that(sums.late).containsInAnyOrder([kv('k', 7)]);
    const grouped = p
      .apply('Again', stream)
      .apply('Window2', Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(5))))
      .apply(GroupByKey.create<string, number>().withLateDataOutput());
    PAssert.that(grouped.late.apply('LateValues', Map.of((e: KV<string, number>) => e.value))).containsInAnyOrder([7]);
    const result = await runExpecting(p, 3);
    expect(result.metrics().counter('droppedLate')).toBe(2);
  });

  it('WithTimestamps sets event time from the element, and respects the allowed skew', async () => {
    const p = new Pipeline();
    const events = p.apply(Create.of([{ id: 'a', at: 61 }, { id: 'b', at: 5 }, { id: 'c', at: 65 }]));
    const perMinute = events
      .apply(WithTimestamps.of((e: { id: string; at: number }) => at(e.at)))
      .apply(Window.into<{ id: string; at: number }>(FixedWindows.of(Duration.minutes(1))))
      .apply(Map.of((e: { id: string; at: number }) => kv('n', 1)))
      .apply(Sum.perKey<string>())
      .apply(ParDo.of(new DescribePane<KV<string, number>>()));
    PAssert.that(perMinute).containsInAnyOrder([
      { value: kv('n', 1), window: '[0,60)', timing: 'ON_TIME', index: 0, timestamp: 59999 },
      { value: kv('n', 2), window: '[60,120)', timing: 'ON_TIME', index: 0, timestamp: 119999 },
    ]);
    await runExpecting(p, 1);

    const back = new Pipeline();
    back
      .apply(Create.timestamped([{ value: 1, timestamp: at(10) }]))
      .apply('Earlier', WithTimestamps.of(() => at(4)));
    await expect(new DirectRunner().run(back).waitUntilFinish()).rejects.toThrow(/transform "Earlier" failed in process: cannot output with timestamp/);
    const allowed = new Pipeline();
    allowed
      .apply(Create.timestamped([{ value: 1, timestamp: at(10) }]))
      .apply('Earlier', WithTimestamps.of(() => at(4), { allowedSkew: Duration.seconds(10) }));
    await new DirectRunner().run(allowed).waitUntilFinish();
  });

  it('the watermark cannot move backwards in a script', () => {
    expect(() => TestStream.create<number>().advanceWatermarkTo(at(5)).advanceWatermarkTo(at(4))).toThrow(/moves the watermark backwards/);
  });
});
