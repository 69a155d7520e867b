/**
 * The shared checkpoint suite: a job that crashes and is run again with the same checkpoint
 * directory ends with exactly the output of a run that never crashed — the same panes, with the
 * same pane indices, timings and timestamps, in the same order, each emitted once — and it
 * resumed where the last checkpoint was (it did not replay its input from the start).
 *
 * Each case is run once without a crash, then, for every point between two TestStream events,
 * crashed there and resumed. The runner checkpoints at every consistent moment, so the last
 * checkpoint is the one just before the crash: windows are open, triggers half-way, timers
 * pending. Everything observable goes through files (the crash switch, the output log, the input
 * log), so the cases hold wherever the DoFns run.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AfterCount,
  AfterEach,
  AfterProcessingTime,
  AfterWatermark,
  Coders,
  Count,
  DoFn,
  Duration,
  FixedWindows,
  Filter,
  Flatten,
  GlobalWindows,
  GroupByKey,
  Instant,
  Map,
  Mean,
  PCollectionList,
  ParDo,
  Pipeline,
  Repeatedly,
  Sessions,
  SlidingWindows,
  StateSpecs,
  StatefulDoFn,
  Sum,
  TimerSpecs,
  Values,
  View,
  Window,
  kv,
  type FiredTimer,
  type KV,
  type OnTimerContext,
  type OnWindowExpirationContext,
  type PCollection,
  type PipelineRunner,
  type ProcessContext,
  type StatefulProcessContext,
} from '../../sdk/index.js';
import { TestStream, type TestStreamBuilder } from '../../sdk/testing/test-stream.js';
import { GLOBAL_WINDOW_MAX } from '../../sdk/window/index.js';

const at = (s: number) => Instant.ofEpochMillis(s * 1000);
const MARKER = '\u0000crash';

/** One event of a case's script. */
type Step = { add: Array<[key: string, value: number, seconds: number]> } | { watermark: number } | { processingTime: number };

interface Case {
  readonly name: string;
  readonly script: readonly Step[];
  /** Output lines worked out by hand from the script (not taken from a runner), in order: the
   *  lines starting with `prefix` (after `readable`). The crash runs compare with the clean run;
   *  this compares the clean run with Beam's semantics. */
  readonly handWorked: { readonly prefix: string; readonly lines: readonly string[] };
  /** The transforms under test, from the keyed input to something the sink can print. */
  build(input: PCollection<KV<string, number>>): PCollection<unknown>;
}

/** Drops the crash marker; the first time it sees it while the switch file exists, removes the
 *  switch and throws (the crash). Logs every element it lets through. */
class CrashOnMarker extends DoFn<KV<string, number>, KV<string, number>> {
  constructor(private readonly dir: string) {
    super();
  }
  process(e: KV<string, number>, ctx: ProcessContext<KV<string, number>>): void {
    if (e.key === MARKER) {
      const armed = join(this.dir, 'armed');
      if (existsSync(armed)) {
        unlinkSync(armed);
        throw new Error('simulated crash');
      }
      return;
    }
    appendFileSync(join(this.dir, 'input.log'), `${e.key}=${e.value}@${ctx.timestamp}\n`);
    ctx.output(e);
  }
}

/** Appends each output with everything observable about it. */
class Sink extends DoFn<unknown, never> {
  constructor(private readonly dir: string) {
    super();
  }
  process(e: unknown, ctx: ProcessContext<never>): void {
    const p = ctx.pane;
    const line = `${JSON.stringify(e)} ts=${ctx.timestamp} window=${String(ctx.window)} pane=${p.timing}#${p.index}/${p.onTimeIndex}${p.isFirst ? ' first' : ''}${p.isLast ? ' last' : ''}`;
    appendFileSync(join(this.dir, 'output.log'), `${line}\n`);
  }
}

function script(steps: readonly Step[], crashAt: number | undefined): TestStream<KV<string, number>> {
  const all = [...steps];
  if (crashAt !== undefined) all.splice(crashAt, 0, { add: [[MARKER, 0, 0]] });
  let b: TestStreamBuilder<KV<string, number>> = TestStream.create<KV<string, number>>(Coders.kv(Coders.string(), Coders.double()));
  for (const s of all) {
    if ('add' in s) b = b.addElements(...s.add.map(([k, v, t]) => ({ value: kv(k, v), timestamp: at(t) })));
    else if ('watermark' in s) b = b.advanceWatermarkTo(at(s.watermark));
    else b = b.advanceProcessingTime(Duration.seconds(s.processingTime));
  }
  return b.advanceWatermarkToInfinity();
}

