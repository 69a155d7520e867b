/**
 * One key's sessions as parallel arrays while its noted elements are merged (deferred-sessions.ts).
 *
 * Merging a bundle's elements of a key on window states made a state for every element that
 * opened a window, and most of those were merged away again a few elements later (out-of-order
 * input: a backfill makes about two windows per surviving session). Here the key's windows are
 * numbers (start, end, sequence number), an accumulator and the window state they came from, if
 * any; states are made only for the windows that survive the bundle, and the states of earlier
 * bundles' windows that are merged away are disposed of at the end.
 *
 * The result is exactly that of merging each element on arrival (window-merging.ts): the same
 * windows, each with the sequence number of the window state that would have survived (a merge
 * keeps its earliest part's), the same accumulators, merged in the same order, and the same
 * counts of held elements and live windows.
 */
import { firstEndingAfter } from './sorted-intervals.js';
import type { SessionKeyWindows } from './session-key-windows.js';
import { ManySessions } from './session-key-windows.js';
import type { WindowEngine } from './window-engine.js';
import { NO_ACC, TIMER_DEFERRED, type NoAcc, type WindowState } from './window-state.js';

export class SessionScratch<K, V, A, O> {
  // Windows [0, n), sorted by start; their extents never overlap.
  private starts: number[] = [];
  private ends: number[] = [];
  private seqs: number[] = [];
  private accs: (A | NoAcc)[] = [];
  /** The window state a window is (null: made in this bundle, no state yet). */
  private states: (WindowState<K, A> | null)[] = [];
  /** Received an element in this bundle. */
  private touched: boolean[] = [];
  private n = 0;
  /** States of earlier windows merged away (disposed of once the key is written back). */
  private dead: WindowState<K, A>[] = [];
  /** The accumulators of a merge: one array reused by every merge, not one each (a bundle of
   *  out-of-order elements merges windows at about one element in nine). */
  private parts: A[] = [];

  constructor(private readonly engine: WindowEngine<K, V, A, O>) {}

  /** Whether `ks` can be merged here: no closed windows, no window with state off the default
   *  path, windows kept in order (see `SessionKeyWindows.linear`). */
  static fits<K, A>(ks: SessionKeyWindows<K, A>): boolean {
    const m = ks.many;
    if (m === null) return ks.only === null || ks.only.extras === null;
    if (m.linear || (m.tombstones !== null && m.tombstones.length > 0)) return false;
    const act = m.active;
    if (act !== null) for (let i = 0; i < act.length; i++) if (act[i]!.extras !== null) return false;
    return true;
  }

  /** Takes the key's active windows. */
  load(ks: SessionKeyWindows<K, A>): void {
    this.n = 0;
    const act = ks.active;
    if (act === null) {
      if (ks.only !== null) this.push(ks.only);
    } else for (let i = 0; i < act.length; i++) this.push(act[i]!);
  }

  private push(w: WindowState<K, A>): void {
    const i = this.n++;
    this.starts[i] = w.start;
    this.ends[i] = w.maxTs + 1;
    this.seqs[i] = w.seq;
    this.accs[i] = w.acc;
    this.states[i] = w;
    this.touched[i] = false;
  }

  /** An element in [start, end) with sequence number `seq` (the one its own window would get). */
  add(start: number, end: number, seq: number, value: V): void {
    const starts = this.starts;
    const ends = this.ends;
    const n = this.n;
    // The first window ending after `start`, then every one starting before `end`.
    const lo = firstEndingAfter(ends, n, start);
    if (lo === n || starts[lo]! >= end) {
      this.insert(lo, start, end, seq, value);
      return;
    }
    let last = lo;
    while (last + 1 < n && starts[last + 1]! < end) last++;
    if (last > lo) this.merge(lo, last);
    if (start < starts[lo]!) starts[lo] = start;
    if (end > ends[lo]!) ends[lo] = end;
    this.accs[lo] = this.engine.acc.folded(this.accs[lo]!, value);
    this.touched[lo] = true;
  }

