/**
 * The shared state-and-timers suite: every runner passes the same cases. Time is driven by
 * TestStream only; results are checked through PAssert and metrics, so the cases hold on a runner
 * whose DoFns run in other processes too. Firing order is observed by a downstream stateful
 * collector (one key), which sees outputs in the order they were emitted.
 */
import { describe, expect, it } from 'vitest';
import { caseUnless, type Skips } from './skips.js';
import {
  Coders,
  Count,
  Create,
  AfterCount,
  Duration,
  Filter,
  FixedWindows,
  GlobalWindows,
  Instant,
  IntervalWindow,
  Map,
  Metrics,
  ParDo,
  Pipeline,
  Repeatedly,
  StateSpecs,
  StatefulDoFn,
  TimerSpecs,
  UserCodeError,
  View,
  Window,
  kv,
  type FiredTimer,
  type KV,
  type OnTimerContext,
  type OnWindowExpirationContext,
  type PCollection,
  type PipelineRunner,
  type StatefulProcessContext,
} from '../../sdk/index.js';
import { SumFn } from '../../sdk/transforms/combiners.js';
import { PAssert, PASSERT_SUCCESS_COUNTER } from '../../sdk/testing/passert.js';
import { TestStream, type TestStreamBuilder } from '../../sdk/testing/test-stream.js';

const at = (ms: number) => Instant.ofEpochMillis(ms);
const el = <V>(key: string, value: V, t: number) => ({ value: kv(key, value), timestamp: at(t) });
const stream = <V>() => TestStream.create<KV<string, V>>();

// --- reusable DoFns -------------------------------------------------------------------------

const countState = { count: StateSpecs.value(Coders.varint()) };
type CountState = typeof countState;

/** Emits `key:n` for the n-th element of the key (in its window); `reset` clears the count. */
class RunningCount extends StatefulDoFn<string, string, string, CountState> {
  constructor(ttl?: Duration) {
    super({ state: countState, stateTimeToLive: ttl });
  }
  process(e: KV<string, string>, ctx: StatefulProcessContext<string, string, CountState>): void {
    if (e.value === 'reset') {
      ctx.state.count.clear();
      ctx.output(`${e.key}:cleared:${ctx.state.count.isEmpty()}`);
      return;
    }
    const n = ctx.state.count.update((c) => (c ?? 0) + 1);
    ctx.output(`${e.key}:${n}`);
  }
}

/** Collects everything it receives, in arrival order, and emits the list at the end of input. */
const logState = { log: StateSpecs.bag<string>() };
class ArrivalOrder extends StatefulDoFn<string, string, string[], typeof logState> {
  constructor() {
    super({ state: logState });
  }
  process(e: KV<string, string>, ctx: StatefulProcessContext<string, string[], typeof logState>): void {
    ctx.state.log.add(e.value);
  }
  override onWindowExpiration(ctx: OnWindowExpirationContext<string, string[], typeof logState>): void {
    ctx.output([...ctx.state.log.read()]);
  }
}

function inArrivalOrder(pc: PCollection<string>, name: string): PCollection<string[]> {
  return pc.apply(`${name}OneKey`, Map.of((s: string) => kv('all', s))).apply(`${name}Log`, ParDo.of(new ArrivalOrder()));
}

/** Each element `key -> t` sets the key's event-time timer `at` t (set again: moved); 'clear'
 *  cancels it. The timer outputs `key@firingTime`. */
const oneTimer = { at: TimerSpecs.eventTime() };
class TimerAt extends StatefulDoFn<string, number | 'clear', string, {}, typeof oneTimer> {
  constructor() {
    super({ timers: oneTimer });
    this.allowedTimestampSkew = Infinity;
  }
  process(e: KV<string, number | 'clear'>, ctx: StatefulProcessContext<string, string, {}, typeof oneTimer>): void {
    if (e.value === 'clear') ctx.timers.at.clear();
    else ctx.timers.at.set(at(e.value));
  }
  override onTimer(t: FiredTimer<typeof oneTimer>, ctx: OnTimerContext<string, string, {}, typeof oneTimer>): void {
    ctx.output(`${ctx.key}@${t.fireTimestamp}`);
  }
}