function pipeline(c: Case, dir: string, crashAt: number | undefined): Pipeline {
  const p = new Pipeline();
  const input = p.apply(script(c.script, crashAt)).apply('CrashOnMarker', ParDo.of(new CrashOnMarker(dir)));
  c.build(input).apply('Sink', ParDo.of(new Sink(dir)));
  return p;
}

/** A sink line with its window bounds as epoch seconds (`[10, 20)`), not ISO instants. */
const readable = (line: string): string => line.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, (iso) => String(Date.parse(iso) / 1000));

const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : []);

// --- the cases -----------------------------------------------------------------------------

const format = (e: KV<string, unknown>) => `${e.key}:${JSON.stringify(e.value)}`;
const formatted = <T extends KV<string, unknown>>(pc: PCollection<T>) => pc.apply('Format', ParDo.of(new (class extends DoFn<T, string> {
  process(e: T, ctx: ProcessContext<string>): void {
    ctx.output(format(e));
  }
})()));

const fixedGbk: Case = {
  name: 'fixed windows, GroupByKey (late data dropped)',
  handWorked: {
    prefix: '"a:',
    lines: [
      '"a:[1]" ts=9999 window=[0, 10) pane=ON_TIME#0/0 first last',
      // a=5@9 comes after the watermark passed 10: dropped
      '"a:[3,7]" ts=19999 window=[10, 20) pane=ON_TIME#0/0 first last',
      '"a:[8]" ts=29999 window=[20, 30) pane=ON_TIME#0/0 first last',
    ],
  },
  script: [
    { add: [['a', 1, 1], ['b', 2, 2], ['a', 3, 12]] },
    { add: [['b', 4, 3]] },
    { watermark: 10 },
    { add: [['a', 5, 9], ['b', 6, 15], ['a', 7, 19]] },
    { watermark: 20 },
    { add: [['a', 8, 25], ['c', 9, 21]] },
    { processingTime: 1 },
    { watermark: 30 },
    { add: [['c', 10, 33]] },
  ],
  build: (input) => formatted(input.apply(Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(10)))).apply(GroupByKey.create<string, number>())),
};

const slidingMean: Case = {
  name: 'sliding windows, Combine (Mean: an object accumulator)',
  handWorked: {
    prefix: '"a:',
    lines: [
      '"a:1" ts=4999 window=[-5, 5) pane=ON_TIME#0/0 first last',
      '"a:2" ts=9999 window=[0, 10) pane=ON_TIME#0/0 first last',
      '"a:3" ts=14999 window=[5, 15) pane=ON_TIME#0/0 first last',
      '"a:4.5" ts=19999 window=[10, 20) pane=ON_TIME#0/0 first last',
      '"a:5" ts=24999 window=[15, 25) pane=ON_TIME#0/0 first last',
    ],
  },
  script: [
    { add: [['a', 1, 1], ['a', 2, 6], ['b', 10, 4]] },
    { watermark: 5 },
    { add: [['a', 3, 8], ['b', 20, 11]] },
    { watermark: 12 },
    { add: [['a', 4, 13], ['a', 5, 16]] },
    { watermark: 18 },
    { add: [['b', 30, 19]] },
  ],
  build: (input) =>
    formatted(input.apply(Window.into<KV<string, number>>(SlidingWindows.of(Duration.seconds(10)).every(Duration.seconds(5)))).apply(Mean.perKey<string>())),
};

const sessions: Case = {
  name: 'sessions, GroupByKey (windows merging across bundles and checkpoints)',
  handWorked: {
    prefix: '"a:',
    lines: [
      // [7, 12) touches [12, 17) without overlapping: not merged; 15 then bridges into [12, 20)
      '"a:[1]" ts=5999 window=[1, 6) pane=ON_TIME#0/0 first last',
      '"a:[4]" ts=11999 window=[7, 12) pane=ON_TIME#0/0 first last',
      '"a:[3,7]" ts=19999 window=[12, 20) pane=ON_TIME#0/0 first last',
    ],
  },
  script: [
    { add: [['a', 1, 1], ['b', 2, 2]] },
    { add: [['a', 3, 12]] },
    { add: [['a', 4, 7]] },
    { watermark: 5 },
    { add: [['b', 5, 30], ['b', 6, 4]] },
    { add: [['a', 7, 15], ['c', 8, 20]] },
    { watermark: 22 },
    { add: [['b', 9, 33], ['c', 10, 24]] },
    { watermark: 26 },
    { add: [['b', 11, 36]] },
  ],
  build: (input) => formatted(input.apply(Window.into<KV<string, number>>(Sessions.withGapDuration(Duration.seconds(5)))).apply(GroupByKey.create<string, number>())),
};

