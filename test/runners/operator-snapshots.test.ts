/**
 * The direct runner's stateful operators, snapshotted and restored at every point of a random
 * stream: the grouping (every path — global groups, window buckets, deferred sessions, the
 * general path with triggers, lateness, holds, tombstones, custom windows) and the stateful
 * ParDo (every kind of state, event and processing timers and timer families, holds, window
 * expiry, time-to-live). A restored operator, fed the rest of the stream, must do exactly what
 * the uninterrupted one did: the same output in the same order, and after every step the same
 * hold, buffered count and next processing-time timer. Snapshots go through v8 serialization,
 * as in the checkpoint file; user values are class instances, so a snapshot that kept objects
 * instead of coder bytes would lose their prototypes.
 */
import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import {
  AfterCount,
  AfterEach,
  AfterProcessingTime,
  AfterWatermark,
  Coders,
  Duration,
  FixedWindows,
  GlobalWindows,
  Instant,
  IntervalWindow,
  MergingWindowFn,
  Repeatedly,
  Sessions,
  SlidingWindows,
  StateSpecs,
  StatefulDoFn,
  TimerSpecs,
  WindowFn,
  WindowingStrategy,
  kv,
  type BoundedWindow,
  type Coder,
  type CombineFn,
  type FiredTimer,
  type KV,
  type OnTimerContext,
  type OnWindowExpirationContext,
  type StatefulProcessContext,
} from '../../sdk/index.js';
import type { ByteReader, ByteWriter } from '../../sdk/coders/index.js';
import { mergeOverlappingIntervals, type WindowMerge } from '../../sdk/window/window-fn.js';
import { MetricsContainer } from '../../sdk/metrics/container.js';
import { NO_FIRING } from '../../sdk/values/pane.js';
import { GLOBAL_WINDOWS } from '../../sdk/window/bounded-window.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import { GroupOperator, type GroupConfig } from '../../runners/direct/operators/group.js';
import { LIST_AGGREGATION, combineAggregation } from '../../runners/exec/windowing/aggregations.js';
import { StatefulParDoOperator } from '../../runners/exec/stateful-pardo.js';
import { NOT_NOW, type Operator, type Receiver } from '../../runners/exec/unit.js';
import { groupingKeyFn } from '../../runners/exec/grouping-key.js';
import { cellFactory, type CellSpec } from '../../runners/exec/state/cells.js';
import { cellCodec } from '../../runners/exec/state/cell-codecs.js';
import type { StateSpec } from '../../sdk/state/state-spec.js';
import { prng } from '../prng.js';

const S = 1000;

// --- user types that only survive a snapshot through their coders -------------------------------

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  describe(): string {
    return `(${this.x},${this.y})`;
  }
}

const pointCoder: Coder<Point> = {
  urn: 'test:coder:point:v1',
  components: [],
  deterministic: true,
  encode(p: Point, out: ByteWriter) {
    if (!(p instanceof Point)) throw new TypeError('not a Point');
    out.writeDouble(p.x);
    out.writeDouble(p.y);
  },
  decode: (input: ByteReader) => new Point(input.readDouble(), input.readDouble()),
};

/** An accumulator with methods: a plain-object copy would fail on `add`. */
class Stats {
  constructor(
    public n = 0,
    public sum = 0,
  ) {}
  add(p: Point): Stats {
    this.n++;
    this.sum += p.x + p.y;
    return this;
  }
}

const statsCoder: Coder<Stats> = {
  urn: 'test:coder:stats:v1',
  components: [],
  deterministic: true,
  encode(s: Stats, out: ByteWriter) {
    if (!(s instanceof Stats)) throw new TypeError('not Stats');
    out.writeDouble(s.n);
    out.writeDouble(s.sum);
  },
  decode: (input: ByteReader) => new Stats(input.readDouble(), input.readDouble()),
};

const statsFn: CombineFn<Point, Stats, string> = {
  createAccumulator: () => new Stats(),
  addInput: (acc, p) => acc.add(p),
  mergeAccumulators(accs) {
    const m = new Stats();
    for (const a of accs) {
      m.n += a.n;
      m.sum += a.sum;
    }
    return m;
  },
  extractOutput: (acc) => `n=${acc.n} sum=${acc.sum}`,
};

