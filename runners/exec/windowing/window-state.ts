/**
 * The state the reducer keeps for one window of one key. A fixed shape with few fields and no
 * closures: with many windows open, what each window state costs is most of what the reducer
 * holds (seven fields, 80 bytes on 64-bit Node; a sessions key's only window under the default
 * path has none: see lone-windows.ts). What only the paths off the default one need (holds,
 * trigger state, heap slots, pane bookkeeping, an event timer other than the window's end) lives
 * in a `WindowExtras` made on first use — kept in the accumulator's field, the accumulator then
 * moving into it — and an interval window object is built only when a pane is emitted.
 */
import type { Instant } from '../../../sdk/time/instant.js';
import { IntervalWindow, type BoundedWindow } from '../../../sdk/window/bounded-window.js';
import type { HeapEntry } from './timer-heap.js';
import type { TriggerState } from './trigger-machine.js';
import { PaneTimingCode } from './pane-tracker.js';

/** The accumulator of a window holding no value. */
export const NO_ACC: unique symbol = Symbol('no accumulator');
export type NoAcc = typeof NO_ACC;

/** `eventSlot` of a window created while deferred sessions are merged, whose timer is not in the
 *  heap yet (see `DeferredSessions`). */
export const TIMER_DEFERRED = -2;

// `flags` bits; the last pane timing sits above them, and ABSOLUTE above that.
const NON_EMPTY = 1;
const CLOSED = 2;
const DIRTY = 4;
const ALIVE = 8;
const TIMING_SHIFT = 4;
const TIMING_MASK = 0xf << TIMING_SHIFT;
/** The window's times are kept as they are, not as offsets (see `offsetOf`). */
const ABSOLUTE = 0x100;
/** The accumulator's field holds the `WindowExtras` (and they the accumulator). */
const EXTRAS = 0x200;
/** The event-timer time is `WindowExtras.eventTime`; without this bit it is the max timestamp. */
const EVENT_APART = 0x400;
/** Where this process keeps things (see the bits above), not what a checkpoint keeps. */
const LAYOUT = ABSOLUTE | EXTRAS | EVENT_APART;
/** Flag bits a checkpoint keeps (every saved window is alive; the dirty ones are listed; how the
 *  state is laid out is this process's business). */
export const SAVED_FLAGS_MASK = ~(DIRTY | LAYOUT);

/**
 * Where window times are counted from: the first ordinary time (a safe integer) any window of
 * this process was given; NaN until then. Fixed once set, so an offset stays valid.
 *
 * Why: on 64-bit Node without pointer compression a number field that ever holds something other
 * than a small integer is kept boxed (16 bytes more per field per object), and epoch
 * milliseconds are never small integers. Offsets from one origin are, for times within ±24 days
 * of it: on open sessions that is two or three boxes of the ~220 bytes a window costs.
 */
let origin = NaN;

/** `t` less the origin as a small integer, or NaN when it is not one (a fraction, a time more
 *  than 2^31 ms from the origin, an infinity, the global window's bounds). */
function offsetOf(t: number): number {
  if (origin !== origin) {
    if (!Number.isSafeInteger(t) || t > 2 ** 50 || t < -(2 ** 50)) return NaN;
    origin = t;
  }
  const r = t - origin;
  // (`| 0` makes the stored value a small integer even when it was computed as a double.)
  return (r | 0) === r ? r | 0 : NaN;
}

/** State a window needs only off the default path (see the file comment). */
export class WindowExtras<K, A> {
  /** The window's accumulator (see `WindowState.acc`). */
  acc: A | NoAcc = NO_ACC;
  /** The event-timer time, when it is not the max timestamp (see `WindowState.eventTime`). */
  eventTime = NaN;
  /** Element hold (per the timestamp combiner), NaN: none. */
  elementHold = NaN;
  /** End-of-window or garbage-collection hold, NaN: none. */
  endOrGcHold = NaN;
  /** Positions in the processing-timer and hold heaps, −1: not there. */
  procSlot = -1;
  holdSlot = -1;
  trigger: TriggerState | null = null;
  paneIndex = 0;
  /** On-time index of the last pane that was not early, −1: none. */
  lastOnTimeIndex = -1;
  /** The window; null: the interval window [start, maxTs + 1). */
  window: BoundedWindow | null = null;
  /** Next window of the same key with the same max timestamp (different start). */
  nextSameEnd: WindowState<K, A> | null = null;
}