const earlyAndLate: Case = {
  name: 'early processing-time and late count firings, accumulating, allowed lateness',
  handWorked: {
    prefix: '"a:',
    lines: [
      // processing time 3 passes the early target 0 + 2
      '"a:3" ts=9999 window=[0, 10) pane=EARLY#0/-1 first',
      '"a:6" ts=9999 window=[0, 10) pane=ON_TIME#1/0',
      '"a:10" ts=9999 window=[0, 10) pane=LATE#2/1',
      // a=5@14 arrives at processing time 7: early at 9
      '"a:5" ts=19999 window=[10, 20) pane=EARLY#0/-1 first',
      '"a:5" ts=19999 window=[10, 20) pane=ON_TIME#1/0',
      // a=100@7 is past the gc time of [0, 10) (19.999) at watermark 25: dropped
      '"a:11" ts=19999 window=[10, 20) pane=LATE#2/1',
    ],
  },
  script: [
    { add: [['a', 1, 1]] },
    { processingTime: 1 },
    { add: [['a', 2, 2], ['b', 10, 3]] },
    { processingTime: 2 },
    { add: [['a', 3, 4]] },
    { processingTime: 1 },
    { watermark: 10 },
    { add: [['a', 4, 5]] },
    { processingTime: 3 },
    { add: [['b', 1, 6], ['a', 5, 14]] },
    { processingTime: 2 },
    { watermark: 25 },
    { add: [['a', 100, 7], ['a', 6, 18]] },
  ],
  build: (input) =>
    formatted(
      input
        .apply(
          Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(10)))
            .triggering(
              AfterWatermark.pastEndOfWindow()
                .withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(Duration.seconds(2)))
                .withLateFirings(AfterCount.of(1)),
            )
            .withAllowedLateness(Duration.seconds(10))
            .accumulatingFiredPanes(),
        )
        .apply(Sum.perKey<string>()),
    ),
};

const sessionsEarly: Case = {
  name: 'sessions with early count firings (trigger states merged), earliest timestamps',
  handWorked: {
    prefix: '"a:',
    lines: [
      '"a:3" ts=1000 window=[1, 7) pane=EARLY#0/-1 first',
      '"a:8" ts=8000 window=[8, 17) pane=EARLY#0/-1 first',
      // on time with nothing new (FIRE_ALWAYS): held at the end of the window
      '"a:3" ts=6999 window=[1, 7) pane=ON_TIME#1/0 last',
      // 14 joined [8, 17) after its early pane: the earliest hold is 14
      '"a:15" ts=14000 window=[8, 19) pane=ON_TIME#1/0 last',
      '"a:8" ts=40000 window=[40, 45) pane=ON_TIME#0/0 first last',
    ],
  },
  script: [
    { add: [['a', 1, 1], ['a', 2, 2]] },
    { add: [['a', 3, 12], ['b', 4, 3]] },
    { add: [['a', 5, 8]] },
    { watermark: 6 },
    { add: [['b', 6, 5], ['a', 7, 14]] },
    { watermark: 30 },
    { add: [['a', 8, 40]] },
  ],
  build: (input) =>
    formatted(
      input
        .apply(
          Window.into<KV<string, number>>(Sessions.withGapDuration(Duration.seconds(5)))
            .triggering(AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterCount.of(2)))
            .withTimestampCombiner('EARLIEST')
            .accumulatingFiredPanes(),
        )
        .apply(Sum.perKey<string>()),
    ),
};

const stateSpecs = { seen: StateSpecs.bag(Coders.double()), count: StateSpecs.value(Coders.varint()) };
const timerSpecs = { flush: TimerSpecs.eventTime(), poke: TimerSpecs.processingTime() };
type S = typeof stateSpecs;
type T = typeof timerSpecs;

