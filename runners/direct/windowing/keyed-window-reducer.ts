/**
 * Beam's "group also by window" for one GroupByKey / Combine.perKey, as a pure component: the
 * runner feeds it elements (already assigned to windows), watermarks and processing time; it
 * merges windows (sessions), runs triggers, emits panes with Beam's pane info and output
 * timestamps, drops late data, holds the output watermark, and garbage-collects windows.
 *
 * Semantics follow Beam's ReduceFnRunner:
 * - an element is droppable when its window's garbage-collection time (max timestamp + allowed
 *   lateness, capped at the end of the global window) is before the input watermark; it is
 *   counted and handed to `late` (the late side output);
 * - triggers are evaluated per bundle (`finishBundle`, also run before any time advance) and on
 *   timers; an event-time timer fires when the input watermark is past (>) its time, a
 *   processing-time timer when processing time reaches (≥) it;
 * - a window fires its final pane at garbage collection if it has data (or if the closing /
 *   on-time behaviour asks for empty panes), then all its state goes; a window whose trigger
 *   finished keeps a tombstone until then, and elements for it are dropped (`droppedClosed`);
 * - output timestamps: END_OF_WINDOW, or the earliest/latest element timestamp that could be
 *   held (an element behind the output watermark, or in a window whose end the input
 *   watermark passed, cannot hold it), never after the window's max timestamp.
 *
 * Performance: state lives in Maps keyed by key id and window end; timers and holds are 4-ary
 * heaps (one entry per window per heap); the default trigger keeps no trigger state; with the
 * default trigger, END_OF_WINDOW and zero lateness the hold is read off the timer heap. In that
 * case, which is how most pipelines window, non-merging windows live in `WindowBuckets` (every
 * window fires once, at its end, so a bucket per end replaces timers), and sessions are merged
 * once per bundle from a `PendingLog`, a key with one session holding nothing but that window.
 */
import { Instant } from '../../../sdk/time/instant.js';
import type { PaneInfo, PaneTiming } from '../../../sdk/values/pane.js';
import { GLOBAL_WINDOW_MAX, IntervalWindow, type BoundedWindow } from '../../../sdk/window/bounded-window.js';
import type { WindowFn } from '../../../sdk/window/window-fn.js';
import type { WindowingStrategy } from '../../../sdk/window/windowing-strategy.js';
import { DefaultTrigger } from '../../../sdk/trigger/default.js';
import { EventTimerHeap, HoldHeap, ProcessingTimerHeap, type HeapEntry } from './timer-heap.js';
import { TriggerMachine, type TriggerContext, type TriggerState } from './trigger-machine.js';
import { ONLY_PANE, WindowBuckets } from './window-buckets.js';
import { PendingLog } from './pending-log.js';
import { KeyLayout, REDUCER_FORMAT, ReducerSnapshotWriter, newExtraRecord, newKeyRecord, newWinRecord, readReducerSnapshot, type ExtraRecord, type KeyRecord, type ReducerCodec, type WinRecord } from './reducer-snapshot.js';
import { snapshotReader, type SnapshotBytes } from '../../exec/snapshot-bytes.js';

/** How values fold into a pane: GroupByKey is a list aggregation, Combine its CombineFn. */
export interface Aggregation<V, A, O> {
  create(): A;
  add(acc: A, v: V): A;
  merge(accs: A[]): A;
  extract(acc: A): O;
  /** The output of a pane whose accumulator is kept for later panes (accumulating mode): must
   *  share nothing the kept accumulator will change (absent: `extract`). */
  extractKept?(acc: A): O;
  /** How many elements `acc` holds, for memory accounting (absent: one per accumulator). */
  held?(acc: A): number;
}

export interface KeyedWindowReducerOptions<K, V, A, O> {
  strategy: WindowingStrategy;
  aggregation: Aggregation<V, A, O>;
  emit(key: K, output: O, timestamp: Instant, window: BoundedWindow, pane: PaneInfo): void;
  /** A droppable late element (always counted in `counters.droppedLate`). */
  late?(key: K, value: V, timestamp: Instant, window: BoundedWindow): void;
  /** Processing time before the first `advanceProcessingTime` (default: the epoch). */
  initialProcessingTime?: Instant;
}

export interface ReducerCounters {
  /** Elements dropped because their window had expired (past allowed lateness). */
  droppedLate: number;
  /** Elements dropped because their window's trigger had finished (closed window). */
  droppedClosed: number;
  /** Panes emitted. */
  panes: number;
}

/** What is stored for a window: buffered state, only a closed-trigger tombstone, or nothing. */
export type WindowStateKind = 'present' | 'tombstone' | 'absent';

const T_NONE = 0;
const T_EARLY = 1;
const T_ON_TIME = 2;
const T_LATE = 3;
const TIMING_NAMES: readonly PaneTiming[] = ['UNKNOWN', 'EARLY', 'ON_TIME', 'LATE'];

const GMAX = GLOBAL_WINDOW_MAX as number;
const NO_ACC: unique symbol = Symbol('no accumulator');
/** `evIdx` of a window created while flushing, whose timer is not in the heap yet. */
const FRESH = -2;

const F_NON_EMPTY = 1;
const F_CLOSED = 2;
const F_DIRTY = 4;
const F_ALIVE = 8;
const TIMING_SHIFT = 4;

/**
 * State a window needs only off the default fast path: holds, trigger state, heap slots, pane
 * bookkeeping (a window that fires only when collected never needs it), a window object that is
 * not an interval window, and the same-end chain of a `KeyState`.
 */
class WinExtra<K, A> {
  /** Element hold (per the timestamp combiner), NaN: none. */
  hold = NaN;
  /** End-of-window or garbage-collection hold, NaN: none. */
  extraHold = NaN;
  ptIdx = -1;
  hdIdx = -1;
  trig: TriggerState | null = null;
  paneIndex = 0;
  lastNonSpec = -1;
  /** The window; null: the interval window [start, maxTs + 1). */
  w: BoundedWindow | null = null;
  /** Next window of the same key with the same max timestamp (different start). */
  nextSame: Win<K, A> | null = null;
}

/** The state of one window of one key. Fixed shape, no closures, few fields: with the default
 *  trigger, END_OF_WINDOW and zero lateness there is no `x` (on open sessions, what each costs
 *  is most of what the reducer holds) and interval windows are built only when a pane is
 *  emitted. */
class Win<K, A> implements HeapEntry {
  // Heap times start as small integers, so a heap a run never uses costs no boxed double.
  evTs = 0;
  evIdx = -1;
  acc: A | typeof NO_ACC = NO_ACC;
  /** F_* bits, and the last pane timing above TIMING_SHIFT. */
  f = F_ALIVE;
  x: WinExtra<K, A> | null = null;
  constructor(
    readonly seq: number,
    /** The key's grouping id and the key; its other windows, if any, are in the key state the
     *  reducer maps the id to. */
    readonly id: string | number,
    readonly key: K,
    public maxTs: number,
    public start: number,
  ) {}

  private extra(): WinExtra<K, A> {
    return (this.x ??= new WinExtra<K, A>());
  }

