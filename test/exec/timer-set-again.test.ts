/**
 * A pending user timer set again is the same queue entry taken out and put back (no new entry
 * per `set()`): it must behave exactly as a new timer would — fire once, at the new time, after
 * timers of the same time set before it — and at the end of input a processing-time timer set
 * again by an earlier callback is one set then, which is dropped rather than fired.
 */
import { describe, expect, it } from 'vitest';
import { Count, Duration, FixedWindows, Instant, Map, ParDo, Pipeline, StatefulDoFn, TimerSpecs, Window, kv, type FiredTimer, type KV, type OnTimerContext, type StatefulProcessContext } from '../../sdk/index.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';

const at = (ms: number) => Instant.ofEpochMillis(ms);
const el = (key: string, value: string, t: number) => ({ value: kv(key, value), timestamp: at(t) });

async function run(p: Pipeline): Promise<number> {
  const result = new DirectRunner().run(p);
  await result.waitUntilFinish();
  expect(result.state).toBe('DONE');
  return result.metrics().counter('droppedLate');
}

const atTimer = { at: TimerSpecs.eventTime() };
type AtTimer = typeof atTimer;

/** Sets its one event-time timer to the element's value (a time in ms); outputs what `show` makes of the key and the firing time. */
class TimerAt extends StatefulDoFn<string, string, string, {}, AtTimer> {
  constructor(private readonly show: (key: string, fired: Instant) => string) {
    super({ timers: atTimer });
    this.allowedTimestampSkew = Infinity;
  }
  process(e: KV<string, string>, ctx: StatefulProcessContext<string, string, {}, AtTimer>): void {
    ctx.timers.at.set(at(Number(e.value)));
  }
  override onTimer(t: FiredTimer<AtTimer>, ctx: OnTimerContext<string, string, {}, AtTimer>): void {
    ctx.output(this.show(ctx.key, t.fireTimestamp));
  }
}

describe('a pending timer set again', () => {
  it('fires once at its last time, after same-time timers set before it was set again', async () => {
    const seen: string[] = [];
    const p = new Pipeline();
    const input = TestStream.create<KV<string, string>>()
      .addElements(el('a', '50', 1), el('b', '50', 1), el('c', '70', 1))
      .addElements(el('a', '60', 2), el('a', '50', 3)) // a: moved later, then back (set after b's)
      .addElements(el('c', '40', 4), el('c', '45', 5), el('c', '45', 6)) // c: earlier, later, same
      .advanceWatermarkTo(at(55))
      .addElements(el('b', '80', 56)) // b fired: a new timer
      .advanceWatermarkToInfinity();
    p.apply(input)
      .apply(ParDo.of(new TimerAt((key, fired) => `${key}@${fired}`)))
      .apply(Map.of((s: string) => void seen.push(s)));
    await run(p);
    expect(seen).toEqual(['c@45', 'b@50', 'a@50', 'b@80']);
  });

  it('at the end of input, a processing-time timer set again by an earlier one is dropped', async () => {
    const timers = { first: TimerSpecs.processingTime(), second: TimerSpecs.processingTime() };
    type T = typeof timers;
    class TwoTimers extends StatefulDoFn<string, string, string, {}, T> {
      constructor() {
        super({ timers });
      }
      process(_e: KV<string, string>, ctx: StatefulProcessContext<string, string, {}, T>): void {
        ctx.timers.first.setRelative(Duration.seconds(10));
        ctx.timers.second.setRelative(Duration.seconds(20));
      }
      override onTimer(t: FiredTimer<T>, ctx: OnTimerContext<string, string, {}, T>): void {
        ctx.output(`${ctx.key}/${t.timer}`);
        // Moves the still pending `second` (and sets `first` anew): both were set during the
        // end of input, so neither fires.
        if (t.timer === 'first') {
          ctx.timers.second.setRelative(Duration.seconds(1));
          ctx.timers.first.setRelative(Duration.seconds(1));
        }
      }
    }
    const seen: string[] = [];
    const p = new Pipeline();
    const input = TestStream.create<KV<string, string>>().addElements(el('k', 'x', 1)).advanceWatermarkToInfinity();
    p.apply(input)
      .apply(ParDo.of(new TwoTimers()))
      .apply(Map.of((s: string) => void seen.push(s)));
    await run(p);
    expect(seen).toEqual(['k/first']);
  });

  it('an event-time timer at its default output timestamp holds the watermark at its firing time, set again or not', async () => {
    // The operator keeps such a timer's hold in its firing queue, not in the hold queue: a
    // watermark jumping far past the timers must still find the downstream windows of their
    // outputs open (on time, nothing dropped).
    const seen: string[] = [];
    const p = new Pipeline();
    const input = TestStream.create<KV<string, string>>()
      .addElements(el('a', '25', 1), el('b', '31', 1), el('c', '12', 1))
      .addElements(el('a', '47', 2), el('c', '13', 3)) // a moved later, c moved a little
      .advanceWatermarkTo(at(200)) // past every timer and window at once
      .advanceWatermarkToInfinity();
    p.apply(input)
      .apply(ParDo.of(new TimerAt((key) => key))) // output at the timer's output timestamp: its firing time
      .apply(Window.into<string>(FixedWindows.of(Duration.millis(10))))
      .apply(Count.perElement<string>())
      .apply(Map.of((e: KV<string, number>) => void seen.push(`${e.key}:${e.value}`)));
    const dropped = await run(p);
    expect(dropped).toBe(0);
    expect(seen.sort()).toEqual(['a:1', 'b:1', 'c:1']);
  });
});