/** The side input's values in arrival order, as the TestStream of the case below sends them. */
const SIDE_VALUES: readonly KV<string, number>[] = [kv('r1', 10), kv('r2', 20), kv('r1', 30)];
export const SIDE_INPUT_UPDATES_CASE =
  'a side input re-fired by a trigger: each element waits for its first value, then reads every value so far (list), the latest (singleton), each key\'s latest (map)';

/**
 * Counts each main element whose three views of one re-fired side input are each the view of a
 * prefix of SIDE_VALUES (at least its first value) as `consistent`, any other as `inconsistent`.
 * Which prefix a view shows is the runner's processing order (the direct runner: the TestStream's;
 * Flink takes its inputs in any order, and materializes each side input on its own, so two views
 * of one PCollection may show different prefixes); what a view is made of is not.
 */
type UpdateSides = { all: readonly KV<string, number>[]; latest: KV<string, number>; byId: ReadonlyMap<string, number> };
const readState = { seen: StateSpecs.value(Coders.varint()) };
const PREFIXES = SIDE_VALUES.map((_, i) => SIDE_VALUES.slice(0, i + 1));
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
class ReadUpdates extends StatefulDoFn<string, string | number, never, typeof readState, {}, {}, UpdateSides> {
  private readonly consistent = Metrics.counter('sideUpdates', 'consistent');
  private readonly inconsistent = Metrics.counter('sideUpdates', 'inconsistent');
  constructor() {
    super({ state: readState });
  }
  process(_e: KV<string, string | number>, ctx: StatefulProcessContext<string, never, typeof readState, {}, {}, UpdateSides>): void {
    ctx.state.seen.update((n) => (n ?? 0) + 1);
    const byId = [...ctx.sideInput('byId')].sort();
    const ok =
      PREFIXES.some((p) => same(ctx.sideInput('all'), p)) &&
      PREFIXES.some((p) => same(ctx.sideInput('latest'), p[p.length - 1])) &&
      PREFIXES.some((p) => same(byId, [...new globalThis.Map(p.map((v) => [v.key, v.value]))].sort()));
    (ok ? this.consistent : this.inconsistent).inc();
  }
}