  get window(): BoundedWindow {
    const x = this.x;
    if (x === null) return new IntervalWindow(this.start as Instant, (this.maxTs + 1) as Instant);
    return (x.w ??= new IntervalWindow(this.start as Instant, (this.maxTs + 1) as Instant));
  }
  /** Null, or an interval window (rebuilt from start and max timestamp): nothing to keep. */
  set window(w: BoundedWindow | null) {
    if (w === null || w.constructor === IntervalWindow) {
      if (this.x !== null) this.x.w = null;
    } else this.extra().w = w;
  }
  get paneIndex(): number {
    return this.x === null ? 0 : this.x.paneIndex;
  }
  set paneIndex(i: number) {
    if (this.x !== null || i !== 0) this.extra().paneIndex = i;
  }
  get lastNonSpec(): number {
    return this.x === null ? -1 : this.x.lastNonSpec;
  }
  set lastNonSpec(i: number) {
    if (this.x !== null || i !== -1) this.extra().lastNonSpec = i;
  }
  get nextSame(): Win<K, A> | null {
    return this.x === null ? null : this.x.nextSame;
  }
  set nextSame(w: Win<K, A> | null) {
    if (this.x !== null || w !== null) this.extra().nextSame = w;
  }
  get nonEmpty(): boolean {
    return (this.f & F_NON_EMPTY) !== 0;
  }
  set nonEmpty(b: boolean) {
    this.f = b ? this.f | F_NON_EMPTY : this.f & ~F_NON_EMPTY;
  }
  get closed(): boolean {
    return (this.f & F_CLOSED) !== 0;
  }
  set closed(b: boolean) {
    this.f = b ? this.f | F_CLOSED : this.f & ~F_CLOSED;
  }
  get dirty(): boolean {
    return (this.f & F_DIRTY) !== 0;
  }
  set dirty(b: boolean) {
    this.f = b ? this.f | F_DIRTY : this.f & ~F_DIRTY;
  }
  get alive(): boolean {
    return (this.f & F_ALIVE) !== 0;
  }
  set alive(b: boolean) {
    this.f = b ? this.f | F_ALIVE : this.f & ~F_ALIVE;
  }
  get lastTiming(): number {
    return this.f >> TIMING_SHIFT;
  }
  set lastTiming(t: number) {
    this.f = (this.f & ((1 << TIMING_SHIFT) - 1)) | (t << TIMING_SHIFT);
  }
  get hold(): number {
    return this.x === null ? NaN : this.x.hold;
  }
  set hold(h: number) {
    if (this.x !== null) this.x.hold = h;
  }
  get extraHold(): number {
    return this.x === null ? NaN : this.x.extraHold;
  }
  set extraHold(h: number) {
    if (this.x !== null) this.x.extraHold = h;
  }
  get trig(): TriggerState | null {
    return this.x === null ? null : this.x.trig;
  }
  set trig(t: TriggerState | null) {
    if (this.x !== null) this.x.trig = t;
  }
}

type AnyKeyState<K, A> = KeyState<K, A> | IntervalKeyState<K, A>;
/** What the reducer maps a key to: its key state, or — a sessions key with one window and
 *  nothing else, the usual open session — that window alone. */
type KeyEntry<K, A> = AnyKeyState<K, A> | Win<K, A>;

/** The windows of one key: one inline, more in a Map by max timestamp. */
class KeyState<K, A> {
  one: Win<K, A> | null = null;
  map: Map<number, Win<K, A>> | null = null;
  size = 0;
  constructor(
    readonly id: string | number,
    readonly key: K,
  ) {}

  find(maxTs: number, start: number): Win<K, A> | null {
    let w = this.map !== null ? (this.map.get(maxTs) ?? null) : this.one;
    if (this.map === null) return w !== null && w.maxTs === maxTs && w.start === start ? w : null;
    while (w !== null && w.start !== start) w = w.nextSame;
    return w;
  }

  add(w: Win<K, A>): void {
    this.size++;
    if (this.map === null) {
      if (this.one === null) {
        this.one = w;
        return;
      }
      this.map = new Map();
      this.one.nextSame = null;
      this.map.set(this.one.maxTs, this.one);
      this.one = null;
    }
    const head = this.map.get(w.maxTs);
    w.nextSame = head ?? null;
    this.map.set(w.maxTs, w);
  }

  remove(w: Win<K, A>): void {
    this.size--;
    if (this.map === null) {
      if (this.one === w) this.one = null;
      return;
    }
    let head = this.map.get(w.maxTs) ?? null;
    if (head === w) {
      if (w.nextSame) this.map.set(w.maxTs, w.nextSame);
      else this.map.delete(w.maxTs);
    } else {
      while (head !== null && head.nextSame !== w) head = head.nextSame;
      if (head !== null) head.nextSame = w.nextSame;
    }
    w.nextSame = null;
  }

  all(): Win<K, A>[] {
    if (this.map === null) return this.one ? [this.one] : [];
    const out: Win<K, A>[] = [];
    for (let w of this.map.values()) {
      for (let x: Win<K, A> | null = w; x !== null; x = x.nextSame) out.push(x);
    }
    return out;
  }
}

/**
 * The windows of one key of an interval-merging fn (sessions). Its active windows never overlap
 * (an element's window merges with every active window it overlaps), so they are kept sorted by
 * start — and hence by end — with their starts and ends in plain number arrays beside them, and
 * the windows a new one overlaps are found by binary search without touching window states. A
 * window keeps its place when it grows or absorbs its neighbours. Closed windows (tombstones)
 * are kept apart, unsorted.
 */
class IntervalKeyState<K, A> {
  /** The only active window while `act` is null. */
  one: Win<K, A> | null = null;
  /** Everything else, once needed (a key with one session costs no more). */
  more: IntervalMore<K, A> | null = null;
  /** Last chunk of this key's elements not merged yet in the reducer's `PendingLog` (see
   *  `KeyedWindowReducer.flushPending`), −1: none. Here rather than in `more`: an element then
   *  touches one object of its key's. */
  pTail = -1;
  constructor(
    readonly id: string | number,
    readonly key: K,
  ) {}

  /** Windows, active and closed. */
  get size(): number {
    const m = this.more;
    if (m === null) return this.one === null ? 0 : 1;
    return (m.act === null ? (this.one === null ? 0 : 1) : m.act.length) + (m.tomb === null ? 0 : m.tomb.length);
  }

  get act(): Win<K, A>[] | null {
    return this.more === null ? null : this.more.act;
  }
  get st(): number[] | null {
    return this.more === null ? null : this.more.st;
  }
  get en(): number[] | null {
    return this.more === null ? null : this.more.en;
  }
  get tomb(): Win<K, A>[] | null {
    return this.more === null ? null : this.more.tomb;
  }
  get linear(): boolean {
    return this.more !== null && this.more.linear;
  }

  find(maxTs: number, start: number): Win<K, A> | null {
    const act = this.act;
    if (act === null) {
      const o = this.one;
      if (o !== null && o.maxTs === maxTs && o.start === start) return o;
    } else if (this.linear) {
      // Extents grow in place, so starts are not sorted: look at every window.
      for (const x of act) if (x.maxTs === maxTs && x.start === start) return x;
    } else {
      const st = this.st!;
      for (let i = lowerBound(st, start); i < act.length && st[i] === start; i++) {
        if (act[i]!.maxTs === maxTs) return act[i]!;
      }
    }
    const tomb = this.tomb;
    if (tomb !== null) for (const w of tomb) if (w.maxTs === maxTs && w.start === start) return w;
    return null;
  }

