/**
 * The reducer's general path: every windowing strategy the bucket path does not take — merging
 * windows (sessions, custom merging fns), triggers other than the default, allowed lateness,
 * timestamp combiners other than END_OF_WINDOW. It keeps one `WindowState` per window of each
 * key, an event-timer heap (end of window, trigger deadlines, garbage collection), a
 * processing-timer heap, and the output watermark holds.
 *
 * This file routes input to windows and drives time and firing; what each step obeys lives
 * beside it: `GarbageCollection` (when a window expires), `WatermarkHolds` (output timestamps and
 * holds), `PaneTracker` (pane info), `Accumulation` (values into accumulators), `WindowMerging`
 * (merging windows), `DeferredSessions` (sessions merged once per bundle), `engine-checkpoint.ts`.
 *
 * Under the default trigger with END_OF_WINDOW and no lateness (sessions, mostly) there are no
 * holds other than window ends: the event-timer heap then answers for the hold, window states
 * carry no `WindowExtras`, and a key with one session is mapped to that window alone — without
 * an arrival clock, to a slot of `LoneWindows` (columns, no object per window: lone-windows.ts)
 * until the window fires or the key gets a second element.
 *
 * Fields are not private: the helpers above read and update them; nothing outside this folder
 * sees the engine (`KeyedWindowReducer` is its face).
 */
import { Instant } from '../../../sdk/time/instant.js';
import { GLOBAL_WINDOW_MAX, IntervalWindow, type BoundedWindow } from '../../../sdk/window/bounded-window.js';
import { DefaultTrigger } from '../../../sdk/trigger/default.js';
import type { SnapshotBytes } from '../snapshot-bytes.js';
import { Accumulation } from './accumulation.js';
import { DeferredSessions } from './deferred-sessions.js';
import { restoreEngine, snapshotEngine } from './engine-checkpoint.js';
import { GarbageCollection } from './garbage-collection.js';
import { KeyWindows } from './key-windows.js';
import { LoneWindows } from './lone-windows.js';
import { PaneTimingCode, PaneTracker, type PaneHistory } from './pane-tracker.js';
import type { KeyedWindowReducerOptions, ReducerCounters, ReducerPath, WindowStateKind } from './reducer-path.js';
import type { ReducerCodec } from './reducer-snapshot.js';
import { SessionKeyWindows } from './session-key-windows.js';
import { EventTimerHeap, ProcessingTimerHeap, type Timed } from './timer-heap.js';
import { TriggerMachine, type TriggerContext } from './trigger-machine.js';
import { HoldCombiner, WatermarkHolds, holdCombinerOf } from './watermark-holds.js';
import { WindowMerging } from './window-merging.js';
import { NO_ACC, TIMER_DEFERRED, WindowState, startOf, windowState } from './window-state.js';
import { NO_ARRIVALS, type ArrivalClock } from '../arrival-clock.js';

const GMAX = GLOBAL_WINDOW_MAX as number;
/** Due timers whose windows are read ahead of their firing at a time (a power of two). */
const WARM_AHEAD = 32;

export type AnyKeyWindows<K, A> = KeyWindows<K, A> | SessionKeyWindows<K, A>;
/** What the engine maps a key to: its windows, or — a sessions key with one window and nothing
 *  else, the usual open session — that window alone, or its slot in `LoneWindows` (a number). */
export type KeyEntry<K, A> = AnyKeyWindows<K, A> | WindowState<K, A> | number;

export class WindowEngine<K, V, A, O> implements ReducerPath<K, V, A> {
  readonly counters: ReducerCounters = { droppedLate: 0, droppedClosed: 0, panes: 0 };

  readonly keys = new Map<string | number, KeyEntry<K, A>>();
  readonly events = new EventTimerHeap<WindowState<K, A>>();
  readonly procs = new ProcessingTimerHeap<WindowState<K, A>>();
  /** Null when every hold is its window's event timer (see the file comment). */
  readonly holds: WatermarkHolds<K, A> | null;
  /** Windows whose trigger is evaluated at the end of the bundle, in the order they were touched. */
  dirtyList: WindowState<K, A>[] = [];
  /** Next window sequence number. */
  seq = 0;
  liveWindows = 0;
  tombstones = 0;