const LATENESS = 5000;

/** Bags a key's values; an event timer 3 s after the element (holding the output at the element's
 *  time, possibly past the window's end) flushes the bag; a processing timer 2 s after the key's
 *  first element reports; the window's expiry reports the count. */
class BagAndTimers extends StatefulDoFn<string, number, string, S, T> {
  constructor() {
    super({ state: stateSpecs, timers: timerSpecs });
  }
  process(e: KV<string, number>, ctx: StatefulProcessContext<string, string, S, T>): void {
    ctx.state.seen.add(e.value);
    const n = ctx.state.count.update((c) => (c ?? 0) + 1);
    const due = Math.min(ctx.timestamp + 3000, ctx.window.maxTimestamp() + LATENESS);
    ctx.timers.flush.withOutputTimestamp(ctx.timestamp).set(due as Instant);
    if (n === 1) ctx.timers.poke.setRelative(Duration.seconds(2));
  }
  override onTimer(t: FiredTimer<T>, ctx: OnTimerContext<string, string, S, T>): void {
    ctx.output(`${ctx.key} ${t.timer}@${t.fireTimestamp} [${ctx.state.seen.read().join(',')}] n=${ctx.state.count.read()}`);
    if (t.timer === 'flush') ctx.state.seen.clear();
  }
  override onWindowExpiration(ctx: OnWindowExpirationContext<string, string, S>): void {
    ctx.output(`${ctx.key} expired n=${ctx.state.count.read()} left=[${ctx.state.seen.read().join(',')}]`);
  }
}

const statefulBagTimers: Case = {
  name: 'stateful DoFn: bag and value state, event timer with an output timestamp, processing timer, window expiry',
  handWorked: {
    prefix: '"a ',
    lines: [
      // A processing timer outputs at the timestamp of the element that set it, an event timer
      // at its output timestamp, the expiry at the window's max timestamp; none is a pane.
      '"a poke@2000 [1,3] n=2" ts=1000 window=[0, 10) pane=UNKNOWN#0/0 first last',
      '"a flush@9000 [1,3,4] n=3" ts=6000 window=[0, 10) pane=UNKNOWN#0/0 first last',
      '"a poke@7000 [6] n=1" ts=12000 window=[10, 20) pane=UNKNOWN#0/0 first last',
      // Watermark 16: [0, 10) expires at its gc time 14.999, before the 15 s flush of [10, 20).
      '"a expired n=3 left=[]" ts=9999 window=[0, 10) pane=UNKNOWN#0/0 first last',
      '"a flush@15000 [6] n=1" ts=12000 window=[10, 20) pane=UNKNOWN#0/0 first last',
      '"a expired n=1 left=[]" ts=19999 window=[10, 20) pane=UNKNOWN#0/0 first last',
    ],
  },
  script: [
    { add: [['a', 1, 1], ['b', 2, 2]] },
    { processingTime: 1 },
    { add: [['a', 3, 2]] },
    { watermark: 3 },
    { processingTime: 1 },
    { add: [['a', 4, 6], ['b', 5, 8]] },
    { watermark: 5 },
    { processingTime: 3 },
    { add: [['a', 6, 12]] },
    { watermark: 11 },
    // Late for [0, 10), not expired: its timer is already behind the watermark.
    { add: [['b', 7, 9], ['b', 8, 13]] },
    { processingTime: 2 },
    { watermark: 16 },
    // [0, 10) expired at 14.999: dropped.
    { add: [['a', 9, 4]] },
    { watermark: 21 },
  ],
  build: (input) => {
    const out = input
      .apply(Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(10))).withAllowedLateness(Duration.millis(LATENESS)))
      .apply('BagAndTimers', ParDo.of(new BagAndTimers()));
    // Downstream of the timers' output-timestamp holds: a hold lost on restore would let these
    // windows fire before the timers' outputs reach them.
    const grouped = formatted(out.apply('ByKey', Map.of((line: string) => kv(line[0]!, line))).apply('Lines', GroupByKey.create<string, string>()));
    return PCollectionList.of<unknown>([out, grouped]).apply(Flatten.pCollections());
  },
};