export function stateSuite(name: string, makeRunner: () => PipelineRunner, skips: Skips = {}): void {
  const it = caseUnless(skips);
  async function runAndAssert(p: Pipeline, assertions: number) {
    const result = makeRunner().run(p);
    await result.waitUntilFinish();
    expect(result.state).toBe('DONE');
    expect(result.metrics().counter(PASSERT_SUCCESS_COUNTER)).toBe(assertions);
    return result;
  }

  describe(`state and timers: ${name}`, () => {
    it('fails on a wrong expectation about state (the harness can fail)', async () => {
      const p = new Pipeline();
      const out = p.apply(stream<string>().addElements(el('a', 'x', 1), el('a', 'y', 2)).advanceWatermarkToInfinity()).apply(ParDo.of(new RunningCount()));
      PAssert.that(out).containsInAnyOrder(['a:1', 'a:1']);
      await expect(makeRunner().run(p).waitUntilFinish()).rejects.toThrow(/expected \["a:1", "a:1"\] in any order/);
    });

    it('ValueState: per-key read-modify-write and clear', async () => {
      const p = new Pipeline();
      const input = stream<string>()
        .addElements(el('a', 'x', 1), el('b', 'x', 2), el('a', 'y', 3))
        .addElements(el('a', 'reset', 4), el('a', 'z', 5), el('b', 'y', 6))
        .advanceWatermarkToInfinity();
      PAssert.that(p.apply(input).apply(ParDo.of(new RunningCount()))).containsInAnyOrder(['a:1', 'b:1', 'a:2', 'a:cleared:true', 'a:1', 'b:2']);
      await runAndAssert(p, 1);
    });

    it('a stateful DoFn reads a side input: the list of its element\'s window, beside its state', async () => {
      const limitsState = { count: StateSpecs.value(Coders.varint()) };
      type Sides = { limits: number[] };
      class CountAgainst extends StatefulDoFn<string, string, string, typeof limitsState, {}, {}, Sides> {
        constructor() {
          super({ state: limitsState });
        }
        process(e: KV<string, string>, ctx: StatefulProcessContext<string, string, typeof limitsState, {}, {}, Sides>): void {
          const n = ctx.state.count.update((c) => (c ?? 0) + 1);
          const limits = ctx.sideInput('limits');
          ctx.output(`${e.key}:${n}/${limits.reduce((a, b) => a + b, 0)}`);
        }
      }
      const p = new Pipeline();
      const limits = p.apply('Limits', Create.of([2, 5]));
      const input = stream<string>().addElements(el('a', 'x', 1), el('a', 'y', 2), el('b', 'z', 3)).advanceWatermarkToInfinity();
      const out = p.apply(input).apply('CountAgainst', ParDo.of(new CountAgainst()).withSideInputs({ limits: View.asList(limits) }));
      PAssert.that(out).containsInAnyOrder(['a:1/7', 'a:2/7', 'b:1/7']);
      await runAndAssert(p, 1);
    });

    it(SIDE_INPUT_UPDATES_CASE, async () => {
      const p = new Pipeline();
      const input = p.apply(
        stream<string | number>()
          .addElements(el('main', 'a', 1)) // before any side value: waits for the first
          .addElements(el('side', 10, 2), el('main', 'b', 3), el('side', 20, 4), el('main', 'c', 5))
          .addElements(el('side', 30, 6), el('main', 'd', 7))
          .advanceWatermarkToInfinity(),
      );
      const side = input
        .apply('SideOnly', Filter.by((e: KV<string, string | number>) => e.key === 'side'))
        .apply('Versions', Map.of((e: KV<string, string | number>) => kv(e.value === 20 ? 'r2' : 'r1', e.value as number)))
        .apply('EveryVersion', Window.into<KV<string, number>>(GlobalWindows.of()).triggering(Repeatedly.forever(AfterCount.of(1))).discardingFiredPanes());
      // The reader's output goes to no other stage: on Flink its stage must still run.
      input
        .apply('MainOnly', Filter.by((e: KV<string, string | number>) => e.key === 'main'))
        .apply('Read', ParDo.of(new ReadUpdates()).withSideInputs({ all: View.asList(side), latest: View.asSingleton(side), byId: View.asMap(side) }));
      const result = makeRunner().run(p);
      await result.waitUntilFinish();
      expect(result.state).toBe('DONE');
      const counted = (n: string) => result.metrics().counter(n, { namespace: 'sideUpdates' });
      expect({ consistent: counted('consistent'), inconsistent: counted('inconsistent') }).toEqual({ consistent: 4, inconsistent: 0 });
    });

    it('BagState, CombiningState, MapState, SetState: add, read, remove, clear; structural keys', async () => {
      const state = {
        bag: StateSpecs.bag<number>(),
        sum: StateSpecs.combining(SumFn),
        byUser: StateSpecs.map<{ id: number }, string>(),
        seen: StateSpecs.set<{ id: number }>(),
      };
      type S = typeof state;
      class Kinds extends StatefulDoFn<string, number, string, S> {
        constructor() {
          super({ state });
        }
        process(e: KV<string, number>, ctx: StatefulProcessContext<string, string, S>): void {
          const s = ctx.state;
          if (e.value < 0) {
            s.byUser.remove({ id: -e.value });
            s.seen.remove({ id: -e.value });
            s.bag.clear();
            ctx.output(`removed ${-e.value}: map ${s.byUser.keys().map((k) => k.id).join(',')} set ${s.seen.size} bag ${s.bag.isEmpty()}`);
            return;
          }
          s.bag.add(e.value);
          s.sum.add(e.value);
          const fresh = s.seen.add({ id: e.value }); // a new object each time: equal by encoding
          s.byUser.putIfAbsent({ id: e.value }, `first@${ctx.timestamp}`);
          ctx.output(
            `${e.key} ${e.value}: bag ${[...s.bag.read()].join('+')} sum ${s.sum.read()} acc ${s.sum.getAccumulator()} ` +
              `new ${fresh} map ${s.byUser.get({ id: e.value })} size ${s.byUser.size}`,
          );
        }
      }
      const p = new Pipeline();
      const input = stream<number>()
        .addElements(el('k', 1, 10), el('k', 2, 20), el('k', 1, 30), el('j', 5, 40))
        .addElements(el('k', -1, 50))
        .advanceWatermarkToInfinity();
      PAssert.that(p.apply(input).apply(ParDo.of(new Kinds()))).containsInAnyOrder([
        'k 1: bag 1 sum 1 acc 1 new true map first@10 size 1',
        'k 2: bag 1+2 sum 3 acc 3 new true map first@20 size 2',
        'k 1: bag 1+2+1 sum 4 acc 4 new false map first@10 size 2',
        'j 5: bag 5 sum 5 acc 5 new true map first@40 size 1',
        'removed 1: map 2 set 1 bag true',
      ]);
      await runAndAssert(p, 1);
    });

    it('OrderedListState: out-of-order adds read in timestamp order; readRange and clearRange', async () => {
      const state = { events: StateSpecs.orderedList<string>() };
      type S = typeof state;
      class Sorted extends StatefulDoFn<string, string, string, S> {
        constructor() {
          super({ state });
        }
        process(e: KV<string, string>, ctx: StatefulProcessContext<string, string, S>): void {
          const list = ctx.state.events;
          if (e.value === 'report') {
            ctx.output(`all ${list.read().map((v) => `${v.value}@${v.timestamp}`).join(' ')}`);
            ctx.output(`[20,40) ${list.readRange(at(20), at(40)).map((v) => v.value).join(' ')}`);
            list.clearRange(at(0), at(25));
            ctx.output(`after clear ${list.read().map((v) => v.value).join(' ')} size ${list.size}`);
            return;
          }
          list.add({ value: e.value, timestamp: ctx.timestamp });
        }
      }
      const p = new Pipeline();
      const input = stream<string>()
        .addElements(el('k', 'c', 30), el('k', 'a', 10), el('k', 'd', 40), el('k', 'b', 20), el('k', 'b2', 20))
        .addElements(el('k', 'report', 50))
        .advanceWatermarkToInfinity();
      PAssert.that(p.apply(input).apply(ParDo.of(new Sorted()))).containsInAnyOrder([
        'all a@10 b@20 b2@20 c@30 d@40',
        '[20,40) b b2 c',
        'after clear c d size 2',
      ]);
      await runAndAssert(p, 1);
    });

    it('event-time timers fire in timestamp order across keys, once the watermark passes them', async () => {
      const p = new Pipeline();
      const input = stream<number | 'clear'>()
        .addElements(el('a', 30, 1), el('b', 10, 1), el('c', 20, 1), el('d', 25, 1))
        .addElements(el('c', 5, 2)) // moved earlier: fires once, at 5
        .addElements(el('d', 'clear', 3)) // cancelled
        .advanceWatermarkTo(at(21)) // fires c@5 and b@10
        .addElements(el('e', 15, 22)) // behind the watermark: fires at the end of this bundle
        .addElements(el('b', 40, 23))
        .advanceWatermarkToInfinity();
      const fired = p.apply(input).apply(ParDo.of(new TimerAt()));
      PAssert.that(inArrivalOrder(fired, 'Order')).containsInAnyOrder([['c@5', 'b@10', 'e@15', 'a@30', 'b@40']]);
      await runAndAssert(p, 1);
    });

    it('timer families: one timer per dynamic tag; clearing one tag leaves the others', async () => {
      const timers = { remind: TimerSpecs.eventTimeFamily() };
      type T = typeof timers;
      class Reminders extends StatefulDoFn<string, string, string, {}, T> {
        constructor() {
          super({ timers });
        }
        process(e: KV<string, string>, ctx: StatefulProcessContext<string, string, {}, T>): void {
          const [op, tag, time] = e.value.split(' ');
          if (op === 'clear') ctx.timers.remind.clear(tag!);
          else ctx.timers.remind.get(tag!).set(at(Number(time)));
        }
        override onTimer(t: FiredTimer<T>, ctx: OnTimerContext<string, string, {}, T>): void {
          ctx.output(`${ctx.key}/${t.timer}/${t.tag}@${t.fireTimestamp}`);
        }
      }
      const p = new Pipeline();
      const input = stream<string>()
        .addElements(el('u', 'set x 30', 1), el('u', 'set y 20', 1), el('u', 'set z 25', 1), el('v', 'set x 10', 1))
        .addElements(el('u', 'clear z', 2), el('u', 'set x 35', 2))
        .advanceWatermarkToInfinity();
      PAssert.that(inArrivalOrder(p.apply(input).apply(ParDo.of(new Reminders())), 'Order')).containsInAnyOrder([['v/remind/x@10', 'u/remind/y@20', 'u/remind/x@35']]);
      await runAndAssert(p, 1);
    });

    it('processing-time timers fire when processing time reaches them (setRelative); onTimer reads state', async () => {
      const state = { pending: StateSpecs.bag<string>() };
      const timers = { flush: TimerSpecs.processingTime() };
      type S = typeof state;
      type T = typeof timers;
      class Batch extends StatefulDoFn<string, string, string, S, T> {
        constructor() {
          super({ state, timers });
        }
        process(e: KV<string, string>, ctx: StatefulProcessContext<string, string, S, T>): void {
          if (ctx.state.pending.isEmpty()) ctx.timers.flush.setRelative(Duration.seconds(10));
          ctx.state.pending.add(e.value);
        }
        override onTimer(_t: FiredTimer<T>, ctx: OnTimerContext<string, string, S, T>): void {
          ctx.output(`${ctx.key}:${ctx.state.pending.read().join('')}`);
          ctx.state.pending.clear();
        }
      }
      const p = new Pipeline();
      const input = stream<string>()
        .addElements(el('a', 'x', 1), el('a', 'y', 2))
        .advanceProcessingTime(Duration.seconds(5))
        .addElements(el('a', 'z', 3), el('b', 'q', 3)) // b's timer: 15 s
        .advanceProcessingTime(Duration.seconds(5)) // 10 s: a fires with x, y, z
        .addElements(el('a', 'w', 4)) // a's next batch: 20 s
        .advanceProcessingTime(Duration.seconds(6)) // 16 s: b fires
        .addElements(el('b', 'r', 5))
        .advanceWatermarkToInfinity(); // end of input: a and b's pending timers fire
      PAssert.that(inArrivalOrder(p.apply(input).apply(ParDo.of(new Batch())), 'Order')).containsInAnyOrder([['a:xyz', 'b:q', 'a:w', 'b:r']]);
      await runAndAssert(p, 1);
    });

    it("a timer's output timestamp holds the watermark: buffered outputs make the downstream window on time", async () => {
      const state = { buffer: StateSpecs.bag<number>(), earliest: StateSpecs.value<number>() };
      const timers = { release: TimerSpecs.eventTime() };
      type S = typeof state;
      type T = typeof timers;
      /** Holds every element until event time 25, then emits them at their own (earlier) times. */
      class HoldBack extends StatefulDoFn<string, number, KV<string, number>, S, T> {
        constructor() {
          super({ state, timers });
          // The hold (and the outputs) go back to the earliest buffered element, before the current one.
          this.allowedTimestampSkew = Infinity;
        }
        process(e: KV<string, number>, ctx: StatefulProcessContext<string, KV<string, number>, S, T>): void {
          ctx.state.buffer.add(e.value);
          const earliest = Math.min(ctx.state.earliest.read() ?? Infinity, ctx.timestamp);
          ctx.state.earliest.write(earliest);
          ctx.timers.release.withOutputTimestamp(at(earliest)).set(at(25));
        }
        override onTimer(_t: FiredTimer<T>, ctx: OnTimerContext<string, KV<string, number>, S, T>): void {
          for (const v of ctx.state.buffer.read()) ctx.outputWithTimestamp(kv(ctx.key, v), at(v));
        }
      }
      const p = new Pipeline();
      const input = stream<number>()
        .addElements(el('k', 2, 2), el('k', 7, 7), el('k', 12, 12))
        .advanceWatermarkTo(at(15)) // past the window [0, 10), not the timer: the hold keeps [0, 10) open downstream
        .advanceWatermarkTo(at(30)) // the timer fires; its outputs are on time
        .advanceWatermarkToInfinity();
      const counted = p
        .apply(input)
        .apply(ParDo.of(new HoldBack()))
        .apply(Window.into<KV<string, number>>(FixedWindows.of(Duration.millis(10))))
        .apply(Count.perKey<string, number>())
        .apply(ParDo.of(new WithPane()));
      PAssert.that(counted).containsInAnyOrder(['[0,10) 2 ON_TIME', '[10,20) 1 ON_TIME']);
      const result = await runAndAssert(p, 1);
      expect(result.metrics().counter('droppedLate')).toBe(0);
    });

    it("a window's state is gone once the window expires; late elements for it are dropped and counted", async () => {
      const p = new Pipeline();
      const input = stream<string>()
        .addElements(el('a', 'x', 1), el('a', 'y', 2))
        .advanceWatermarkTo(at(12)) // past [0, 10) but within the allowed lateness (5 ms)
        .addElements(el('a', 'z', 3)) // still counted in [0, 10)
        .advanceWatermarkTo(at(20)) // [0, 10) expired: onWindowExpiration, state dropped
        .addElements(el('a', 'late', 4), el('a', 'next', 21))
        .advanceWatermarkToInfinity();
      const state = { count: StateSpecs.value(Coders.varint()) };
      type S = typeof state;
      class CountThenReport extends StatefulDoFn<string, string, string, S> {
        constructor() {
          super({ state });
        }
        process(e: KV<string, string>, ctx: StatefulProcessContext<string, string, S>): void {
          ctx.output(`${windowName(ctx.window)} ${e.value}:${ctx.state.count.update((c) => (c ?? 0) + 1)}`);
        }
        override onWindowExpiration(ctx: OnWindowExpirationContext<string, string, S>): void {
          ctx.output(`${windowName(ctx.window)} expired with ${ctx.state.count.read()} at ${ctx.timestamp}`);
        }
      }
      const out = p
        .apply(input)
        .apply(Window.into<KV<string, string>>(FixedWindows.of(Duration.millis(10))).withAllowedLateness(Duration.millis(5)))
        .apply(ParDo.of(new CountThenReport()));
      PAssert.that(out).containsInAnyOrder(['[0,10) x:1', '[0,10) y:2', '[0,10) z:3', '[0,10) expired with 3 at 9', '[20,30) next:1', '[20,30) expired with 1 at 29']);
      const result = await runAndAssert(p, 1);
      expect(result.metrics().counter('droppedLate')).toBe(1);
    });

    it('state time-to-live in the global window: a key idle for longer than the TTL starts afresh', async () => {
      const p = new Pipeline();
      const input = stream<string>()
        .addElements(el('a', 'x', 0), el('b', 'x', 0))
        .advanceWatermarkTo(at(8))
        .addElements(el('b', 'y', 8)) // b's TTL now counts from 8
        .advanceWatermarkTo(at(15)) // a's state (last element at 0, TTL 10) is gone; b's is not
        .addElements(el('a', 'y', 15), el('b', 'z', 15))
        .advanceWatermarkToInfinity();
      PAssert.that(p.apply(input).apply(ParDo.of(new RunningCount(Duration.millis(10))))).containsInAnyOrder(['a:1', 'b:1', 'b:2', 'a:1', 'b:3']);
      await runAndAssert(p, 1);
    });

    it('timers are per window, and onTimer outputs into the timer window at the output timestamp', async () => {
      const timers = { end: TimerSpecs.eventTime() };
      type T = typeof timers;
      class EndOfWindow extends StatefulDoFn<string, string, string, {}, T> {
        constructor() {
          super({ timers });
        }
        process(_e: KV<string, string>, ctx: StatefulProcessContext<string, string, {}, T>): void {
          ctx.timers.end.set(ctx.window.maxTimestamp());
        }
        override onTimer(t: FiredTimer<T>, ctx: OnTimerContext<string, string, {}, T>): void {
          ctx.output(`${ctx.key} ${windowName(ctx.window)} ${t.domain} at ${ctx.timestamp}`);
        }
      }
      const p = new Pipeline();
      const input = stream<string>().addElements(el('a', 'x', 1), el('a', 'y', 15), el('b', 'z', 3)).advanceWatermarkToInfinity();
      const out = p.apply(input).apply(Window.into<KV<string, string>>(FixedWindows.of(Duration.millis(10)))).apply(ParDo.of(new EndOfWindow()));
      PAssert.that(out).containsInAnyOrder(['a [0,10) EVENT_TIME at 9', 'b [0,10) EVENT_TIME at 9', 'a [10,20) EVENT_TIME at 19']);
      await runAndAssert(p, 1);
    });

    it('errors name the transform: a timer past the window expiry, an output timestamp before the input', async () => {
      class TooLate extends StatefulDoFn<string, string, string, {}, typeof oneTimer> {
        constructor() {
          super({ timers: oneTimer });
        }
        process(_e: KV<string, string>, ctx: StatefulProcessContext<string, string, {}, typeof oneTimer>): void {
          ctx.timers.at.set(at(100));
        }
        override onTimer(): void {}
      }
      const p = new Pipeline();
      p.apply(stream<string>().addElements(el('a', 'x', 1)).advanceWatermarkToInfinity())
        .apply(Window.into<KV<string, string>>(FixedWindows.of(Duration.millis(10))))
        .apply('TooLate', ParDo.of(new TooLate()));
      const r = makeRunner().run(p);
      await expect(r.waitUntilFinish()).rejects.toThrow(UserCodeError);
      await expect(r.waitUntilFinish()).rejects.toThrow(/TooLate.*timer "at" set for .*after the expiry of window/s);

      class Backwards extends StatefulDoFn<string, string, string, {}, typeof oneTimer> {
        constructor() {
          super({ timers: oneTimer });
        }
        process(_e: KV<string, string>, ctx: StatefulProcessContext<string, string, {}, typeof oneTimer>): void {
          ctx.timers.at.withOutputTimestamp(at(0)).set(at(50));
        }
        override onTimer(): void {}
      }
      const q = new Pipeline();
      q.apply(stream<string>().addElements(el('a', 'x', 10)).advanceWatermarkToInfinity()).apply('Backwards', ParDo.of(new Backwards()));
      await expect(makeRunner().run(q).waitUntilFinish()).rejects.toThrow(/Backwards.*output timestamp .* is earlier than the current input's/s);
    });
  });
}

class WithPane extends StatefulDoFn<string, number, string> {
  constructor() {
    super({});
  }
  process(e: KV<string, number>, ctx: StatefulProcessContext<string, string>): void {
    ctx.output(`${windowName(ctx.window)} ${e.value} ${ctx.pane.timing}`);
  }
}

function windowName(w: unknown): string {
  return w instanceof IntervalWindow ? `[${w.start},${w.end})` : String(w);
}