  inputWm: number = Instant.MIN;
  outputWm: number = Instant.MIN;
  now: number;

  readonly acc: Accumulation<V, A, O>;
  readonly gc: GarbageCollection;
  readonly machine: TriggerMachine | null;
  /** Null for windows that do not merge. */
  readonly merging: WindowMerging<K, V, A, O> | null;
  /** Null unless sessions are merged once per bundle (see `DeferredSessions`). */
  readonly deferred: DeferredSessions<K, V, A, O> | null;
  /** Windows of keys mapped to a slot (see the file comment); null: no key is. */
  readonly lone: LoneWindows<K, A> | null;
  /** While deferred sessions are merged: windows created get their timers once that is over. */
  timersDeferred = false;

  private readonly panes: PaneTracker;
  private readonly emitFn: KeyedWindowReducerOptions<K, V, A, O>['emit'];
  readonly arrivals: ArrivalClock;
  private readonly lateFn: KeyedWindowReducerOptions<K, V, A, O>['late'];
  private readonly intervalMerging: boolean;
  private readonly discarding: boolean;
  private readonly ctx: TriggerContext = { wm: Instant.MIN, now: 0, maxTs: 0 };
  /** Firing at a watermark that collects every window (see `advanceInputWatermark`). */
  private collectingAll = false;
  /** The pane history of a lone window being fired (it has none: its first pane is its last). */
  private readonly loneHistory: { -readonly [F in keyof PaneHistory]: PaneHistory[F] } = { maxTs: 0, paneIndex: 0, lastOnTimeIndex: -1, lastTiming: PaneTimingCode.NONE };