export class WindowState<K, A> implements HeapEntry {
  // The window's start and max timestamp: offsets from `origin`, or with ABSOLUTE set the times
  // themselves (see `offsetOf`). Only ever small integers unless some window of the process had
  // to keep its times as they are.
  private s = 0;
  private m = 0;
  eventSlot = -1;
  /** The accumulator, or with EXTRAS set the `WindowExtras` (which then hold it). */
  private ax: A | NoAcc | WindowExtras<K, A> = NO_ACC;
  /** Flag bits, the last pane's timing above them, and the LAYOUT bits. */
  flags = ALIVE;
  /** Makes a window state; `windowState` picks the class. */
  constructor(
    /** Creation order: breaks ties between timers of the same time. */
    readonly seq: number,
    /** The key; its other windows, if any, are in the key state the reducer maps its grouping
     *  id to (`id`). */
    readonly key: K,
    maxTs: number,
    start: number,
  ) {
    this.moveEnd(maxTs);
    this.start = start;
  }

  /** The key's grouping id: the key itself here (see `WideWindowState`). */
  get id(): string | number {
    return this.key as string | number;
  }

  get start(): number {
    return this.timeOf(this.s);
  }
  set start(t: number) {
    this.s = this.stored(t);
  }
  get maxTs(): number {
    return this.timeOf(this.m);
  }
  set maxTs(t: number) {
    const old = this.maxTs;
    this.m = this.stored(t);
    // The event timer stays where it was (kept apart from now on).
    if ((this.flags & EVENT_APART) === 0 && t !== old) this.eventTime = old;
  }
  /** Sets the max timestamp, the event-timer time moving along with it unless kept apart: for
   *  a window that grows and has its timer set right after (no extras made on the way). */
  moveEnd(t: number): void {
    this.m = this.stored(t);
  }
  /** True event-timer time (the event heap's key may lag behind it; see timer-heap.ts): the max
   *  timestamp — on the default path always — or a time kept in the extras. */
  get eventTime(): number {
    return (this.flags & EVENT_APART) === 0 ? this.maxTs : (this.ax as WindowExtras<K, A>).eventTime;
  }
  set eventTime(t: number) {
    if ((this.flags & EVENT_APART) !== 0) (this.ax as WindowExtras<K, A>).eventTime = t;
    else if (t !== this.maxTs) {
      this.extra().eventTime = t;
      this.flags |= EVENT_APART;
    }
  }
  /** The accumulator (NO_ACC: none). */
  get acc(): A | NoAcc {
    return (this.flags & EXTRAS) === 0 ? (this.ax as A | NoAcc) : (this.ax as WindowExtras<K, A>).acc;
  }
  set acc(a: A | NoAcc) {
    if ((this.flags & EXTRAS) === 0) this.ax = a;
    else (this.ax as WindowExtras<K, A>).acc = a;
  }
  /** Null on the default path (see the file comment); `extra()` makes them. */
  get extras(): WindowExtras<K, A> | null {
    return (this.flags & EXTRAS) === 0 ? null : (this.ax as WindowExtras<K, A>);
  }

  /** A time from what is kept of it. */
  private timeOf(kept: number): number {
    return (this.flags & ABSOLUTE) === 0 ? kept + origin : kept;
  }
  /** What is kept of time `t` (its offset where it can; from then on the times themselves). */
  private stored(t: number): number {
    if ((this.flags & ABSOLUTE) === 0) {
      const r = offsetOf(t);
      if (r === r) return r;
      this.keepAbsolute();
    }
    return t;
  }
  /** From now on the times are kept as they are. */
  private keepAbsolute(): void {
    const o = origin;
    const s = this.s + o;
    const m = this.m + o;
    this.flags |= ABSOLUTE;
    this.s = s;
    this.m = m;
  }

  /** Flags as a checkpoint saved them (see SAVED_FLAGS_MASK). */
  restoreFlags(saved: number): void {
    this.flags = (saved & SAVED_FLAGS_MASK) | (this.flags & LAYOUT);
  }

  /** Arrival stamp of the newest input (arrival-clock.ts); −1: none known. Kept only by a
   *  `WideWindowState`. */
  get arrived(): number {
    return -1;
  }
  set arrived(_: number) {}

  /** The extras, made if there are none (the accumulator moves into them). */
  extra(): WindowExtras<K, A> {
    if ((this.flags & EXTRAS) !== 0) return this.ax as WindowExtras<K, A>;
    const x = new WindowExtras<K, A>();
    x.acc = this.ax as A | NoAcc;
    this.ax = x;
    this.flags |= EXTRAS;
    return x;
  }