const finishing: Case = {
  name: 'triggers that finish (AfterEach: count 2, then count 1): finished bits, closed windows kept until collected',
  handWorked: {
    prefix: '"a:',
    lines: [
      '"a:3" ts=9999 window=[0, 10) pane=EARLY#0/-1 first',
      // the second AfterCount finishes the trigger: the last pane; a=6, a=8 hit a closed window, a=10 an expired one
      '"a:4" ts=9999 window=[0, 10) pane=EARLY#1/-1 last',
    ],
  },
  script: [
    { add: [['a', 1, 1]] },
    { add: [['a', 2, 2], ['b', 3, 3]] },
    { add: [['a', 4, 4], ['b', 5, 5]] },
    { add: [['a', 6, 6], ['b', 7, 7]] },
    { watermark: 10 },
    { add: [['a', 8, 8], ['c', 9, 15]] },
    { watermark: 25 },
    { add: [['a', 10, 9]] },
  ],
  build: (input) =>
    formatted(
      input
        .apply(
          Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(10)))
            .triggering(AfterEach.inOrder(AfterCount.of(2), AfterCount.of(1)))
            .withAllowedLateness(Duration.seconds(10))
            .discardingFiredPanes(),
        )
        .apply(Sum.perKey<string>()),
    ),
};

const sessionsFinishing: Case = {
  name: 'sessions whose trigger finishes (after 2 elements): closed sessions as tombstones beside open ones',
  handWorked: {
    prefix: '"a:',
    lines: [
      '"a:3" ts=7999 window=[1, 8) pane=EARLY#0/-1 first last',
      // A finished window leaves the merging (Beam's ReduceFnRunner drops it from the active
      // windows, keeping only its finished bit): a=3@1 opens a fresh [1, 6) beside the closed
      // [1, 8), and a=8@21 a fresh [21, 26) beside the closed [20, 27).
      '"a:9" ts=26999 window=[20, 27) pane=EARLY#0/-1 first last',
      // AfterCount(2) never fires for the fresh ones: their only pane comes at collection
      // (gc = max timestamp + 30 s), in gc order.
      '"a:3" ts=5999 window=[1, 6) pane=ON_TIME#0/0 first last',
      '"a:8" ts=25999 window=[21, 26) pane=ON_TIME#0/0 first last',
      '"a:7" ts=34999 window=[30, 35) pane=ON_TIME#0/0 first last',
    ],
  },
  script: [
    { add: [['a', 1, 1], ['a', 2, 3]] },
    { add: [['a', 3, 1], ['a', 4, 20]] },
    { add: [['a', 5, 22], ['b', 6, 2]] },
    { watermark: 10 },
    { add: [['a', 7, 30], ['a', 8, 21]] },
    { watermark: 40 },
  ],
  build: (input) =>
    formatted(
      input
        .apply(
          Window.into<KV<string, number>>(Sessions.withGapDuration(Duration.seconds(5)))
            .triggering(AfterCount.of(2))
            .withAllowedLateness(Duration.seconds(30))
            .discardingFiredPanes(),
        )
        .apply(Sum.perKey<string>()),
    ),
};

const globalSum: Case = {
  name: 'global window, Sum.globally (one result at the end of input, the empty sum when there was none)',
  handWorked: {
    prefix: '',
    lines: [
      `6 ts=${GLOBAL_WINDOW_MAX} window=GlobalWindow pane=ON_TIME#0/0 first last`,
    ],
  },
  script: [{ add: [['a', 1, 1], ['b', 2, 2]] }, { watermark: 10 }, { add: [['a', 3, 12]] }],
  build: (input) => input.apply(Values.create<number>()).apply(Sum.globally()),
};

const globalCount: Case = {
  name: 'global window, Count.perKey (one pane per key at the end of input)',
  handWorked: {
    prefix: '"a:',
    lines: [
      `"a:3" ts=${GLOBAL_WINDOW_MAX} window=GlobalWindow pane=ON_TIME#0/0 first last`,
    ],
  },
  script: [
    { add: [['a', 1, 1], ['b', 2, 2]] },
    { watermark: 10 },
    { add: [['a', 3, 12], ['c', 4, 3]] },
    { add: [['a', 5, 40]] },
  ],
  build: (input) => formatted(input.apply(Count.perKey<string, number>())),
};

