/**
 * Merging windows (Beam's MergingActiveWindowSet and ReduceFnRunner.onMerge): an element's window
 * joins the key's active windows, merging with those it overlaps. Interval-merging fns
 * (sessions) are merged here directly against the key's sorted windows; any other merging fn is
 * asked through its `mergeWindows`. A merge keeps the first part's state and folds the others
 * into it: accumulators, pane history, holds and trigger states. A closed window (tombstone)
 * never merges: an element whose window is exactly a closed one is dropped and counted.
 */
import type { Instant } from '../../../sdk/time/instant.js';
import { IntervalWindow, type BoundedWindow } from '../../../sdk/window/bounded-window.js';
import type { WindowFn } from '../../../sdk/window/window-fn.js';
import { KeyWindows } from './key-windows.js';
import { PaneTimingCode } from './pane-tracker.js';
import type { SessionKeyWindows } from './session-key-windows.js';
import type { AnyKeyWindows, WindowEngine } from './window-engine.js';
import { NO_ACC, startOf, type WindowState } from './window-state.js';

export class WindowMerging<K, V, A, O> {
  constructor(
    private readonly engine: WindowEngine<K, V, A, O>,
    private readonly windowFn: WindowFn<BoundedWindow>,
  ) {}

  /**
   * Adds the interval [start, end) to a sessions key's active windows, merging; returns the
   * window the element goes to (null: dropped for a closed window). `window` is the window
   * object when at hand; `seq` the sequence number a new window gets (−1: the next).
   */
  intervals(ks: SessionKeyWindows<K, A>, start: number, end: number, window: BoundedWindow | null, seq: number): WindowState<K, A> | null {
    const e = this.engine;
    const maxTs = end - 1;
    let single: WindowState<K, A> | null = null;
    let parts: WindowState<K, A>[] | null = null;
    let at = -1;
    const act = ks.active;
    if (act === null) {
      const x = ks.only;
      if (x !== null && x.start < end && start < x.maxTs + 1) single = x;
    } else if (!ks.linear) {
      // The first active window ending after `start`, then every one starting before `end`.
      const st = ks.starts!;
      const en = ks.ends!;
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
      if (ks.tombstones !== null && ks.find(maxTs, start) !== null) {
        // Only a closed window can have exactly this extent.
        e.counters.droppedClosed++;
        return null;
      }
      return e.newWindow(ks, ks.id, ks.key, window === null || window.constructor === IntervalWindow ? null : window, maxTs, start, seq);
    }
    if (parts === null) {
      const sStart = single.start;
      const sEnd = single.maxTs + 1;
      if (sStart <= start && sEnd >= end) return single;
      const lo = sStart < start ? sStart : start;
      const hi = sEnd > end ? sEnd : end;
      if (e.machine === null) {
        if (at >= 0) ks.setExtent(at, lo, hi);
        return this.extend(single, lo, hi, window !== null && lo === start && hi === end && window.constructor !== IntervalWindow ? window : null);
      }
      const merged = lo === start && hi === end && window !== null ? window : new IntervalWindow(lo as Instant, hi as Instant);
      return this.merge(ks, [single], merged);
    }
    let lo = start;
    let hi = end;
    for (const p of parts) {
      if (p.start < lo) lo = p.start;
      if (p.maxTs + 1 > hi) hi = p.maxTs + 1;
    }
    return this.merge(ks, parts, new IntervalWindow(lo as Instant, hi as Instant));
  }

  /** A custom merging fn: asks it, over the key's active windows plus `window`; returns the
   *  window the element goes to (null: dropped for a closed window). */
  custom(ks: KeyWindows<K, A>, window: BoundedWindow, maxTs: number): WindowState<K, A> | null {
    const e = this.engine;
    const start = startOf(window);
    const active = ks.all().filter((x) => !x.closed);
    let existing = active.find((x) => x.maxTs === maxTs && x.start === start) ?? null;
    if (existing === null && ks.find(maxTs, start) !== null) {
      e.counters.droppedClosed++;
      return null;
    }
    const windows = active.map((x) => x.window);
    if (existing === null) windows.push(window);
    const merges = this.windowFn.mergeWindows(windows);
    let home: WindowState<K, A> | null = existing;
    let newIsMerged = false;
    for (const m of merges) {
      const parts: WindowState<K, A>[] = [];
      let includesNew = false;
      for (const tw of m.toMerge) {
        const st = active.find((x) => x.window === tw || (x.maxTs === tw.maxTimestamp() && x.start === startOf(tw)));
        if (st) parts.push(st);
        else if (tw === window || (tw.maxTimestamp() === maxTs && startOf(tw) === start)) includesNew = true;
      }
      if (parts.length === 0) {
        if (includesNew) {
          home = e.newWindow(ks, ks.id, ks.key, m.result, m.result.maxTimestamp(), startOf(m.result), -1);
          newIsMerged = true;
        }
        continue;
      }
      const merged = this.merge(ks, parts, m.result);
      if (includesNew || (existing !== null && parts.includes(existing))) {
        home = merged;
        newIsMerged = true;
      }
    }
    if (home === null && !newIsMerged) home = e.newWindow(ks, ks.id, ks.key, window, maxTs, start, -1);
    return home;
  }