  get window(): BoundedWindow {
    const x = this.extras;
    if (x === null) return new IntervalWindow(this.start as Instant, (this.maxTs + 1) as Instant);
    return (x.window ??= new IntervalWindow(this.start as Instant, (this.maxTs + 1) as Instant));
  }
  /** Null, or an interval window (rebuilt from start and max timestamp): nothing to keep. */
  set window(w: BoundedWindow | null) {
    if (w === null || w.constructor === IntervalWindow) {
      if (this.extras !== null) this.extras.window = null;
    } else this.extra().window = w;
  }
  get paneIndex(): number {
    return this.extras === null ? 0 : this.extras.paneIndex;
  }
  set paneIndex(i: number) {
    if (this.extras !== null || i !== 0) this.extra().paneIndex = i;
  }
  get lastOnTimeIndex(): number {
    return this.extras === null ? -1 : this.extras.lastOnTimeIndex;
  }
  set lastOnTimeIndex(i: number) {
    if (this.extras !== null || i !== -1) this.extra().lastOnTimeIndex = i;
  }
  get nextSameEnd(): WindowState<K, A> | null {
    return this.extras === null ? null : this.extras.nextSameEnd;
  }
  set nextSameEnd(w: WindowState<K, A> | null) {
    if (this.extras !== null || w !== null) this.extra().nextSameEnd = w;
  }
  /** Holds data not emitted yet. */
  get nonEmpty(): boolean {
    return (this.flags & NON_EMPTY) !== 0;
  }
  set nonEmpty(b: boolean) {
    this.flags = b ? this.flags | NON_EMPTY : this.flags & ~NON_EMPTY;
  }
  /** Its trigger finished: a tombstone until garbage collection. */
  get closed(): boolean {
    return (this.flags & CLOSED) !== 0;
  }
  set closed(b: boolean) {
    this.flags = b ? this.flags | CLOSED : this.flags & ~CLOSED;
  }
  /** Waiting for its trigger to be evaluated at the end of the bundle. */
  get dirty(): boolean {
    return (this.flags & DIRTY) !== 0;
  }
  set dirty(b: boolean) {
    this.flags = b ? this.flags | DIRTY : this.flags & ~DIRTY;
  }
  /** Not merged away or collected. */
  get alive(): boolean {
    return (this.flags & ALIVE) !== 0;
  }
  set alive(b: boolean) {
    this.flags = b ? this.flags | ALIVE : this.flags & ~ALIVE;
  }
  get lastTiming(): PaneTimingCode {
    return ((this.flags & TIMING_MASK) >> TIMING_SHIFT) as PaneTimingCode;
  }
  set lastTiming(t: PaneTimingCode) {
    this.flags = (this.flags & ~TIMING_MASK) | (t << TIMING_SHIFT);
  }
  get elementHold(): number {
    return this.extras === null ? NaN : this.extras.elementHold;
  }
  set elementHold(h: number) {
    if (this.extras !== null) this.extras.elementHold = h;
  }
  get endOrGcHold(): number {
    return this.extras === null ? NaN : this.extras.endOrGcHold;
  }
  set endOrGcHold(h: number) {
    if (this.extras !== null) this.extras.endOrGcHold = h;
  }
  get trigger(): TriggerState | null {
    return this.extras === null ? null : this.extras.trigger;
  }
  set trigger(t: TriggerState | null) {
    if (this.extras !== null) this.extras.trigger = t;
  }
}

/** A window state that keeps its key's grouping id apart from the key (an encoded key) and its
 *  arrival stamp. The common window (a string or number key, which is its own id, and no
 *  arrival clock) is a `WindowState`: 16 bytes less per window. */
export class WideWindowState<K, A> extends WindowState<K, A> {
  private stamp = -1;
  constructor(
    seq: number,
    private readonly keyId: string | number,
    key: K,
    maxTs: number,
    start: number,
  ) {
    super(seq, key, maxTs, start);
  }
  override get id(): string | number {
    return this.keyId;
  }
  override get arrived(): number {
    return this.stamp;
  }
  override set arrived(t: number) {
    this.stamp = t;
  }
}

/** A window state of key `key` (grouping id `id`): the lean kind where it can be. */
export function windowState<K, A>(seq: number, id: string | number, key: K, maxTs: number, start: number, arrivals: boolean): WindowState<K, A> {
  return !arrivals && (id as unknown) === key ? new WindowState<K, A>(seq, key, maxTs, start) : new WideWindowState<K, A>(seq, id, key, maxTs, start);
}

/** The start of `w` as the reducer files it (−∞ for a window that is not an interval window). */
export function startOf(w: BoundedWindow): number {
  return w instanceof IntervalWindow ? w.start : -Infinity;
}