  add(w: Win<K, A>): void {
    if (w.closed) {
      ((this.more ??= new IntervalMore()).tomb ??= []).push(w);
      return;
    }
    if (w.maxTs < w.start) (this.more ??= new IntervalMore()).linear = true;
    const act = this.act;
    if (act === null) {
      const o = this.one;
      if (o === null) {
        this.one = w;
        return;
      }
      this.one = null;
      const x = o.start <= w.start ? o : w;
      const y = x === o ? w : o;
      const m = (this.more ??= new IntervalMore());
      m.act = [x, y];
      m.st = [x.start, y.start];
      m.en = [x.maxTs + 1, y.maxTs + 1];
      return;
    }
    const st = this.st!;
    const en = this.en!;
    const n = act.length;
    if (n === 0 || st[n - 1]! <= w.start) {
      act.push(w);
      st.push(w.start);
      en.push(w.maxTs + 1);
      return;
    }
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (st[mid]! <= w.start) lo = mid + 1;
      else hi = mid;
    }
    act.splice(lo, 0, w);
    st.splice(lo, 0, w.start);
    en.splice(lo, 0, w.maxTs + 1);
  }

  remove(w: Win<K, A>): void {
    if (w.closed) {
      const tomb = this.tomb;
      if (tomb !== null) {
        const i = tomb.indexOf(w);
        if (i >= 0) tomb.splice(i, 1);
      }
      return;
    }
    const act = this.act;
    if (act !== null && act[0] === w) {
      // The earliest session: the usual one to expire, and the cheapest to take out.
      act.shift();
      this.st!.shift();
      this.en!.shift();
      return;
    }
    const i = this.indexOf(w, w.start);
    if (i < 0) {
      if (this.one === w) this.one = null;
      return;
    }
    if (i === act!.length - 1) {
      act!.pop();
      this.st!.pop();
      this.en!.pop();
    } else {
      act!.splice(i, 1);
      this.st!.splice(i, 1);
      this.en!.splice(i, 1);
    }
  }

  /** Position of active window `w` (sorted under `start`) in `act`, −1 if not there. */
  indexOf(w: Win<K, A>, start: number): number {
    const act = this.act;
    if (act === null) return -1;
    if (this.linear) return act.indexOf(w);
    for (let i = lowerBound(this.st!, start); i < act.length; i++) if (act[i] === w) return i;
    return -1;
  }

  /** Records the new extent of the active window at `i`. */
  setExtent(i: number, start: number, end: number): void {
    this.st![i] = start;
    this.en![i] = end;
  }

  all(): Win<K, A>[] {
    const out = this.act !== null ? this.act.slice() : this.one !== null ? [this.one] : [];
    if (this.tomb !== null) out.push(...this.tomb);
    return out;
  }
}

/** A session key's sorted active windows (two or more), tombstones, and the empty-window flag. */
class IntervalMore<K, A> {
  act: Win<K, A>[] | null = null;
  st: number[] | null = null;
  en: number[] | null = null;
  tomb: Win<K, A>[] | null = null;
  linear = false;
}

function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}


function startOf(w: BoundedWindow): number {
  return w instanceof IntervalWindow ? w.start : -Infinity;
}

export class KeyedWindowReducer<K, V, A, O> {
  readonly counters: ReducerCounters = { droppedLate: 0, droppedClosed: 0, panes: 0 };

  private readonly keys = new Map<string | number, KeyEntry<K, A>>();
  private readonly events = new EventTimerHeap<Win<K, A>>();
  private readonly procs = new ProcessingTimerHeap<Win<K, A>>();
  private readonly holds = new HoldHeap<Win<K, A>>();
  private dirtyList: Win<K, A>[] = [];
  private seq = 0;
  private liveWindows = 0;
  private tombstones = 0;

  private inputWm: number = Instant.MIN;
  private outputWm: number = Instant.MIN;
  private now: number;

  private readonly agg: Aggregation<V, A, O>;
  private readonly emitFn: KeyedWindowReducerOptions<K, V, A, O>['emit'];
  private readonly lateFn: KeyedWindowReducerOptions<K, V, A, O>['late'];
  private readonly windowFn: WindowFn<BoundedWindow>;
  private readonly merging: boolean;
  private readonly intervalMerging: boolean;
  private readonly lateness: number;
  private readonly discarding: boolean;
  private readonly combiner: 0 | 1 | 2; // EOW, EARLIEST, LATEST
  private readonly onTimeAlways: boolean;
  private readonly closingAlways: boolean;
  private readonly machine: TriggerMachine | null;
  /** Default trigger, END_OF_WINDOW, zero lateness: every hold equals its window's timer. */
  private readonly holdsAreTimers: boolean;
  private readonly ctx: TriggerContext = { wm: Instant.MIN, now: 0, maxTs: 0 };
  /** Sessions under the default trigger, END_OF_WINDOW, no lateness: merging is deferred to the
   *  end of the bundle (see `flushPending`). */
  private readonly deferring: boolean;
  private pendingKeys: IntervalKeyState<K, A>[] = [];
  /** The first chunk of each pending key's elements. */
  private pendingHeads: number[] = [];
  /** End less start of every pending element's window (−1: none yet). A small integer, never
   *  a float: window bounds computed from it are stored in window states (see `smi` in
   *  pending-log.ts). */
  private pendingSpan = -1;
  /** While flushing: windows created get their timers only once the flush is over (many are
   *  merged away before, and then never touch the timer heap). */
  private flushing = false;
  /** Firing at a watermark that collects every window (see `advanceInputWatermark`). */
  private collectingAll = false;
  private readonly pending: PendingLog | null;
  /** Non-merging windows under the default trigger, END_OF_WINDOW and no lateness. */
  private readonly buckets: WindowBuckets<K, A> | null;
  /** Elements held in accumulators (see `Aggregation.held`). */
  private held = 0;
  private readonly countsValues: boolean;

  constructor(opts: KeyedWindowReducerOptions<K, V, A, O>) {
    const s = opts.strategy;
    this.agg = opts.aggregation;
    this.emitFn = opts.emit;
    this.lateFn = opts.late;
    this.windowFn = s.windowFn;
    this.merging = s.windowFn.isMerging;
    this.intervalMerging = s.windowFn.mergesOverlappingIntervals;
    this.lateness = s.allowedLateness;
    this.discarding = s.accumulationMode === 'DISCARDING';
    this.combiner = s.timestampCombiner === 'END_OF_WINDOW' ? 0 : s.timestampCombiner === 'EARLIEST' ? 1 : 2;
    this.onTimeAlways = s.onTimeBehavior === 'FIRE_ALWAYS';
    this.closingAlways = s.closingBehavior === 'FIRE_ALWAYS';
    this.machine = s.trigger instanceof DefaultTrigger ? null : new TriggerMachine(s.trigger);
    this.holdsAreTimers = this.machine === null && this.combiner === 0 && this.lateness === 0;
    this.deferring = this.holdsAreTimers && this.intervalMerging;
    this.pending = this.deferring ? new PendingLog() : null;
    this.now = opts.initialProcessingTime ?? 0;
    this.countsValues = this.agg.held !== undefined;
    this.buckets = this.holdsAreTimers && !this.merging ? this.newBuckets() : null;
  }

  private newBuckets(): WindowBuckets<K, A> {
    const agg = this.agg;
    const counts = this.countsValues;
    return new WindowBuckets<K, A>({
      create: () => {
        if (!counts) this.held++;
        return agg.create();
      },
      add: (acc, v) => {
        if (counts) this.held++;
        return agg.add(acc, v as V);
      },
      fire: (key, acc, maxTs, window) => {
        this.held -= this.weigh(acc);
        this.counters.panes++;
        this.emitFn(key, agg.extract(acc), maxTs as Instant, window, ONLY_PANE);
      },
    });
  }

  /** Elements an accumulator holds. */
  private weigh(acc: A | typeof NO_ACC): number {
    if (acc === NO_ACC) return 0;
    return this.countsValues ? this.agg.held!(acc) : 1;
  }

  // --- input ------------------------------------------------------------------------------

  processElement(keyId: string | number, key: K, value: V, timestamp: Instant, windows: readonly BoundedWindow[]): void {
    const one = windows.length === 1;
    for (let i = 0; i < windows.length; i++) {
      const window = windows[i]!;
      if (window.constructor === IntervalWindow) {
        const iw = window as IntervalWindow;
        this.addInterval(keyId, key, value, timestamp, iw.start, iw.end, iw, one);
      } else this.addWindow(keyId, key, value, timestamp, window);
    }
  }