  /** A new window at `at`. */
  private insert(at: number, start: number, end: number, seq: number, value: V): void {
    const { starts, ends, seqs, accs, states, touched } = this;
    for (let j = this.n; j > at; j--) {
      starts[j] = starts[j - 1]!;
      ends[j] = ends[j - 1]!;
      seqs[j] = seqs[j - 1]!;
      accs[j] = accs[j - 1]!;
      states[j] = states[j - 1]!;
      touched[j] = touched[j - 1]!;
    }
    this.n++;
    starts[at] = start;
    ends[at] = end;
    seqs[at] = seq;
    accs[at] = this.engine.acc.folded(NO_ACC, value);
    states[at] = null;
    touched[at] = true;
    this.engine.liveWindows++;
  }

  /** Windows `lo`..`last` become one, at `lo` (the earliest keeps its sequence number and
   *  state); its extent is that of all of them. */
  private merge(lo: number, last: number): void {
    const { starts, ends, seqs, accs, states, touched } = this;
    const e = this.engine;
    const parts = this.parts;
    for (let j = lo; j <= last; j++) {
      const a = accs[j]!;
      if (a !== NO_ACC) parts.push(a);
      e.acc.release(a);
      if (j > lo) {
        const w = states[j];
        if (w !== null) {
          w.acc = NO_ACC; // released above
          this.dead.push(w);
        } else e.liveWindows--;
      }
    }
    const merged = e.acc.merge(parts);
    // (Reused for the next merge, unless the CombineFn made the very array its accumulator.)
    if ((merged as unknown) === parts) this.parts = [];
    else parts.length = 0;
    e.acc.count(merged);
    accs[lo] = merged;
    ends[lo] = ends[last]!;
    touched[lo] = true;
    const gone = last - lo;
    const n = this.n;
    for (let j = last + 1; j < n; j++) {
      const k = j - gone;
      starts[k] = starts[j]!;
      ends[k] = ends[j]!;
      seqs[k] = seqs[j]!;
      accs[k] = accs[j]!;
      states[k] = states[j]!;
      touched[k] = touched[j]!;
    }
    this.n = n - gone;
  }

  /** Puts the windows back into `ks`: states for new windows (their timers noted in `fresh`,
   *  to be set once the flush is over), the extents, accumulators and timers of earlier ones;
   *  then disposes of earlier windows merged away. */
  store(ks: SessionKeyWindows<K, A>, fresh: WindowState<K, A>[]): void {
    const e = this.engine;
    const n = this.n;
    const { starts, ends, seqs, accs, states, touched } = this;
    const arrived = e.arrivals.current;
    // Sorted arrays once there are two windows (or were: `only` is then not looked at).
    const m = n > 1 ? (ks.many ??= new ManySessions<K, A>()) : ks.many !== null && ks.many.active !== null ? ks.many : null;
    let act: WindowState<K, A>[] | null = null;
    let st: number[] | null = null;
    let en: number[] | null = null;
    if (m !== null) {
      act = m.active ??= [];
      st = m.starts ??= [];
      en = m.ends ??= [];
      act.length = n;
      st.length = n;
      en.length = n;
      ks.only = null;
    }
    for (let i = 0; i < n; i++) {
      const start = starts[i]!;
      const maxTs = ends[i]! - 1;
      let w = states[i]!;
      if (touched[i]) {
        if (w === null) {
          w = e.makeWindow(seqs[i]!, ks.id, ks.key, maxTs, start);
          w.eventSlot = TIMER_DEFERRED;
          w.eventTime = e.defaultTimer(maxTs);
        } else {
          if (w.start !== start) w.start = start;
          if (w.maxTs !== maxTs) {
            w.moveEnd(maxTs);
            e.setTimer(w, e.defaultTimer(maxTs));
          }
        }
        w.acc = accs[i]!;
        w.nonEmpty = true;
        w.arrived = arrived;
        if (e.inputWm > maxTs) e.markDirty(w);
      }
      // (As merging on arrival leaves them: a timer noted while timers are deferred.)
      if (w.eventSlot === TIMER_DEFERRED) fresh.push(w);
      states[i] = null;
      accs[i] = NO_ACC;
      if (act !== null) {
        act[i] = w;
        st![i] = start;
        en![i] = maxTs + 1;
      } else ks.only = w;
    }
    this.n = 0;
    const dead = this.dead;
    if (dead.length > 0) {
      for (let i = 0; i < dead.length; i++) e.dispose(dead[i]!);
      dead.length = 0;
    }
  }
}