/** An interval window of a class of its own (written with its own coder). */
class LabelledWindow extends IntervalWindow {
  constructor(start: Instant, end: Instant, readonly label: string) {
    super(start, end);
  }
  override toString(): string {
    return `${this.label}${super.toString()}`;
  }
}

const labelledCoder: Coder<BoundedWindow> = {
  urn: 'test:coder:labelled:v1',
  components: [],
  deterministic: true,
  encode(w: BoundedWindow, out: ByteWriter) {
    const l = w as LabelledWindow;
    if (!(l instanceof LabelledWindow)) throw new TypeError('not a LabelledWindow');
    out.writeDouble(l.start);
    out.writeDouble(l.end);
    out.writeLengthPrefixedUtf8(l.label);
  },
  decode: (input: ByteReader) => new LabelledWindow(input.readDouble() as Instant, input.readDouble() as Instant, input.readUtf8(input.readVarInt())),
};

/** Fixed 10-second windows, labelled by parity. */
class LabelledFixed extends WindowFn<BoundedWindow> {
  readonly isMerging = false;
  assignWindows(t: Instant): readonly BoundedWindow[] {
    const start = t - (((t % (10 * S)) + 10 * S) % (10 * S));
    return [new LabelledWindow(start as Instant, (start + 10 * S) as Instant, (start / (10 * S)) % 2 === 0 ? 'even' : 'odd')];
  }
  windowCoder() {
    return labelledCoder;
  }
  isCompatible(o: WindowFn<BoundedWindow>): boolean {
    return o === this;
  }
  toString() {
    return 'LabelledFixed';
  }
}

/** Sessions whose gap depends on the timestamp: pending elements of several spans. */
class UnevenSessions extends MergingWindowFn {
  override readonly assignsToOneWindow = true;
  override readonly mergesOverlappingIntervals = true;
  assignWindows(t: Instant): readonly IntervalWindow[] {
    return [new IntervalWindow(t, (t + 4 * S + ((t / S) % 3) * 2 * S) as Instant)];
  }
  mergeWindows(ws: readonly IntervalWindow[]): readonly WindowMerge<IntervalWindow>[] {
    return mergeOverlappingIntervals(ws);
  }
  windowCoder() {
    return Coders.intervalWindow();
  }
  isCompatible(o: WindowFn<BoundedWindow>): boolean {
    return o === this;
  }
  toString() {
    return 'UnevenSessions';
  }
}

/** A merging fn the reducer knows nothing about: the generic merging path. */
class OpaqueSessions extends MergingWindowFn {
  assignWindows(t: Instant): readonly IntervalWindow[] {
    return [new IntervalWindow(t, (t + 5 * S) as Instant)];
  }
  mergeWindows(ws: readonly IntervalWindow[]): readonly WindowMerge<IntervalWindow>[] {
    return mergeOverlappingIntervals(ws);
  }
  windowCoder() {
    return Coders.intervalWindow();
  }
  isCompatible(o: WindowFn<BoundedWindow>): boolean {
    return o === this;
  }
  toString() {
    return 'OpaqueSessions';
  }
}

// --- random streams --------------------------------------------------------------------------

type Ev = { kind: 'el'; key: string; value: Point; ts: number } | { kind: 'bundle' } | { kind: 'wm'; t: number } | { kind: 'pt'; t: number };


/** Bundles of elements around the watermark (some late), watermark and processing-time steps. */
function stream(seed: number, steps: number): Ev[] {
  const rnd = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const out: Ev[] = [];
  let wm = 0;
  let pt = 0;
  for (let i = 0; i < steps; i++) {
    const r = rnd();
    if (r < 0.55) {
      for (let n = int(1, 3); n > 0; n--) out.push({ kind: 'el', key: 'abc'[int(0, 2)]!, value: new Point(int(1, 9), int(0, 3)), ts: Math.max(0, wm + int(-8, 14) * S) });
      out.push({ kind: 'bundle' });
    } else if (r < 0.8) {
      wm += int(0, 6) * S;
      out.push({ kind: 'wm', t: wm });
    } else {
      pt += int(1, 3) * S;
      out.push({ kind: 'pt', t: pt });
    }
  }
  out.push({ kind: 'wm', t: Instant.MAX }, { kind: 'wm', t: Instant.MAX });
  return out;
}

// --- the differential check ------------------------------------------------------------------