  /** An element in the one interval window [start, end), given as numbers: what a Window.into
   *  fused into the grouping assigns (no window object per element). */
  processInterval(keyId: string | number, key: K, value: V, timestamp: Instant, start: number, end: number): void {
    this.addInterval(keyId, key, value, timestamp, start, end, null, true);
  }

  private dropLate(key: K, value: V, timestamp: Instant, window: BoundedWindow): void {
    this.counters.droppedLate++;
    if (this.lateFn !== undefined) this.lateFn(key, value, timestamp, window);
  }

  private keyState(keyId: string | number, key: K): AnyKeyState<K, A> {
    const e = this.keys.get(keyId);
    if (e === undefined) {
      const ks = this.intervalMerging ? new IntervalKeyState<K, A>(keyId, key) : new KeyState<K, A>(keyId, key);
      this.keys.set(keyId, ks);
      return ks;
    }
    return e instanceof Win ? this.promote(e) : e;
  }

  /** The key state of a key mapped to its one window alone. */
  private promote(w: Win<K, A>): IntervalKeyState<K, A> {
    const ks = new IntervalKeyState<K, A>(w.id, w.key);
    ks.one = w;
    this.keys.set(w.id, ks);
    return ks;
  }

  /** The key state `w` belongs to (made, if `w` stands alone). */
  private stateOf(w: Win<K, A>): AnyKeyState<K, A> {
    const e = this.keys.get(w.id)!;
    return e instanceof Win ? this.promote(e) : e;
  }

  /** `window` is the window object when at hand (null: [start, end) is built when needed);
   *  `deferrable`: the element is in no other window. */
  private addInterval(keyId: string | number, key: K, value: V, timestamp: Instant, start: number, end: number, window: IntervalWindow | null, deferrable: boolean): void {
    const maxTs = end - 1;
    let gc = maxTs + this.lateness;
    if (gc > GMAX) gc = GMAX;
    if (gc < this.inputWm) {
      this.dropLate(key, value, timestamp, window ?? new IntervalWindow(start as Instant, end as Instant));
      return;
    }
    if (this.buckets !== null) {
      this.buckets.add(keyId, key, value, maxTs, start, window);
      return;
    }
    if (this.intervalMerging) {
      const e = this.keys.get(keyId);
      if (e === undefined) {
        this.addValue(this.newWin(null, keyId, key, null, maxTs, start, -1), value, timestamp as number, key);
        return;
      }
      const iks = e instanceof Win ? this.promote(e) : (e as IntervalKeyState<K, A>);
      if (this.deferring && deferrable && (iks.one !== null || iks.more !== null)) {
        // (A key state kept has windows; its first pending element found it so.)
        if (end - start !== this.pendingSpan) {
          // The log keeps one span (the sessions' gap): another one first merges what it holds.
          if (this.pendingKeys.length > 0) this.flushPending();
          this.pendingSpan = end - start;
        }
        const tail = iks.pTail;
        const now = this.pending!.append(tail, start, this.seq++, value);
        if (tail < 0) {
          this.pendingKeys.push(iks);
          this.pendingHeads.push(now);
        }
        iks.pTail = now;
        return;
      }
      const w = this.mergeInterval(iks, start, end, null, -1);
      if (w !== null) this.addValue(w, value, timestamp as number, key);
      return;
    }
    const ks = this.keyState(keyId, key);
    let w: Win<K, A> | null;
    if (this.merging) {
      w = this.mergeNew(ks as KeyState<K, A>, window ?? new IntervalWindow(start as Instant, end as Instant), maxTs);
      if (w === null) return;
    } else {
      w = ks.find(maxTs, start);
      if (w === null) w = this.newWin(ks, keyId, key, window, maxTs, start, -1);
      else if (w.closed) {
        this.counters.droppedClosed++;
        return;
      }
    }
    this.addValue(w, value, timestamp as number, key);
  }

  /** An element in a window other than an interval window (the global window). */
  private addWindow(keyId: string | number, key: K, value: V, timestamp: Instant, window: BoundedWindow): void {
    const maxTs = window.maxTimestamp() as number;
    let gc = maxTs + this.lateness;
    if (gc > GMAX) gc = GMAX;
    if (gc < this.inputWm) {
      this.dropLate(key, value, timestamp, window);
      return;
    }
    const start = startOf(window);
    if (this.buckets !== null) {
      this.buckets.add(keyId, key, value, maxTs, start, window);
      return;
    }
    const ks = this.keyState(keyId, key);
    let w: Win<K, A> | null;
    if (this.merging) {
      w = this.intervalMerging ? this.mergeInterval(ks as IntervalKeyState<K, A>, start, maxTs + 1, window, -1) : this.mergeNew(ks as KeyState<K, A>, window, maxTs);
      if (w === null) return;
    } else {
      w = ks.find(maxTs, start);
      if (w === null) w = this.newWin(ks, keyId, key, window, maxTs, start, -1);
      else if (w.closed) {
        this.counters.droppedClosed++;
        return;
      }
    }
    this.addValue(w, value, timestamp as number, key);
  }

  private addValue(w: Win<K, A>, value: V, ts: number, key: K): void {
    const agg = this.agg;
    if (w.acc === NO_ACC) {
      w.acc = agg.add(agg.create(), value);
      this.held++;
    } else {
      w.acc = agg.add(w.acc, value);
      if (this.countsValues) this.held++;
    }
    w.nonEmpty = true;
    // Holds (Beam's WatermarkHold.addHolds).
    if (!this.holdsAreTimers) {
      const elementHold = this.combiner === 0 ? w.maxTs : ts;
      if (elementHold < this.outputWm || w.maxTs < this.inputWm) this.addGcHold(w, false);
      else if (Number.isNaN(w.hold)) w.hold = elementHold;
      else if (this.combiner === 1) {
        if (elementHold < w.hold) w.hold = elementHold;
      } else if (this.combiner === 2) {
        if (elementHold > w.hold) w.hold = elementHold;
      } else w.hold = elementHold;
      this.syncHold(w);
    }
    // Triggers.
    if (this.machine !== null) {
      const c = this.ctxFor(w);
      this.machine.onElement(w.trig!, c, value, ts, key);
      this.markDirty(w);
    } else if (this.inputWm > w.maxTs) {
      this.markDirty(w); // late data under the default trigger: fires at the end of the bundle
    }
  }

  /** A new window of key `id` in key state `ks` (null: the key's only window, mapped to alone). */
  private newWin(ks: AnyKeyState<K, A> | null, id: string | number, key: K, window: BoundedWindow | null, maxTs: number, start: number, seq: number): Win<K, A> {
    const w = new Win<K, A>(seq >= 0 ? seq : this.seq++, id, key, maxTs, start);
    if (!this.holdsAreTimers) w.x = new WinExtra<K, A>();
    if (window !== null) w.window = window;
    if (ks === null) this.keys.set(id, w);
    else ks.add(w);
    this.liveWindows++;
    if (this.machine !== null) {
      w.trig = this.machine.newState();
      this.events.set(w, this.gcAt(maxTs)); // refined at the end of the bundle
    } else {
      this.setTimer(w, this.inputWm > maxTs ? this.gcAt(maxTs) : maxTs);
    }
    return w;
  }

  // --- merging ----------------------------------------------------------------------------