// Side inputs: elements keyed `rule:<k>` are the side input, the others the main input.
const isRule = (e: KV<string, number>) => e.key.startsWith('rule:');
const rulesOf = (input: PCollection<KV<string, number>>) => input.apply('Rules', Filter.by(isRule)).apply('RuleKey', Map.of((e: KV<string, number>) => kv(e.key.slice('rule:'.length), e.value)));
const eventsOf = (input: PCollection<KV<string, number>>) => input.apply('Events', Filter.by((e: KV<string, number>) => !isRule(e)));

const limitState = { n: StateSpecs.value(Coders.double()) };
/** Counts a key's elements; each output shows the limit the rules (a map side input) set for the
 *  key, or the `*` rule, as the element saw them. */
class CountAgainstRules extends StatefulDoFn<string, number, string, typeof limitState, {}, {}, { rules: ReadonlyMap<string, number> }> {
  constructor() {
    super({ state: limitState });
  }
  process(e: KV<string, number>, ctx: StatefulProcessContext<string, string, typeof limitState, {}, {}, { rules: ReadonlyMap<string, number> }>): void {
    const n = (ctx.state.n.read() ?? 0) + 1;
    ctx.state.n.write(n);
    const rules = ctx.sideInput('rules');
    ctx.output(`${e.key} n=${n} limit=${rules.get(e.key) ?? rules.get('*') ?? 'none'}`);
  }
}

const triggeredRules: Case = {
  name: 'a stateful DoFn reading a triggered side input (slowly-updating rules, latest value per key); elements before the first rule wait',
  handWorked: {
    prefix: '"',
    lines: [
      // a and b arrived before any rule: they waited, then saw the first one.
      '"a n=1 limit=5" ts=1000 window=GlobalWindow pane=UNKNOWN#0/0 first last',
      '"b n=1 limit=5" ts=2000 window=GlobalWindow pane=UNKNOWN#0/0 first last',
      // Processing order: a@4 came before the rule for a, a@6 after it.
      '"a n=2 limit=5" ts=4000 window=GlobalWindow pane=UNKNOWN#0/0 first last',
      '"a n=3 limit=2" ts=6000 window=GlobalWindow pane=UNKNOWN#0/0 first last',
      '"b n=2 limit=5" ts=12000 window=GlobalWindow pane=UNKNOWN#0/0 first last',
      '"a n=4 limit=7" ts=13000 window=GlobalWindow pane=UNKNOWN#0/0 first last',
    ],
  },
  script: [
    { add: [['a', 1, 1], ['b', 2, 2]] },
    { add: [['rule:*', 5, 3]] },
    { add: [['a', 3, 4], ['rule:a', 2, 5], ['a', 4, 6]] },
    { watermark: 10 },
    { add: [['rule:a', 7, 11], ['b', 5, 12], ['a', 6, 13]] },
  ],
  build: (input) => {
    const rules = rulesOf(input).apply(
      'EveryRule',
      Window.into<KV<string, number>>(GlobalWindows.of()).triggering(Repeatedly.forever(AfterCount.of(1))).discardingFiredPanes(),
    );
    return eventsOf(input).apply('CountAgainstRules', ParDo.of(new CountAgainstRules()).withSideInputs({ rules: View.asMap(rules) }));
  },
};

const seenState = { n: StateSpecs.value(Coders.double()) };
/** Per key and 10 s window: each element with the side window's values it read; the count when
 *  the window expires. */
class CountWithLimits extends StatefulDoFn<string, number, string, typeof seenState, {}, {}, { limits: readonly number[] }> {
  constructor() {
    super({ state: seenState });
  }
  process(e: KV<string, number>, ctx: StatefulProcessContext<string, string, typeof seenState, {}, {}, { limits: readonly number[] }>): void {
    ctx.state.n.write((ctx.state.n.read() ?? 0) + 1);
    ctx.output(`${e.key}@${ctx.timestamp / 1000} limits=${JSON.stringify(ctx.sideInput('limits'))}`);
  }
  override onWindowExpiration(ctx: OnWindowExpirationContext<string, string, typeof seenState>): void {
    ctx.output(`${ctx.key} expired n=${ctx.state.n.read()}`);
  }
}