  /** Default trigger: one session grows to [lo, hi) (the common case, kept allocation-free). */
  private extend(w: WindowState<K, A>, lo: number, hi: number, window: BoundedWindow | null): WindowState<K, A> {
    const e = this.engine;
    // The window keeps its place among the key's sorted active windows.
    const maxTs = hi - 1;
    w.window = window;
    w.moveEnd(maxTs);
    w.start = lo;
    if (e.holds !== null) e.holds.onExtend(w, e.inputWm);
    e.setTimer(w, e.defaultTimer(maxTs));
    if (e.inputWm > maxTs) e.markDirty(w);
    return w;
  }

  /** Merges the states `parts` into one window `result`, reusing the first part's state. */
  private merge(ks: AnyKeyWindows<K, A>, parts: WindowState<K, A>[], result: BoundedWindow): WindowState<K, A> {
    const e = this.engine;
    const holds = e.holds;
    const target = parts[0]!;
    const maxTs = result.maxTimestamp() as number;
    const accs: A[] = [];
    let nonEmpty = false;
    let elementHold = NaN;
    let anyEndOrGcHold = false;
    let paneIndex = 0;
    let lastOnTimeIndex = -1;
    let lastTiming: PaneTimingCode = PaneTimingCode.NONE;
    let arrived = -1;
    for (const p of parts) {
      if (p.arrived > arrived) arrived = p.arrived;
      if (p.acc !== NO_ACC) accs.push(p.acc);
      nonEmpty ||= p.nonEmpty;
      if (holds !== null && !Number.isNaN(p.elementHold)) {
        elementHold = Number.isNaN(elementHold) ? p.elementHold : holds.mergeElementHolds(elementHold, p.elementHold);
      }
      if (!Number.isNaN(p.endOrGcHold)) anyEndOrGcHold = true;
      if (p.paneIndex > paneIndex) paneIndex = p.paneIndex;
      if (p.lastOnTimeIndex > lastOnTimeIndex) lastOnTimeIndex = p.lastOnTimeIndex;
      if (p.lastTiming > lastTiming) lastTiming = p.lastTiming;
    }
    const triggerStates = e.machine !== null ? parts.map((p) => p.trigger!) : null;
    for (let i = 1; i < parts.length; i++) e.dispose(parts[i]!);
    // Re-key the target under its new extent (among sorted interval windows it keeps its place:
    // it absorbed every window between its old and new extent).
    const oldStart = target.start;
    if (ks instanceof KeyWindows) ks.remove(target);
    target.window = result;
    target.moveEnd(maxTs);
    target.start = startOf(result);
    if (ks instanceof KeyWindows) ks.add(target);
    else {
      const i = ks.indexOf(target, oldStart);
      if (i >= 0) ks.setExtent(i, target.start, maxTs + 1);
    }
    e.acc.release(target.acc);
    target.acc = e.acc.merge(accs);
    e.acc.count(target.acc);
    target.nonEmpty = nonEmpty;
    target.paneIndex = paneIndex;
    target.lastOnTimeIndex = lastOnTimeIndex;
    target.lastTiming = lastTiming;
    target.arrived = arrived;
    if (holds !== null) holds.onMerge(target, elementHold, anyEndOrGcHold, e.inputWm);
    if (e.machine !== null) {
      target.trigger = e.machine.merge(triggerStates!, e.ctxFor(target));
      e.markDirty(target);
      e.events.set(target, e.gc.timeOf(maxTs));
    } else {
      e.setTimer(target, e.defaultTimer(maxTs));
      if (e.inputWm > maxTs) e.markDirty(target);
    }
    return target;
  }
}