  /** Adds `window` to the key's active windows, merging; returns the window the element goes to
   *  (null if it was dropped for a closed window). */
  /**
   * Deferred merging. With sessions under the default trigger, END_OF_WINDOW and no lateness,
   * nothing an element does is observable before the end of the bundle (no trigger runs, no
   * hold other than the window ends, no pane): so an element for a key that already has windows
   * is only noted, and the key's noted elements are merged here, in arrival order, when the
   * reducer is next asked anything. A key's windows are then touched once per bundle rather
   * than once per element (on a backfill, the difference between cache misses and cache hits).
   * Each noted element carries the sequence number it would have created a window with, so
   * timer order, and hence pane order, is exactly that of merging on arrival.
   */
  private flushPending(): void {
    const list = this.pendingKeys;
    if (list.length === 0) return;
    const heads = this.pendingHeads;
    this.pendingKeys = [];
    this.pendingHeads = [];
    const log = this.pending!;
    const span = this.pendingSpan;
    this.flushing = true;
    // Windows created here get their timers once they survive the flush; they are collected
    // from each key's windows right after its elements, while those are still in cache.
    const fresh: Win<K, A>[] = [];
    try {
      // (A call per key, not one long loop: on a cold start the per-key work is optimized as a
      // function of its own after a few keys, instead of waiting for on-stack replacement.)
      for (let k = 0; k < list.length; k++) this.flushKey(list[k]!, heads[k]!, log, span, fresh);
    } finally {
      this.flushing = false;
      log.clear();
      for (let i = 0; i < fresh.length; i++) fresh[i]!.evIdx = -1;
      this.events.addAll(fresh);
    }
  }

  /** Merges one key's pending elements (in arrival order), noting the windows it made. */
  private flushKey(ks: IntervalKeyState<K, A>, head: number, log: PendingLog, span: number, fresh: Win<K, A>[]): void {
    ks.pTail = -1;
    for (let ch = head; ch >= 0; ch = log.nextChunk(ch)) {
      for (let slot = log.slot(ch), end = slot + log.count(ch); slot < end; slot++) {
        const start = log.start(slot);
        const w = this.mergeInterval(ks, start, start + span, null, log.seq(slot))!;
        this.addValue(w, log.value(slot) as V, start, ks.key);
      }
    }
    const act = ks.act;
    if (act === null) {
      const w = ks.one;
      if (w !== null && w.evIdx === FRESH) fresh.push(w);
    } else for (let i = 0; i < act.length; i++) if (act[i]!.evIdx === FRESH) fresh.push(act[i]!);
  }