const windowedSideInput: Case = {
  name: 'a stateful DoFn in 10 s windows reading a side input in 20 s windows: elements wait for the side window, the DoFn\'s windows wait for them',
  handWorked: {
    prefix: '"',
    lines: [
      // Watermark 21 completes the side window [0, 20): the waiting elements go first, then the
      // DoFn sees the watermark and its windows expire (they would have at 12 without the hold,
      // and a@1, a@5 been dropped as late).
      '"a@1 limits=[3,4]" ts=1000 window=[0, 10) pane=UNKNOWN#0/0 first last',
      '"a@5 limits=[3,4]" ts=5000 window=[0, 10) pane=UNKNOWN#0/0 first last',
      '"a@13 limits=[3,4]" ts=13000 window=[10, 20) pane=UNKNOWN#0/0 first last',
      '"a expired n=2" ts=9999 window=[0, 10) pane=UNKNOWN#0/0 first last',
      '"a expired n=1" ts=19999 window=[10, 20) pane=UNKNOWN#0/0 first last',
      // The side window [20, 40) completes at the end of the input.
      '"a@22 limits=[10]" ts=22000 window=[20, 30) pane=UNKNOWN#0/0 first last',
      '"a expired n=1" ts=29999 window=[20, 30) pane=UNKNOWN#0/0 first last',
    ],
  },
  script: [
    { add: [['a', 1, 1], ['rule:x', 3, 2], ['a', 2, 5]] },
    { watermark: 12 },
    { add: [['a', 3, 13], ['rule:x', 4, 15]] },
    { watermark: 21 },
    { add: [['a', 4, 22], ['rule:x', 10, 25]] },
  ],
  build: (input) => {
    const limits = rulesOf(input).apply('LimitValues', Values.create<number>()).apply('Every20s', Window.into<number>(FixedWindows.of(Duration.seconds(20))));
    return eventsOf(input)
      .apply('Every10s', Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(10))))
      .apply('CountWithLimits', ParDo.of(new CountWithLimits()).withSideInputs({ limits: View.asList(limits) }));
  },
};

export const CHECKPOINT_CASES: readonly Case[] = [
  fixedGbk,
  slidingMean,
  sessions,
  earlyAndLate,
  sessionsEarly,
  finishing,
  sessionsFinishing,
  statefulBagTimers,
  globalCount,
  globalSum,
  triggeredRules,
  windowedSideInput,
];

/**
 * `makeRunner(dir)`: a runner that checkpoints into `dir` at every consistent moment (at least
 * after every TestStream event) and resumes from the checkpoint it finds there.
 */
export function checkpointSuite(name: string, makeRunner: (checkpointDir: string) => PipelineRunner): void {
  describe(`${name} runner: crash, then resume from the checkpoint`, () => {
    const dirs: string[] = [];
    const tempDir = () => {
      const d = mkdtempSync(join(tmpdir(), 'checkpoint-suite-'));
      dirs.push(d);
      return d;
    };
    afterAll(() => {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    for (const c of CHECKPOINT_CASES) {
      it(`${c.name}: every crash point gives the uninterrupted output, once`, async () => {
        const clean = tempDir();
        await makeRunner(join(clean, 'cp')).run(pipeline(c, clean, undefined)).waitUntilFinish();
        const expected = lines(join(clean, 'output.log'));
        const inputs = lines(join(clean, 'input.log'));
        expect(expected.map(readable).filter((l) => l.startsWith(c.handWorked.prefix)), 'the uninterrupted run, against the hand-worked panes').toEqual(c.handWorked.lines);

        // Input elements before the marker at cut k: those of the first k script steps.
        const before = (k: number) => c.script.slice(0, k).reduce((n, s) => n + ('add' in s ? s.add.length : 0), 0);
        for (let k = 0; k <= c.script.length; k++) {
          const dir = tempDir();
          writeFileSync(join(dir, 'armed'), '');
          const crashed = makeRunner(join(dir, 'cp')).run(pipeline(c, dir, k));
          await expect(crashed.waitUntilFinish(), `crash at ${k}`).rejects.toThrow(/simulated crash/);
          const emittedBeforeCrash = lines(join(dir, 'output.log')).length;
          expect(lines(join(dir, 'input.log')).length).toBe(before(k));

          await makeRunner(join(dir, 'cp')).run(pipeline(c, dir, k)).waitUntilFinish();
          expect(lines(join(dir, 'output.log')), `crash at ${k} (${emittedBeforeCrash} lines before the crash)`).toEqual(expected);
          // The resumed run went on from the cut: each input element was read once, in order.
          expect(lines(join(dir, 'input.log')), `crash at ${k}: input read`).toEqual(inputs);
        }
      });
    }
  });
}