  constructor(opts: KeyedWindowReducerOptions<K, V, A, O>) {
    const s = opts.strategy;
    this.emitFn = opts.emit;
    this.arrivals = opts.arrivals ?? NO_ARRIVALS;
    this.lateFn = opts.late;
    this.acc = new Accumulation(opts.aggregation);
    this.gc = new GarbageCollection(s.allowedLateness);
    this.panes = new PaneTracker(s.onTimeBehavior === 'FIRE_ALWAYS', s.closingBehavior === 'FIRE_ALWAYS');
    this.machine = s.trigger instanceof DefaultTrigger ? null : new TriggerMachine(s.trigger);
    this.intervalMerging = s.windowFn.mergesOverlappingIntervals;
    this.discarding = s.accumulationMode === 'DISCARDING';
    const combiner = holdCombinerOf(s.timestampCombiner);
    const holdsAreTimers = this.machine === null && combiner === HoldCombiner.END_OF_WINDOW && s.allowedLateness === 0;
    this.holds = holdsAreTimers ? null : new WatermarkHolds(combiner, this.gc, s.onTimeBehavior === 'FIRE_ALWAYS', s.closingBehavior === 'FIRE_ALWAYS');
    this.merging = s.windowFn.isMerging ? new WindowMerging(this, s.windowFn) : null;
    this.deferred = holdsAreTimers && this.intervalMerging ? new DeferredSessions(this) : null;
    this.lone = this.deferred !== null && this.arrivals === NO_ARRIVALS ? new LoneWindows<K, A>() : null;
    this.events.lone = this.lone as LoneWindows<unknown, unknown> | null;
    this.now = opts.initialProcessingTime ?? 0;
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

  processInterval(keyId: string | number, key: K, value: V, timestamp: Instant, start: number, end: number): void {
    this.addInterval(keyId, key, value, timestamp, start, end, null, true);
  }

  private dropLate(key: K, value: V, timestamp: Instant, window: BoundedWindow): void {
    this.counters.droppedLate++;
    if (this.lateFn !== undefined) this.lateFn(key, value, timestamp, window);
  }

  /** `window` is the window object when at hand (null: [start, end) is built when needed);
   *  `deferrable`: the element is in no other window. */
  private addInterval(keyId: string | number, key: K, value: V, timestamp: Instant, start: number, end: number, window: IntervalWindow | null, deferrable: boolean): void {
    const maxTs = end - 1;
    if (this.gc.isExpired(maxTs, this.inputWm)) {
      this.dropLate(key, value, timestamp, window ?? new IntervalWindow(start as Instant, end as Instant));
      return;
    }
    if (this.intervalMerging) {
      const e = this.keys.get(keyId);
      if (e === undefined) {
        if (this.lone !== null && (keyId as unknown) === key) this.newLone(keyId, start, maxTs, value);
        else this.addValue(this.newWindow(null, keyId, key, null, maxTs, start, -1), value, timestamp as number, key);
        return;
      }
      const sessions = typeof e === 'number' ? this.promote(this.fromSlot(e, false)) : e instanceof WindowState ? this.promote(e) : (e as SessionKeyWindows<K, A>);
      // (A key state kept has windows; its first noted element found it so.)
      if (this.deferred !== null && deferrable && (sessions.only !== null || sessions.many !== null)) {
        this.deferred.note(sessions, start, end, value);
        return;
      }
      const w = this.merging!.intervals(sessions, start, end, null, -1);
      if (w !== null) this.addValue(w, value, timestamp as number, key);
      return;
    }
    const ks = this.keyWindows(keyId, key);
    const w = this.merging !== null ? this.merging.custom(ks as KeyWindows<K, A>, window ?? new IntervalWindow(start as Instant, end as Instant), maxTs) : this.fixedWindow(ks, keyId, key, window, maxTs, start);
    if (w !== null) this.addValue(w, value, timestamp as number, key);
  }

  /** An element in a window other than an interval window (the global window). */
  private addWindow(keyId: string | number, key: K, value: V, timestamp: Instant, window: BoundedWindow): void {
    const maxTs = window.maxTimestamp() as number;
    if (this.gc.isExpired(maxTs, this.inputWm)) {
      this.dropLate(key, value, timestamp, window);
      return;
    }
    const start = startOf(window);
    const ks = this.keyWindows(keyId, key);
    let w: WindowState<K, A> | null;
    if (this.merging !== null) {
      w = this.intervalMerging ? this.merging.intervals(ks as SessionKeyWindows<K, A>, start, maxTs + 1, window, -1) : this.merging.custom(ks as KeyWindows<K, A>, window, maxTs);
    } else w = this.fixedWindow(ks, keyId, key, window, maxTs, start);
    if (w !== null) this.addValue(w, value, timestamp as number, key);
  }

  /** The state of a window of a non-merging fn, made if new; null: it is closed (the element is
   *  dropped and counted). */
  private fixedWindow(ks: AnyKeyWindows<K, A>, keyId: string | number, key: K, window: BoundedWindow | null, maxTs: number, start: number): WindowState<K, A> | null {
    const w = ks.find(maxTs, start);
    if (w === null) return this.newWindow(ks, keyId, key, window, maxTs, start, -1);
    if (w.closed) {
      this.counters.droppedClosed++;
      return null;
    }
    return w;
  }

  addValue(w: WindowState<K, A>, value: V, ts: number, key: K): void {
    this.acc.add(w, value);
    w.nonEmpty = true;
    w.arrived = this.arrivals.current;
    if (this.holds !== null) this.holds.onElement(w, ts, this.inputWm, this.outputWm);
    if (this.machine !== null) {
      this.machine.onElement(w.trigger!, this.ctxFor(w), value, ts, key);
      this.markDirty(w);
    } else if (this.inputWm > w.maxTs) {
      this.markDirty(w); // late data under the default trigger: fires at the end of the bundle
    }
  }

  /** A new window of key `id` in `ks` (null: the key's only window, mapped to alone); `seq` −1:
   *  the next sequence number. */
  newWindow(ks: AnyKeyWindows<K, A> | null, id: string | number, key: K, window: BoundedWindow | null, maxTs: number, start: number, seq: number): WindowState<K, A> {
    const w = this.makeWindow(seq >= 0 ? seq : this.seq++, id, key, maxTs, start);
    if (this.holds !== null) w.extra();
    if (window !== null) w.window = window;
    if (ks === null) this.keys.set(id, w);
    else ks.add(w);
    this.liveWindows++;
    if (this.machine !== null) {
      w.trigger = this.machine.newState();
      this.events.set(w, this.gc.timeOf(maxTs)); // refined at the end of the bundle
    } else {
      this.setTimer(w, this.defaultTimer(maxTs));
    }
    return w;
  }

  /** A key's first window, in a slot (see `LoneWindows`): what `newWindow` and `addValue` do for
   *  such a window, in columns. (Not expired: its event timer is its max timestamp.) */
  private newLone(id: string | number, start: number, maxTs: number, value: V): void {
    const seq = this.seq++;
    const slot = this.lone!.add(id as K, start, maxTs, seq, this.acc.folded(NO_ACC, value));
    this.keys.set(id, slot);
    this.liveWindows++;
    this.events.insertLone(slot, seq);
  }

  /**
   * The window state of lone window `slot`, which stops being one: the state takes the slot's
   * place in the event-timer heap and — `mapAlone` — in the key map (else the caller maps the key
   * anew, or drops every key: see `collectingAll`).
   */
  fromSlot(slot: number, mapAlone: boolean): WindowState<K, A> {
    const w = this.slotWindow(slot);
    this.events.replaceLone(slot, w);
    if (mapAlone) this.keys.set(w.id, w);
    this.lone!.release(slot);
    return w;
  }

  /** A window state like lone window `slot` (its heap position too), the slot left as it is. */
  slotWindow(slot: number): WindowState<K, A> {
    const lone = this.lone!;
    const key = lone.key(slot);
    const w = this.makeWindow(lone.seq(slot), key as string | number, key, lone.maxTs(slot), lone.start(slot));
    w.acc = lone.acc(slot);
    w.nonEmpty = true;
    w.eventSlot = lone.heapPos(slot);
    return w;
  }

  /**
   * Fires lone window `slot`, taken off the event-timer heap on the way to `wm` (`ended`: past
   * the global window): what `onDueTimer` (or, `ended`, `onEventTimer`) does for the window state
   * it stands for — the watermark steps past its end, which collects it: its one pane, then it
   * is gone — without making that window state.
   */
  private fireLone(slot: number, wm: number, ended: boolean): void {
    const lone = this.lone!;
    const maxTs = lone.maxTs(slot);
    if (!ended) {
      const next = maxTs + 1;
      const step = maxTs < wm && next > maxTs ? next : wm;
      if (step > this.inputWm) this.inputWm = step;
    }
    if (!this.gc.isExpired(maxTs, this.inputWm)) {
      // (Not with no allowed lateness, the only case with lone windows; as a window state if so.)
      this.onEventTimer(this.fromSlot(slot, true));
      return;
    }
    const key = lone.key(slot);
    const acc = lone.acc(slot);
    const h = this.loneHistory;
    h.maxTs = maxTs;
    h.paneIndex = 0;
    h.lastOnTimeIndex = -1;
    h.lastTiming = PaneTimingCode.NONE;
    const pane = this.panes.next(h, false, true, this.inputWm, this.outputWm);
    if (pane !== null) {
      this.counters.panes++;
      this.emitFn(key, this.acc.output(acc, false), maxTs as Instant, new IntervalWindow(lone.start(slot) as Instant, (maxTs + 1) as Instant), pane, -1);
    }
    // dispose
    this.liveWindows--;
    this.acc.release(acc);
    if (!this.collectingAll) {
      this.keys.delete(key as string | number);
      lone.release(slot);
    }
  }

  /** A window state (arrival stamps kept only if there is an arrival clock). */
  makeWindow(seq: number, id: string | number, key: K, maxTs: number, start: number): WindowState<K, A> {
    return windowState<K, A>(seq, id, key, maxTs, start, this.arrivals !== NO_ARRIVALS);
  }

  private keyWindows(keyId: string | number, key: K): AnyKeyWindows<K, A> {
    const e = this.keys.get(keyId);
    if (e === undefined) {
      const ks = this.intervalMerging ? new SessionKeyWindows<K, A>(keyId, key) : new KeyWindows<K, A>(keyId, key);
      this.keys.set(keyId, ks);
      return ks;
    }
    if (typeof e === 'number') return this.promote(this.fromSlot(e, false));
    return e instanceof WindowState ? this.promote(e) : e;
  }

  /** The key windows of a key mapped to its one window alone. */
  private promote(w: WindowState<K, A>): SessionKeyWindows<K, A> {
    const ks = new SessionKeyWindows<K, A>(w.id, w.key);
    ks.only = w;
    this.keys.set(w.id, ks);
    return ks;
  }

  /** The key windows `w` belongs to (made, if `w` stands alone). */
  private keyWindowsOf(w: WindowState<K, A>): AnyKeyWindows<K, A> {
    const e = this.keys.get(w.id)!;
    // (Not a slot: a window state exists, so its key is mapped to it.)
    return e instanceof WindowState ? this.promote(e) : (e as AnyKeyWindows<K, A>);
  }

  // --- timers -----------------------------------------------------------------------------

  /** The event timer of a window under the default trigger: its end, or — past its end
   *  already — its garbage collection. */
  defaultTimer(maxTs: number): number {
    return this.inputWm > maxTs ? this.gc.timeOf(maxTs) : maxTs;
  }

  /** Sets the window's event timer — or, for a window created while deferred sessions are
   *  merged, only notes it. */
  setTimer(w: WindowState<K, A>, t: number): void {
    if (w.eventSlot === TIMER_DEFERRED || (this.timersDeferred && w.eventSlot < 0)) {
      w.eventSlot = TIMER_DEFERRED;
      w.eventTime = t;
    } else this.events.set(w, t);
  }

  /** Puts the window's timers where its trigger and garbage collection need them. */
  private reschedule(w: WindowState<K, A>): void {
    const gc = this.gc.timeOf(w.maxTs);
    if (w.closed) {
      this.events.set(w, gc);
      return;
    }
    let next = gc;
    if (this.machine === null) {
      if (w.maxTs >= this.inputWm && w.maxTs < next) next = w.maxTs;
    } else {
      const c = this.ctxFor(w);
      const t = this.machine.nextEventTime(w.trigger!, c);
      if (t < next) next = t;
      if (this.machine.usesProcessingTime) {
        const p = this.machine.nextProcessingTime(w.trigger!);
        if (Number.isNaN(p)) this.procs.remove(w);
        else this.procs.set(w, p);
      }
    }
    this.events.set(w, next);
  }

  // --- time -------------------------------------------------------------------------------

  /** Evaluates triggers of the windows touched since the last call. Call at the end of a bundle. */
  finishBundle(): void {
    if (this.deferred !== null) this.deferred.flush();
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
    this.finishBundle();
    if (wm <= this.inputWm) return;
    // Past the end of the global window every window is collected: their keys' states go all
    // at once afterwards, instead of one window at a time in firing (not key) order.
    this.collectingAll = wm > GMAX;
    try {
      this.fireTimers(wm);
    } finally {
      if (this.collectingAll) {
        this.collectingAll = false;
        this.keys.clear();
        if (this.lone !== null) this.lone.clear();
      }
    }
    this.finishBundle();
    const hold = this.outputWatermarkHold() as number;
    const out = hold < wm ? hold : wm;
    if (out > this.outputWm) this.outputWm = out;
  }

  /**
   * Fires the event timers before `wm` in (time, seq) order, each with the input watermark just
   * past its own time — as if the watermark had stopped there — and leaves the watermark at `wm`.
   * So one jump past several timers of a window fires what stepping through them fires (an
   * early firing at a trip's end message, then the on-time pane: Flink's timers do the same),
   * and panes do not depend on how finely a source moves its watermark. Except when the input
   * ends (past the global window's end): every window then fires its last pane only, as in a
   * batch run — an early pane there would say nothing the final one does not.
   */
  private fireTimers(wm: number): void {
    const events = this.events;
    const ended = wm > GMAX;
    if (ended) this.inputWm = wm;
    const step = ended ? (w: WindowState<K, A>) => this.onEventTimer(w) : (w: WindowState<K, A>) => this.onDueTimer(w, wm);
    const fire = (x: Timed<WindowState<K, A>>) => {
      if (typeof x === 'number') this.fireLone(x, wm, ended);
      else step(x);
    };
    try {
      const due = events.takeDue(wm);
      if (due !== null) {
        // Timers set while firing these (before `wm`) interleave in (time, seq) order.
        let i = 0;
        for (;;) {
          if ((i & (WARM_AHEAD - 1)) === 0) due.warm(i, WARM_AHEAD);
          const d = i < due.length ? due.at(i) : undefined;
          const top = events.peekTimed();
          if (top !== undefined && events.timeOf(top) < wm && (d === undefined || events.firesBefore(top, d))) {
            fire(events.popTimed()!);
            continue;
          }
          if (d === undefined) break;
          i++;
          // (One set again meanwhile fires from the heap; a lone window is never set again.)
          if (typeof d === 'number' || d.eventSlot < 0) fire(d);
        }
      }
      while (events.size > 0 && events.topTime() < wm) fire(events.popTimed()!);
    } finally {
      this.inputWm = wm;
    }
  }

  /** A timer taken as due on the way to `wm`: the watermark steps to just past its time first
   *  (never beyond `wm`: a heap key may lag behind the entry's true time; and straight to `wm`
   *  where a millisecond more is not a larger double, as past the global window's end). */
  private onDueTimer(w: WindowState<K, A>, wm: number): void {
    const next = w.eventTime + 1;
    const step = w.eventTime < wm && next > w.eventTime ? next : wm;
    if (step > this.inputWm) this.inputWm = step;
    this.onEventTimer(w);
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

  outputWatermarkHold(): Instant {
    if (this.deferred !== null) this.deferred.flush();
    const t = this.holds === null ? this.events.topTime() : this.holds.topTime();
    return (t === Infinity ? Instant.MAX : t) as Instant;
  }

  nextProcessingTimeTimer(): Instant | undefined {
    const t = this.procs.topTime();
    return t === Infinity ? undefined : (t as Instant);
  }

  nextEventTimeTimer(): Instant | undefined {
    if (this.deferred !== null) this.deferred.flush();
    const t = this.events.topTime();
    return t === Infinity ? undefined : (t as Instant);
  }

  nextCollectionTime(): Instant | undefined {
    if (this.deferred !== null) this.deferred.flush();
    let min = Infinity;
    for (const entry of this.keys.values()) {
      if (typeof entry === 'number') {
        min = Math.min(min, this.gc.timeOf(this.lone!.maxTs(entry)));
        continue;
      }
      const wins = entry instanceof WindowState ? [entry] : entry instanceof SessionKeyWindows ? (entry.active ?? (entry.only !== null ? [entry.only] : [])) : entry.all();
      for (const w of wins) if (w.alive && !w.closed) min = Math.min(min, this.gc.timeOf(w.maxTs));
    }
    return min === Infinity ? undefined : (min as Instant);
  }

  inputWatermark(): Instant {
    return this.inputWm as Instant;
  }

  outputWatermark(): Instant {
    return this.outputWm as Instant;
  }

  openWindowCount(): number {
    if (this.deferred !== null) this.deferred.flush();
    return this.liveWindows - this.tombstones;
  }

  heldElements(): number {
    if (this.deferred !== null) this.deferred.flush();
    return this.acc.held;
  }

  tombstoneCount(): number {
    if (this.deferred !== null) this.deferred.flush();
    return this.tombstones;
  }

  windowState(keyId: string | number, window: BoundedWindow): WindowStateKind {
    if (this.deferred !== null) this.deferred.flush();
    const e = this.keys.get(keyId);
    const maxTs = window.maxTimestamp();
    const start = startOf(window);
    if (typeof e === 'number') return this.lone!.maxTs(e) === maxTs && this.lone!.start(e) === start ? 'present' : 'absent';
    const w = e === undefined ? null : e instanceof WindowState ? (e.maxTs === maxTs && e.start === start ? e : null) : e.find(maxTs, start);
    if (w === null) return 'absent';
    return w.closed ? 'tombstone' : 'present';
  }

  snapshot(codec: ReducerCodec<K, A>): SnapshotBytes {
    return snapshotEngine(this, codec);
  }

  restore(state: unknown, codec: ReducerCodec<K, A>, owner: string): void {
    restoreEngine(this, state, codec, owner);
  }

  // --- firing -----------------------------------------------------------------------------

  ctxFor(w: WindowState<K, A>): TriggerContext {
    const c = this.ctx;
    c.wm = this.inputWm;
    c.now = this.now;
    c.maxTs = w.maxTs;
    return c;
  }

  private shouldFire(w: WindowState<K, A>): boolean {
    if (this.machine === null) return this.inputWm > w.maxTs;
    return this.machine.shouldFire(w.trigger!, this.ctxFor(w));
  }

  markDirty(w: WindowState<K, A>): void {
    if (w.dirty) return;
    w.dirty = true;
    this.dirtyList.push(w);
  }

  private onEventTimer(w: WindowState<K, A>): void {
    if (!w.alive) return;
    if (this.gc.isExpired(w.maxTs, this.inputWm)) {
      // Garbage collection: the last pane (if there is something to say), then nothing is kept.
      if (!w.closed) this.onTrigger(w, true);
      this.dispose(w);
      return;
    }
    if (!w.closed && this.shouldFire(w)) this.fire(w);
    if (w.alive) this.reschedule(w);
  }

  /** Beam's emit: tell the trigger it fired, produce the pane, discard or close. */
  private fire(w: WindowState<K, A>): void {
    let finished = false;
    if (this.machine !== null) {
      this.machine.onFire(w.trigger!, this.ctxFor(w));
      finished = this.machine.isFinished(w.trigger!);
    }
    this.onTrigger(w, finished);
    w.nonEmpty = false;
    if (this.discarding || finished) {
      this.acc.release(w.acc);
      w.acc = NO_ACC;
    }
    if (finished) this.close(w);
  }

  /** The window's trigger finished: it stays as a tombstone until garbage collection. */
  private close(w: WindowState<K, A>): void {
    const ks = this.keyWindowsOf(w);
    if (ks instanceof SessionKeyWindows) {
      ks.remove(w); // to the tombstones
      w.closed = true;
      ks.add(w);
    } else w.closed = true;
    this.tombstones++;
    w.elementHold = NaN;
    w.endOrGcHold = NaN;
    if (this.holds !== null) this.holds.remove(w);
    this.procs.remove(w);
    this.events.set(w, this.gc.timeOf(w.maxTs));
  }

  /** Beam's onTrigger: output timestamp from the holds, pane info, and the output itself. */
  private onTrigger(w: WindowState<K, A>, isFinished: boolean): void {
    let ts: number;
    if (this.holds === null) {
      ts = w.maxTs;
      w.elementHold = NaN;
    } else ts = this.holds.releaseForPane(w, isFinished, this.inputWm);
    const isEmpty = !w.nonEmpty;
    if (isEmpty && !this.panes.mayEmitEmpty()) return;
    const pane = this.panes.next(w, isEmpty, isFinished, this.inputWm, this.outputWm);
    if (pane === null) return;
    this.counters.panes++;
    this.emitFn(w.key, this.acc.output(w.acc, !this.discarding && !isFinished), ts as Instant, w.window, pane, w.arrived);
  }

  /** `w` is merged away or collected: it leaves every heap and its key. */
  dispose(w: WindowState<K, A>): void {
    if (!w.alive) return;
    w.alive = false;
    this.liveWindows--;
    if (w.closed) this.tombstones--;
    this.events.remove(w);
    this.procs.remove(w);
    if (this.holds !== null) this.holds.remove(w);
    if (!this.collectingAll) {
      const e = this.keys.get(w.id);
      if (e === w) this.keys.delete(w.id);
      else if (e !== undefined && typeof e !== 'number' && !(e instanceof WindowState)) {
        e.remove(w);
        if (e.size === 0) this.keys.delete(w.id);
      }
    }
    this.acc.release(w.acc);
    w.acc = NO_ACC;
    w.trigger = null;
  }
}