  private mergeInterval(ks: IntervalKeyState<K, A>, start: number, end: number, window: BoundedWindow | null, seq: number): Win<K, A> | null {
    const maxTs = end - 1;
    let single: Win<K, A> | null = null;
    let parts: Win<K, A>[] | null = null;
    let at = -1;
    const act = ks.act;
    if (act === null) {
      const x = ks.one;
      if (x !== null && x.start < end && start < x.maxTs + 1) single = x;
    } else if (!ks.linear) {
      // The first active window ending after `start`, then every one starting before `end`.
      const st = ks.st!;
      const en = ks.en!;
      const n = en.length;
      let lo = 0;
      let hi = n;
      if (n > 0 && en[n - 1]! <= start) lo = n; // in-order input: past every window
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (en[mid]! <= start) lo = mid + 1;
        else hi = mid;
      }
      at = lo;
      for (let j = lo; j < n && st[j]! < end; j++) {
        const x = act[j]!;
        if (single === null) single = x;
        else (parts ??= [single]).push(x);
      }
    } else {
      for (let j = 0; j < act.length; j++) {
        const x = act[j]!;
        if (!(x.start < end && start < x.maxTs + 1)) continue;
        if (single === null) {
          single = x;
          at = j;
        } else (parts ??= [single]).push(x);
      }
    }
    if (single === null) {
      if (ks.tomb !== null && ks.find(maxTs, start) !== null) {
        // Only a closed window can have exactly this extent.
        this.counters.droppedClosed++;
        return null;
      }
      return this.newWin(ks, ks.id, ks.key, window === null || window.constructor === IntervalWindow ? null : window, maxTs, start, seq);
    }
    if (parts === null) {
      const sStart = single.start;
      const sEnd = single.maxTs + 1;
      if (sStart <= start && sEnd >= end) return single;
      const lo = sStart < start ? sStart : start;
      const hi = sEnd > end ? sEnd : end;
      if (this.machine === null) {
        if (at >= 0) ks.setExtent(at, lo, hi);
        return this.extend(single, lo, hi, window !== null && lo === start && hi === end && window.constructor !== IntervalWindow ? window : null);
      }
      const merged = lo === start && hi === end && window !== null ? window : new IntervalWindow(lo as Instant, hi as Instant);
      return this.applyMerge(ks, [single], merged);
    }
    let lo = start;
    let hi = end;
    for (const p of parts) {
      if (p.start < lo) lo = p.start;
      if (p.maxTs + 1 > hi) hi = p.maxTs + 1;
    }
    return this.applyMerge(ks, parts, new IntervalWindow(lo as Instant, hi as Instant));
  }

  /** A custom merging fn: ask it, over the active windows plus the new one. */
  private mergeNew(ks: KeyState<K, A>, window: BoundedWindow, maxTs: number): Win<K, A> | null {
    const start = startOf(window);
    const active = ks.all().filter((x) => !x.closed);
    let existing = active.find((x) => x.maxTs === maxTs && x.start === start) ?? null;
    if (existing === null && ks.find(maxTs, start) !== null) {
      this.counters.droppedClosed++;
      return null;
    }
    const windows = active.map((x) => x.window);
    if (existing === null) windows.push(window);
    const merges = this.windowFn.mergeWindows(windows);
    let home: Win<K, A> | null = existing;
    let newIsMerged = false;
    for (const m of merges) {
      const parts: Win<K, A>[] = [];
      let includesNew = false;
      for (const tw of m.toMerge) {
        const st = active.find((x) => x.window === tw || (x.maxTs === tw.maxTimestamp() && x.start === startOf(tw)));
        if (st) parts.push(st);
        else if (tw === window || (tw.maxTimestamp() === maxTs && startOf(tw) === start)) includesNew = true;
      }
      if (parts.length === 0) {
        if (includesNew) {
          home = this.newWin(ks, ks.id, ks.key, m.result, m.result.maxTimestamp(), startOf(m.result), -1);
          newIsMerged = true;
        }
        continue;
      }
      const merged = this.applyMerge(ks, parts, m.result);
      if (includesNew || (existing !== null && parts.includes(existing))) {
        home = merged;
        newIsMerged = true;
      }
    }
    if (home === null && !newIsMerged) home = this.newWin(ks, ks.id, ks.key, window, maxTs, start, -1);
    return home;
  }

  /** Default trigger: one session grows to `merged` (the common case, kept allocation-free). */
  private extend(w: Win<K, A>, lo: number, hi: number, window: BoundedWindow | null): Win<K, A> {
    // The window keeps its place among the key's sorted active windows.
    const maxTs = hi - 1;
    w.window = window;
    w.maxTs = maxTs;
    w.start = lo;
    if (!Number.isNaN(w.hold) && this.combiner === 0) w.hold = maxTs;
    if (!this.holdsAreTimers) {
      if (!Number.isNaN(w.extraHold)) {
        w.extraHold = NaN;
        this.addEowOrGcHold(w, false);
      }
      this.syncHold(w);
    }
    const late = this.inputWm > maxTs;
    this.setTimer(w, late ? this.gcAt(maxTs) : maxTs);
    if (late) this.markDirty(w);
    return w;
  }

  /** Sets the window's event timer — or, for a window created in this flush, only notes it. */
  private setTimer(w: Win<K, A>, t: number): void {
    if (w.evIdx === FRESH || (this.flushing && w.evIdx < 0)) {
      w.evIdx = FRESH;
      w.evTs = t;
    } else this.events.set(w, t);
  }

  /** Garbage-collection time of a window with max timestamp `maxTs`. */
  private gcAt(maxTs: number): number {
    const gc = maxTs + this.lateness;
    return gc > GMAX ? GMAX : gc;
  }

  /** Merges the states `parts` into one window `result` (reusing the first part's state). */
  private applyMerge(ks: AnyKeyState<K, A>, parts: Win<K, A>[], result: BoundedWindow): Win<K, A> {
    const target = parts[0]!;
    const maxTs = result.maxTimestamp() as number;
    const accs: A[] = [];
    let nonEmpty = false;
    let hold = NaN;
    let anyHold = false;
    let anyExtra = false;
    let paneIndex = 0;
    let lastNonSpec = -1;
    let lastTiming = T_NONE;
    for (const p of parts) {
      if (p.acc !== NO_ACC) accs.push(p.acc);
      nonEmpty ||= p.nonEmpty;
      if (!Number.isNaN(p.hold)) {
        anyHold = true;
        if (Number.isNaN(hold)) hold = p.hold;
        else if (this.combiner === 2) hold = Math.max(hold, p.hold);
        else hold = Math.min(hold, p.hold);
      }
      if (!Number.isNaN(p.extraHold)) anyExtra = true;
      if (p.paneIndex > paneIndex) paneIndex = p.paneIndex;
      if (p.lastNonSpec > lastNonSpec) lastNonSpec = p.lastNonSpec;
      if (p.lastTiming > lastTiming) lastTiming = p.lastTiming;
    }
    const trigStates = this.machine !== null ? parts.map((p) => p.trig!) : null;
    for (let i = 1; i < parts.length; i++) this.dispose(parts[i]!);
    // Re-key the target under its new extent (among sorted interval windows it keeps its place:
    // it absorbed every window between its old and new extent).
    const oldStart = target.start;
    if (ks instanceof KeyState) ks.remove(target);
    target.window = result;
    target.maxTs = maxTs;
    target.start = startOf(result);
    if (ks instanceof KeyState) ks.add(target);
    else {
      const i = ks.indexOf(target, oldStart);
      if (i >= 0) ks.setExtent(i, target.start, maxTs + 1);
    }
    this.held -= this.weigh(target.acc);
    target.acc = accs.length === 0 ? NO_ACC : accs.length === 1 ? accs[0]! : this.agg.merge(accs);
    this.held += this.weigh(target.acc);
    target.nonEmpty = nonEmpty;
    target.paneIndex = paneIndex;
    target.lastNonSpec = lastNonSpec;
    target.lastTiming = lastTiming;
    // Holds: END_OF_WINDOW holds move to the merged window's end; extra holds are re-placed.
    target.hold = anyHold ? (this.combiner === 0 ? maxTs : hold) : NaN;
    target.extraHold = NaN;
    if (!this.holdsAreTimers) {
      if (anyExtra || nonEmpty) this.addEowOrGcHold(target, false);
      this.syncHold(target);
    }
    if (this.machine !== null) {
      target.trig = this.machine.merge(trigStates!, this.ctxFor(target));
      this.markDirty(target);
      this.events.set(target, this.gcAt(maxTs));
    } else {
      this.setTimer(target, this.inputWm > maxTs ? this.gcAt(maxTs) : maxTs);
      if (this.inputWm > maxTs) this.markDirty(target);
    }
    return target;
  }

  // --- holds ------------------------------------------------------------------------------

  private addGcHold(w: Win<K, A>, paneIsEmpty: boolean): void {
    if (paneIsEmpty && !this.closingAlways) return;
    const gc = this.gcAt(w.maxTs);
    const gcHold = this.lateness > 0 ? gc - 1 : gc;
    if (gcHold < this.inputWm) return;
    if (Number.isNaN(w.extraHold) || gcHold < w.extraHold) w.extraHold = gcHold;
  }

  private addEowOrGcHold(w: Win<K, A>, paneIsEmpty: boolean): void {
    if (w.maxTs >= this.inputWm && !(paneIsEmpty && !this.onTimeAlways)) {
      if (Number.isNaN(w.extraHold) || w.maxTs < w.extraHold) w.extraHold = w.maxTs;
    } else {
      this.addGcHold(w, paneIsEmpty);
    }
  }

  private syncHold(w: Win<K, A>): void {
    const h = w.hold;
    const x = w.extraHold;
    const eff = Number.isNaN(h) ? x : Number.isNaN(x) ? h : h < x ? h : x;
    if (Number.isNaN(eff)) this.holds.remove(w);
    else this.holds.set(w, eff);
  }

  // --- time -------------------------------------------------------------------------------

  /** Evaluates triggers of the windows touched since the last call. Call at the end of a bundle. */
  finishBundle(): void {
    this.flushPending();
    const list = this.dirtyList;
    if (list.length === 0) return;
    this.dirtyList = [];
    for (let i = 0; i < list.length; i++) {
      const w = list[i]!;
      w.dirty = false;
      if (!w.alive) continue;
      if (!w.closed && this.shouldFire(w)) this.fire(w);
      if (w.alive) this.reschedule(w);
    }
  }

  advanceInputWatermark(wm: Instant): void {
    if (this.buckets !== null) {
      if (wm <= this.inputWm) return;
      this.inputWm = wm;
      this.buckets.fireBefore(wm);
      const top = this.buckets.topTime();
      const out = top < wm ? top : wm;
      if (out > this.outputWm) this.outputWm = out;
      return;
    }
    this.finishBundle();
    if (wm <= this.inputWm) return;
    this.inputWm = wm;
    // Past the end of the global window every window is collected: their keys' states go all
    // at once afterwards, instead of one window at a time in firing (not key) order.
    this.collectingAll = wm > GMAX;
    try {
      this.fireTimers(wm);
    } finally {
      if (this.collectingAll) {
        this.collectingAll = false;
        this.keys.clear();
      }
    }
    this.finishBundle();
    const hold = this.outputWatermarkHold() as number;
    const out = hold < wm ? hold : wm;
    if (out > this.outputWm) this.outputWm = out;
  }

  private fireTimers(wm: number): void {
    const events = this.events;
    const due = events.takeDue(wm);
    if (due !== null) {
      // Timers set while firing these (before `wm`) interleave in (time, seq) order.
      let i = 0;
      for (;;) {
        const d = i < due.length ? due.at(i) : undefined;
        const top = events.peek();
        if (top !== undefined && top.evTs < wm && (d === undefined || top.evTs < d.evTs || (top.evTs === d.evTs && top.seq < d.seq))) {
          this.onEventTimer(events.pop()!);
          continue;
        }
        if (d === undefined) break;
        i++;
        if (d.evIdx < 0) this.onEventTimer(d); // (one set again meanwhile fires from the heap)
      }
    }
    while (events.size > 0 && events.topTime() < wm) {
      const w = events.pop()!;
      this.onEventTimer(w);
    }
  }

  advanceProcessingTime(now: Instant): void {
    this.finishBundle();
    if (now > this.now) this.now = now;
    const procs = this.procs;
    while (procs.size > 0 && procs.topTime() <= this.now) {
      const w = procs.pop()!;
      if (!w.alive) continue;
      if (!w.closed && this.shouldFire(w)) this.fire(w);
      if (w.alive) this.reschedule(w);
    }
  }

  /** Input ended: the watermark goes to +∞, every window fires its last pane and is collected. */
  finish(): void {
    this.advanceInputWatermark(Instant.MAX);
  }

  outputWatermarkHold(): Instant {
    if (this.buckets !== null) {
      const t = this.buckets.topTime();
      return (t === Infinity ? Instant.MAX : t) as Instant;
    }
    this.flushPending();
    if (this.holdsAreTimers) {
      const t = this.events.topTime();
      return (t === Infinity ? Instant.MAX : t) as Instant;
    }
    const t = this.holds.topTime();
    return (t === Infinity ? Instant.MAX : t) as Instant;
  }

  nextProcessingTimeTimer(): Instant | undefined {
    const t = this.procs.topTime();
    return t === Infinity ? undefined : (t as Instant);
  }

  /** The input watermark as last advanced. */
  inputWatermark(): Instant {
    return this.inputWm as Instant;
  }

  /** The output watermark as the reducer sees it (input watermark held by buffered panes). */
  outputWatermark(): Instant {
    return this.outputWm as Instant;
  }

  /** Windows holding data or trigger state (tombstones of closed windows not counted). */
  openWindowCount(): number {
    if (this.buckets !== null) return this.buckets.size;
    this.flushPending();
    return this.liveWindows - this.tombstones;
  }

  /** Elements held in accumulators: values for a list aggregation (see `Aggregation.held`),
   *  otherwise one per accumulator. */
  heldElements(): number {
    this.flushPending();
    return this.held;
  }

  /** Closed windows kept as tombstones until garbage collection. */
  tombstoneCount(): number {
    this.flushPending();
    return this.tombstones;
  }

  /** For tests: what is stored for this key and window. */
  windowState(keyId: string | number, window: BoundedWindow): WindowStateKind {
    if (this.buckets !== null) return this.buckets.has(keyId, window.maxTimestamp(), startOf(window)) ? 'present' : 'absent';
    this.flushPending();
    const e = this.keys.get(keyId);
    const maxTs = window.maxTimestamp();
    const start = startOf(window);
    const w = e === undefined ? null : e instanceof Win ? (e.maxTs === maxTs && e.start === start ? e : null) : e.find(maxTs, start);
    if (w === null) return 'absent';
    return w.closed ? 'tombstone' : 'present';
  }

  // --- checkpoints ------------------------------------------------------------------------

  /**
   * The reducer's state as bytes (format in reducer-snapshot.ts), taken between bundles. Elements
   * noted for deferred merging are merged first (unobservable, see `flushPending`); every window
   * keeps its sequence number and heap times, and the windows waiting for their trigger are
   * listed in order, so a restored reducer emits what this one would have, in the same order.
   */
  snapshot(codec: ReducerCodec<K, A>): SnapshotBytes {
    this.flushPending();
    const out = new ReducerSnapshotWriter<K, A>(codec);
    const dirty: number[] = [];
    for (const w of this.dirtyList) if (w.alive) dirty.push(w.seq);
    out.header({ inputWm: this.inputWm, outputWm: this.outputWm, now: this.now, seq: this.seq, pendingSpan: this.pendingSpan, ...this.counters }, dirty);
    this.buckets?.forEach((key, acc, maxTs, start, window) => out.bucketWindow(key, acc, maxTs, start, window));
    const rec = newWinRecord<A>();
    const extra = newExtraRecord();
    for (const e of this.keys.values()) {
      const k = newKeyRecord<K>(e.key);
      let active: readonly Win<K, A>[];
      let tombs: readonly Win<K, A>[] = [];
      if (e instanceof Win) {
        active = [e];
      } else if (e instanceof IntervalKeyState) {
        const act = e.act;
        active = act ?? (e.one !== null ? [e.one] : []);
        tombs = e.tomb ?? [];
        k.layout = act !== null ? KeyLayout.IntervalMany : KeyLayout.IntervalOne;
        k.linear = e.linear;
        k.hasMore = e.more !== null;
        k.starts = e.st;
        k.ends = e.en;
      } else {
        active = e.all();
        k.layout = e.map !== null ? KeyLayout.Map : KeyLayout.One;
      }
      k.active = active.length;
      k.tombs = tombs.length;
      out.key(k);
      for (const w of active) out.window(this.record(w, rec, extra));
      for (const w of tombs) out.window(this.record(w, rec, extra));
    }
    return out.finish();
  }

  private record(w: Win<K, A>, r: WinRecord<A>, extra: ExtraRecord): WinRecord<A> {
    r.seq = w.seq;
    r.maxTs = w.maxTs;
    r.start = w.start;
    r.f = w.f & ~F_DIRTY;
    r.hasAcc = w.acc !== NO_ACC;
    r.acc = w.acc === NO_ACC ? undefined : w.acc;
    r.evTs = w.evIdx >= 0 ? w.evTs : NaN;
    r.procTs = this.procs.queuedAt(w);
    r.holdTs = this.holds.queuedAt(w);
    const x = w.x;
    r.extra = x === null ? null : extra;
    if (x !== null) {
      extra.hold = x.hold;
      extra.extraHold = x.extraHold;
      extra.paneIndex = x.paneIndex;
      extra.lastNonSpec = x.lastNonSpec;
      // An interval window is rebuilt from the numbers.
      extra.window = x.w !== null && x.w.constructor !== IntervalWindow ? x.w : null;
      extra.trig = x.trig;
    }
    return r;
  }

  /** Puts back what `snapshot` saved, into a reducer (of the same strategy) that has seen nothing. */
  restore(state: unknown, codec: ReducerCodec<K, A>, owner: string): void {
    if (this.liveWindows > 0 || this.seq > 0 || (this.buckets !== null && this.buckets.size > 0)) {
      throw new Error(`the grouping "${owner}" has state already: a checkpoint is restored before any element`);
    }
    // Windows waiting for their trigger, found by sequence number as they come back.
    let dirty: readonly number[] = [];
    let dirtySeqs: Set<number> | null = null;
    const dirtyWins = new Map<number, Win<K, A>>();
    const timed: Win<K, A>[] = [];
    readReducerSnapshot<K, A, Win<K, A>>(snapshotReader(state, REDUCER_FORMAT, owner), codec, {
      header: (h, d) => {
        this.inputWm = h.inputWm;
        this.outputWm = h.outputWm;
        this.now = h.now;
        this.seq = h.seq;
        this.pendingSpan = h.pendingSpan;
        this.counters.droppedLate = h.droppedLate;
        this.counters.droppedClosed = h.droppedClosed;
        this.counters.panes = h.panes;
        dirty = d;
        if (d.length > 0) dirtySeqs = new Set(d);
      },
      bucketWindow: (keyId, key, acc, maxTs, start, window) => {
        if (this.buckets === null) throw new Error(`the checkpoint of "${owner}" was taken with another windowing strategy`);
        this.buckets.restore(keyId, key, acc, maxTs, start, window);
        this.held += this.weigh(acc);
      },
      window: (id, key, r) => {
        const w = this.revive(id, key, r, timed);
        if (dirtySeqs !== null && dirtySeqs.has(r.seq)) dirtyWins.set(r.seq, w);
        return w;
      },
      key: (id, k, wins) => {
        this.keys.set(id, this.keyEntry(id, k, wins));
      },
    });
    for (const s of dirty) this.markDirty(dirtyWins.get(s)!);
    this.events.addAll(timed);
  }

  private revive(id: string | number, key: K, r: WinRecord<A>, timed: Win<K, A>[]): Win<K, A> {
    const w = new Win<K, A>(r.seq, id, key, r.maxTs, r.start);
    w.f = r.f;
    if (r.hasAcc) {
      w.acc = r.acc as A;
      this.held += this.weigh(w.acc);
    }
    const x = r.extra;
    if (x !== null) {
      const e = (w.x = new WinExtra<K, A>());
      e.hold = x.hold;
      e.extraHold = x.extraHold;
      e.paneIndex = x.paneIndex;
      e.lastNonSpec = x.lastNonSpec;
      e.w = x.window;
      e.trig = x.trig;
    }
    this.liveWindows++;
    if (w.closed) this.tombstones++;
    if (!Number.isNaN(r.evTs)) {
      w.evTs = r.evTs;
      timed.push(w);
    }
    if (!Number.isNaN(r.procTs)) this.procs.set(w, r.procTs);
    if (!Number.isNaN(r.holdTs)) this.holds.set(w, r.holdTs);
    return w;
  }

  /** A key's entry, laid out as it was when saved (`wins` is reused by the caller). */
  private keyEntry(id: string | number, k: KeyRecord<K>, wins: readonly Win<K, A>[]): KeyEntry<K, A> {
    switch (k.layout) {
      case KeyLayout.Alone:
        return wins[0]!;
      case KeyLayout.IntervalOne:
      case KeyLayout.IntervalMany: {
        const ks = new IntervalKeyState<K, A>(id, k.key);
        if (k.hasMore) {
          const m = (ks.more = new IntervalMore<K, A>());
          m.linear = k.linear;
          if (k.tombs > 0) m.tomb = wins.slice(k.active);
          if (k.layout === KeyLayout.IntervalMany) {
            m.act = wins.slice(0, k.active);
            m.st = k.starts!.slice();
            m.en = k.ends!.slice();
          }
        }
        if (k.layout === KeyLayout.IntervalOne) ks.one = k.active > 0 ? wins[0]! : null;
        return ks;
      }
      case KeyLayout.One:
      case KeyLayout.Map: {
        const ks = new KeyState<K, A>(id, k.key);
        ks.size = wins.length;
        if (k.layout === KeyLayout.One) {
          ks.one = wins[0]!;
          return ks;
        }
        // Same-end chains in the order they were walked (map order, head first).
        const map = (ks.map = new Map<number, Win<K, A>>());
        const tails = new Map<number, Win<K, A>>();
        for (const w of wins) {
          const tail = tails.get(w.maxTs);
          if (tail === undefined) map.set(w.maxTs, w);
          else tail.nextSame = w;
          tails.set(w.maxTs, w);
        }
        return ks;
      }
    }
  }

  // --- firing -----------------------------------------------------------------------------

  private ctxFor(w: Win<K, A>): TriggerContext {
    const c = this.ctx;
    c.wm = this.inputWm;
    c.now = this.now;
    c.maxTs = w.maxTs;
    return c;
  }

  private shouldFire(w: Win<K, A>): boolean {
    if (this.machine === null) return this.inputWm > w.maxTs;
    return this.machine.shouldFire(w.trig!, this.ctxFor(w));
  }

  private markDirty(w: Win<K, A>): void {
    if (w.dirty) return;
    w.dirty = true;
    this.dirtyList.push(w);
  }

  private onEventTimer(w: Win<K, A>): void {
    if (!w.alive) return;
    if (this.inputWm > this.gcAt(w.maxTs)) {
      // Garbage collection: the last pane (if there is something to say), then nothing is kept.
      if (!w.closed) this.onTrigger(w, true);
      this.dispose(w);
      return;
    }
    if (!w.closed && this.shouldFire(w)) this.fire(w);
    if (w.alive) this.reschedule(w);
  }

  /** Beam's emit: tell the trigger it fired, produce the pane, discard or close. */
  private fire(w: Win<K, A>): void {
    let finished = false;
    if (this.machine !== null) {
      this.machine.onFire(w.trig!, this.ctxFor(w));
      finished = this.machine.isFinished(w.trig!);
    }
    this.onTrigger(w, finished);
    w.nonEmpty = false;
    if (this.discarding || finished) {
      this.held -= this.weigh(w.acc);
      w.acc = NO_ACC;
    }
    if (finished) {
      const ks = this.stateOf(w);
      if (ks instanceof IntervalKeyState) {
        ks.remove(w); // to the tombstones
        w.closed = true;
        ks.add(w);
      } else w.closed = true;
      this.tombstones++;
      w.hold = NaN;
      w.extraHold = NaN;
      if (!this.holdsAreTimers) this.holds.remove(w);
      this.procs.remove(w);
      this.events.set(w, this.gcAt(w.maxTs)); // the tombstone stays until garbage collection
    }
  }

  /** Beam's onTrigger: output timestamp from the holds, pane info, and the output itself. */
  private onTrigger(w: Win<K, A>, isFinished: boolean): void {
    // Extract and release the holds.
    let ts: number;
    if (this.holdsAreTimers) {
      ts = w.maxTs;
      w.hold = NaN;
    } else {
      const h = w.hold;
      const x = w.extraHold;
      // An extra hold past the window's end is a garbage-collection hold: the output is then at
      // the window's end (element holds of the supported combiners are never past it).
      const xe = Number.isNaN(x) || x > w.maxTs ? w.maxTs : x;
      ts = Number.isNaN(h) ? xe : Number.isNaN(x) || h < x ? h : xe;
      w.hold = NaN;
      w.extraHold = NaN;
      if (!isFinished) this.addEowOrGcHold(w, true);
      this.syncHold(w);
    }
    const isEmpty = !w.nonEmpty;
    if (isEmpty && !this.closingAlways && !this.onTimeAlways) return;

    // Pane info (Beam's PaneInfoTracker).
    const isFirst = w.paneIndex === 0;
    let nonSpec = isFirst ? 0 : w.lastNonSpec + 1;
    let timing: number;
    if (w.maxTs < this.outputWm || (w.lastTiming !== T_NONE && w.lastTiming !== T_EARLY)) timing = T_LATE;
    else if (!(this.inputWm > w.maxTs)) {
      timing = T_EARLY;
      nonSpec = -1;
    } else timing = T_ON_TIME;

    const needToEmit =
      !isEmpty || (timing === T_ON_TIME && this.onTimeAlways) || (isFinished && this.closingAlways);
    if (!needToEmit) return;
    const pane: PaneInfo =
      isFirst && isFinished && timing === T_ON_TIME
        ? ONLY_PANE
        : { isFirst, isLast: isFinished, timing: TIMING_NAMES[timing]!, index: w.paneIndex, onTimeIndex: nonSpec };
    if (!isFinished) {
      // (After its last pane a window never fires again: nothing to count.)
      w.paneIndex++;
      w.lastNonSpec = nonSpec;
    }
    w.lastTiming = timing;
    this.counters.panes++;
    const acc = w.acc === NO_ACC ? this.agg.create() : w.acc;
    const kept = !this.discarding && !isFinished && this.agg.extractKept !== undefined;
    this.emitFn(w.key, kept ? this.agg.extractKept!(acc) : this.agg.extract(acc), ts as Instant, w.window, pane);
  }

  /** Puts the window's timers where its trigger and garbage collection need them. */
  private reschedule(w: Win<K, A>): void {
    const gc = this.gcAt(w.maxTs);
    if (w.closed) {
      this.events.set(w, gc);
      return;
    }
    let next = gc;
    if (this.machine === null) {
      if (w.maxTs >= this.inputWm && w.maxTs < next) next = w.maxTs;
    } else {
      const c = this.ctxFor(w);
      const t = this.machine.nextEventTime(w.trig!, c);
      if (t < next) next = t;
      if (this.machine.usesProcessingTime) {
        const p = this.machine.nextProcessingTime(w.trig!);
        if (Number.isNaN(p)) this.procs.remove(w);
        else this.procs.set(w, p);
      }
    }
    this.events.set(w, next);
  }

  private dispose(w: Win<K, A>): void {
    if (!w.alive) return;
    w.alive = false;
    this.liveWindows--;
    if (w.closed) this.tombstones--;
    this.events.remove(w);
    this.procs.remove(w);
    this.holds.remove(w);
    if (!this.collectingAll) {
      const e = this.keys.get(w.id);
      if (e === w) this.keys.delete(w.id);
      else if (e !== undefined && !(e instanceof Win)) {
        e.remove(w);
        if (e.size === 0) this.keys.delete(w.id);
      }
    }
    this.held -= this.weigh(w.acc);
    w.acc = NO_ACC;
    w.trig = null;
  }
}