interface Subject {
  readonly op: Operator;
  readonly out: string[];
  apply(ev: Ev): Promise<void>;
}

interface Observed {
  readonly hold: number;
  readonly buffered: number;
  readonly nextTimer: number | undefined;
  /** Outputs emitted so far. */
  readonly emitted: number;
}

function observe(s: Subject): Observed {
  return { hold: s.op.hold!(), buffered: s.op.bufferedElements!(), nextTimer: s.op.nextProcessingTimeTimer?.(), emitted: s.out.length };
}

function recorder(out: string[], tag = ''): Receiver {
  return {
    receive(wv: WindowedValue<unknown>) {
      const v = wv.value as KV<string, unknown> | string;
      const shown = typeof v === 'object' && v !== null && 'key' in v ? `${v.key}:${show(v.value)}` : show(v);
      out.push(`${tag}${shown} ts=${wv.timestamp} ${wv.windows.map(String).join('+')} ${wv.pane.timing}#${wv.pane.index}/${wv.pane.onTimeIndex}${wv.pane.isLast ? ' last' : ''}`);
    },
  };
}

function show(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(show).join(' ')}]`;
  if (v instanceof Point) return v.describe();
  return String(v);
}

/**
 * Runs `events` uninterrupted; then for every cut (where `canCut` allows), runs a fresh subject to
 * the cut, snapshots it, restores a third one from the snapshot, and feeds it the rest.
 */
async function checkEveryCut(make: () => Subject, events: readonly Ev[], canCut: (before: Ev | undefined) => boolean): Promise<number> {
  const full = make();
  const seen: Observed[] = [];
  for (const ev of events) {
    await full.apply(ev);
    seen.push(observe(full));
  }
  expect(full.out.length).toBeGreaterThan(0);
  let cuts = 0;
  for (let k = 0; k < events.length; k++) {
    if (!canCut(events[k - 1])) continue;
    cuts++;
    const a = make();
    for (let i = 0; i < k; i++) await a.apply(events[i]!);
    const state = a.op.snapshot!();
    expect(state, `cut ${k}`).not.toBe(NOT_NOW);
    const b = make();
    b.op.restore!(deserialize(serialize(state)));
    const at = (i: number) => `cut ${k}, after event ${i} (${JSON.stringify(events[i])})`;
    const before = observe(a);
    expect({ ...observe(b), emitted: before.emitted }, `cut ${k}: restored`).toEqual(before);
    for (let i = k; i < events.length; i++) {
      await b.apply(events[i]!);
      expect({ ...observe(b), emitted: b.out.length + before.emitted }, at(i)).toEqual(seen[i]);
    }
    expect(b.out, `cut ${k}: output`).toEqual(full.out.slice(before.emitted));
  }
  return cuts;
}

// --- the grouping ----------------------------------------------------------------------------

interface GroupCase {
  readonly name: string;
  readonly strategy: WindowingStrategy;
  readonly combine?: boolean;
  /** Combine.globally: no key, one group. */
  readonly unkeyed?: boolean;
  /** Elements come unassigned, through the fused Window.into. */
  readonly fused?: boolean;
}

function groupSubject(c: GroupCase): Subject {
  const out: string[] = [];
  const keyed = !c.unkeyed;
  const cfg: GroupConfig = {
    name: c.name,
    strategy: c.strategy,
    aggregation: (c.combine ? combineAggregation(statsFn) : LIST_AGGREGATION) as GroupConfig['aggregation'],
    groupingKey: keyed ? groupingKeyFn(Coders.string(), 'input') : undefined,
    output: recorder(out),
    late: recorder(out, 'late '),
    metrics: new MetricsContainer(c.name),
    defaultWhenEmpty: c.unkeyed,
    coders: c.combine
      ? { key: keyed ? Coders.string() : undefined, accumulator: statsCoder as Coder<unknown> }
      : { key: Coders.string(), accumulator: Coders.iterable(pointCoder) as Coder<unknown>, values: true },
  };
  const op = new GroupOperator(cfg);
  return {
    op,
    out,
    async apply(ev) {
      switch (ev.kind) {
        case 'el': {
          const value = keyed ? kv(ev.key, ev.value) : ev.value;
          const ts = ev.ts as Instant;
          if (c.fused) await op.receiveUnassigned(value, ts);
          else await op.receive({ value, timestamp: ts, windows: c.strategy.windowFn.assignWindows(ts, value), pane: NO_FIRING });
          return;
        }
        case 'bundle':
          await op.finishBundle();
          return;
        case 'wm':
          await op.onWatermark(ev.t as Instant);
          await op.finishBundle();
          return;
        case 'pt':
          await op.onProcessingTime(ev.t as Instant);
          await op.finishBundle();
      }
    },
  };
}

const d = (s: number) => Duration.seconds(s);
const GROUP_CASES: GroupCase[] = [
  { name: 'global window, GroupByKey (one map of groups)', strategy: WindowingStrategy.globalDefault() },
  { name: 'global window, Combine.globally with the empty default', strategy: WindowingStrategy.globalDefault(), combine: true, unkeyed: true },
  { name: 'fixed windows, GroupByKey (window buckets)', strategy: WindowingStrategy.of(FixedWindows.of(d(10))) },
  { name: 'fixed windows, GroupByKey, fused Window.into', strategy: WindowingStrategy.of(FixedWindows.of(d(10))), fused: true },
  { name: 'sliding windows, combine (buckets, several windows per element)', strategy: WindowingStrategy.of(SlidingWindows.of(d(10)).every(d(5))), combine: true },
  { name: 'custom window class, GroupByKey (buckets keep the window objects)', strategy: WindowingStrategy.of(new LabelledFixed()) },
  { name: 'sessions, GroupByKey (deferred merging)', strategy: WindowingStrategy.of(Sessions.withGapDuration(d(5))) },
  { name: 'sessions, combine, fused Window.into', strategy: WindowingStrategy.of(Sessions.withGapDuration(d(5))), combine: true, fused: true },
  { name: 'sessions of several spans (deferred)', strategy: WindowingStrategy.of(new UnevenSessions()) },
  { name: 'a merging fn of its own (generic merging)', strategy: WindowingStrategy.of(new OpaqueSessions()), combine: true },
  {
    name: 'sessions, early count firings, lateness, earliest timestamps, accumulating',
    strategy: WindowingStrategy.of(Sessions.withGapDuration(d(5)), {
      trigger: AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterCount.of(2)),
      allowedLateness: d(6),
      timestampCombiner: 'EARLIEST',
      accumulationMode: 'ACCUMULATING',
    }),
    combine: true,
  },
  {
    name: 'fixed windows, early processing-time and late count firings, lateness, accumulating',
    strategy: WindowingStrategy.of(FixedWindows.of(d(10)), {
      trigger: AfterWatermark.pastEndOfWindow()
        .withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(d(2)))
        .withLateFirings(AfterCount.of(1)),
      allowedLateness: d(8),
      accumulationMode: 'ACCUMULATING',
    }),
  },
  {
    name: 'fixed windows, a trigger that finishes, closing and on-time panes always, latest timestamps',
    strategy: WindowingStrategy.of(FixedWindows.of(d(10)), {
      trigger: AfterEach.inOrder(AfterCount.of(2), AfterWatermark.pastEndOfWindow(), AfterCount.of(1)),
      allowedLateness: d(10),
      closingBehavior: 'FIRE_ALWAYS',
      onTimeBehavior: 'FIRE_ALWAYS',
      timestampCombiner: 'LATEST',
    }),
    combine: true,
  },
  { name: 'sessions whose trigger finishes (tombstones)', strategy: WindowingStrategy.of(Sessions.withGapDuration(d(5)), { trigger: AfterCount.of(2), allowedLateness: d(10) }) },
  { name: 'global window, repeated count trigger (a window that is not an interval)', strategy: WindowingStrategy.of(GlobalWindows.INSTANCE, { trigger: Repeatedly.forever(AfterCount.of(2)), accumulationMode: 'ACCUMULATING' }) },
  { name: 'fixed windows, default trigger with lateness (late panes)', strategy: WindowingStrategy.of(FixedWindows.of(d(10)), { allowedLateness: d(7) }) },
];

describe('grouping operator: snapshot and restore anywhere', () => {
  for (const c of GROUP_CASES) {
    it(c.name, async () => {
      let cuts = 0;
      // Any moment, even inside a bundle (pending merges and triggers waiting for the end of it).
      for (const seed of [1, 2, 3]) cuts += await checkEveryCut(() => groupSubject(c), stream(seed, 40), () => true);
      expect(cuts).toBeGreaterThan(100);
    });
  }

  it('Combine.globally without input gives its empty result once, across a restore at the end', async () => {
    const c: GroupCase = { name: 'empty', strategy: WindowingStrategy.globalDefault(), combine: true, unkeyed: true };
    const events: Ev[] = [{ kind: 'wm', t: 5 * S }, { kind: 'wm', t: Instant.MAX }, { kind: 'wm', t: Instant.MAX }];
    expect(await checkEveryCut(() => groupSubject(c), events, () => true)).toBe(3);
  });

  it('a value its coder cannot write fails the checkpoint, naming the grouping and what to do', () => {
    const s = groupSubject({ name: 'Sum points', strategy: WindowingStrategy.of(FixedWindows.of(d(10))), combine: true });
    (s.op as GroupOperator).receive({ value: kv('a', new Point(1, 2)), timestamp: 1 as Instant, windows: [new IntervalWindow(0 as Instant, (10 * S) as Instant)], pane: NO_FIRING });
    const broken = groupSubject({ name: 'Group plain objects', strategy: WindowingStrategy.of(FixedWindows.of(d(10))) });
    (broken.op as GroupOperator).receive({ value: kv('a', { x: 1, y: 2 }), timestamp: 1 as Instant, windows: [new IntervalWindow(0 as Instant, (10 * S) as Instant)], pane: NO_FIRING });
    expect(() => s.op.snapshot!()).not.toThrow();
    expect(() => broken.op.snapshot!()).toThrow(/cannot checkpoint a value held by "Group plain objects" .*coder.*: its coder iterable\(test:coder:point:v1\) cannot encode it \(not a Point\)/);
  });
});

// --- the stateful ParDo ----------------------------------------------------------------------

const kitchenState = {
  count: StateSpecs.value(Coders.varint()),
  points: StateSpecs.bag(pointCoder),
  total: StateSpecs.combining(statsFn, statsCoder),
  latest: StateSpecs.map(Coders.string(), pointCoder),
  seen: StateSpecs.set<string>(),
  log: StateSpecs.orderedList(Coders.string()),
};
const kitchenTimers = { flush: TimerSpecs.eventTime(), poke: TimerSpecs.processingTime(), remind: TimerSpecs.eventTimeFamily() };
type KS = typeof kitchenState;
type KT = typeof kitchenTimers;

/** Every kind of state and timer; every callback reports all of it (calling methods of the
 *  values read back). */
class Kitchen extends StatefulDoFn<string, Point, string, KS, KT> {
  constructor(private readonly expiry: number) {
    super({ state: kitchenState, timers: kitchenTimers });
    this.allowedTimestampSkew = Infinity;
  }
  process(e: KV<string, Point>, ctx: StatefulProcessContext<string, string, KS, KT>): void {
    const s = ctx.state;
    const n = s.count.update((c) => (c ?? 0) + 1);
    s.points.add(e.value);
    s.total.add(e.value);
    s.latest.put(e.value.x % 2 === 0 ? 'even' : 'odd', e.value);
    s.seen.add(`x${e.value.x}`);
    s.log.add({ value: e.value.describe(), timestamp: ctx.timestamp });
    const limit = this.expiry < 0 ? ctx.timestamp + 4 * S : Math.min(ctx.timestamp + 4 * S, ctx.window.maxTimestamp() + this.expiry);
    ctx.timers.flush.withOutputTimestamp(ctx.timestamp).set(limit as Instant);
    if (n === 1) ctx.timers.poke.setRelative(Duration.seconds(2));
    if (e.value.y === 0) ctx.timers.remind.get(`y${e.value.x}`).set(Math.min(ctx.timestamp + e.value.x * 300, limit) as Instant);
    if (e.value.y === 3) ctx.timers.remind.get(`y${e.value.x}`).clear();
  }
  override onTimer(t: FiredTimer<KT>, ctx: OnTimerContext<string, string, KS, KT>): void {
    ctx.output(`${t.timer}${t.tag ? `/${t.tag}` : ''}@${t.fireTimestamp} ${this.report(ctx.state)}`);
    if (t.timer === 'flush') {
      ctx.state.points.clear();
      ctx.state.log.clearRange(Instant.MIN, t.fireTimestamp);
    }
    if (t.timer === 'poke') ctx.state.seen.clear();
  }
  override onWindowExpiration(ctx: OnWindowExpirationContext<string, string, KS>): void {
    ctx.output(`expired ${this.report(ctx.state)}`);
  }
  private report(s: StatefulProcessContext<string, string, KS, KT>['state']): string {
    return (
      `n=${s.count.read()} points=${s.points.read().map((p) => p.describe()).join('')} total=${s.total.read()} ` +
      `latest=${s.latest.entries().map(([k, p]) => `${k}${p.describe()}`).join(',')} seen=${s.seen.read().join(',')} ` +
      `log=${s.log.read().map((v) => `${v.value}@${v.timestamp}`).join(',')}`
    );
  }
}

function statefulSubject(strategy: WindowingStrategy, ttl: number | undefined): Subject {
  const out: string[] = [];
  const fn = new Kitchen(strategy.windowFn instanceof GlobalWindows ? -1 : strategy.allowedLateness);
  const decls = fn.stateDeclarations as Record<string, StateSpec<unknown>>;
  const states = Object.keys(decls)
    .sort()
    .map((name) => {
      const spec = decls[name]!;
      const cs: CellSpec = { kind: spec.kind, keyCoder: spec.kind === 'map' || spec.kind === 'set' ? spec.coders[0] : undefined, combineFn: spec.combineFn, coders: spec.coders };
      return { name, create: cellFactory(cs, name), codec: cellCodec(cs, name) };
    });
  const timers = Object.keys(fn.timerDeclarations)
    .sort()
    .map((name) => ({ name, domain: fn.timerDeclarations[name as keyof KT]!.domain, family: fn.timerDeclarations[name as keyof KT]!.family }));
  const op = new StatefulParDoOperator({
    name: 'Kitchen',
    fn: fn as never,
    main: recorder(out),
    tagged: new Map(),
    metrics: new MetricsContainer('Kitchen'),
    keyOf: groupingKeyFn(Coders.string(), 'input'),
    states,
    timers,
    onWindowExpiration: true,
    allowedLateness: strategy.allowedLateness,
    stateTtl: ttl,
    keyCoder: Coders.string() as Coder<unknown>,
    windowCoder: strategy.windowFn.windowCoder() as Coder<BoundedWindow>,
  });
  return {
    op,
    out,
    async apply(ev) {
      switch (ev.kind) {
        case 'el': {
          const ts = ev.ts as Instant;
          await op.receive({ value: kv(ev.key, ev.value), timestamp: ts, windows: strategy.windowFn.assignWindows(ts, ev.value), pane: NO_FIRING });
          return;
        }
        case 'bundle':
          await op.finishBundle();
          return;
        case 'wm':
          await op.onWatermark(ev.t as Instant);
          await op.finishBundle();
          return;
        case 'pt':
          await op.onProcessingTime(ev.t as Instant);
          await op.finishBundle();
      }
    },
  };
}

describe('stateful ParDo operator: snapshot and restore between bundles', () => {
  const betweenBundles = (before: Ev | undefined) => before === undefined || before.kind !== 'el';

  it('fixed windows with allowed lateness: state of every kind, timers, holds, window expiry', async () => {
    const strategy = WindowingStrategy.of(FixedWindows.of(d(10)), { allowedLateness: d(5) });
    let cuts = 0;
    for (const seed of [4, 5, 6]) cuts += await checkEveryCut(() => statefulSubject(strategy, undefined), stream(seed, 40), betweenBundles);
    expect(cuts).toBeGreaterThan(60);
  });

  it('global window with a state time-to-live: TTL entries moved lazily, expiry at the end of input', async () => {
    let cuts = 0;
    for (const seed of [7, 8]) cuts += await checkEveryCut(() => statefulSubject(WindowingStrategy.globalDefault(), 6 * S), stream(seed, 40), betweenBundles);
    expect(cuts).toBeGreaterThan(40);
  });

  it('refuses a snapshot inside a bundle', async () => {
    const s = statefulSubject(WindowingStrategy.globalDefault(), undefined);
    await s.apply({ kind: 'el', key: 'a', value: new Point(1, 1), ts: 0 });
    expect(s.op.snapshot!()).toBe(NOT_NOW);
    await s.apply({ kind: 'bundle' });
    expect(s.op.snapshot!()).not.toBe(NOT_NOW);
  });
});
