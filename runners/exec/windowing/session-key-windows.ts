/**
 * The windows of one key of an interval-merging fn (sessions). Its active windows never overlap
 * (an element's window merges with every active window it overlaps), so they are kept sorted by
 * start — and hence by end — with their starts and ends in plain number arrays beside them, and
 * the windows a new one overlaps are found by binary search without touching window states. A
 * window keeps its place when it grows or absorbs its neighbours. Closed windows (tombstones)
 * are kept apart, unsorted.
 */
import type { WindowState } from './window-state.js';

export class SessionKeyWindows<K, A> {
  /** The only active window while `active` is null. */
  only: WindowState<K, A> | null = null;
  /** Everything else, once needed (a key with one session costs no more). */
  many: ManySessions<K, A> | null = null;
  /** Slot of the last of this key's elements not merged yet in the reducer's `PendingLog` (see
   *  `DeferredSessions`), −1: none. Here rather than in `many`: an element then touches one
   *  object of its key's. */
  pendingTail = -1;
  constructor(
    readonly id: string | number,
    readonly key: K,
  ) {}

  /** Windows, active and closed. */
  get size(): number {
    const m = this.many;
    if (m === null) return this.only === null ? 0 : 1;
    return (m.active === null ? (this.only === null ? 0 : 1) : m.active.length) + (m.tombstones === null ? 0 : m.tombstones.length);
  }

  /** The active windows sorted by start, once there were two (null: see `only`). */
  get active(): WindowState<K, A>[] | null {
    return this.many === null ? null : this.many.active;
  }
  get starts(): number[] | null {
    return this.many === null ? null : this.many.starts;
  }
  get ends(): number[] | null {
    return this.many === null ? null : this.many.ends;
  }
  get tombstones(): WindowState<K, A>[] | null {
    return this.many === null ? null : this.many.tombstones;
  }
  /** See `ManySessions.linear`. */
  get linear(): boolean {
    return this.many !== null && this.many.linear;
  }

  find(maxTs: number, start: number): WindowState<K, A> | null {
    const act = this.active;
    if (act === null) {
      const o = this.only;
      if (o !== null && o.maxTs === maxTs && o.start === start) return o;
    } else if (this.linear) {
      for (const x of act) if (x.maxTs === maxTs && x.start === start) return x;
    } else {
      const st = this.starts!;
      for (let i = lowerBound(st, start); i < act.length && st[i] === start; i++) {
        if (act[i]!.maxTs === maxTs) return act[i]!;
      }
    }
    const tomb = this.tombstones;
    if (tomb !== null) for (const w of tomb) if (w.maxTs === maxTs && w.start === start) return w;
    return null;
  }

  add(w: WindowState<K, A>): void {
    if (w.closed) {
      ((this.many ??= new ManySessions()).tombstones ??= []).push(w);
      return;
    }
    if (w.maxTs < w.start) (this.many ??= new ManySessions()).linear = true;
    const act = this.active;
    if (act === null) {
      const o = this.only;
      if (o === null) {
        this.only = w;
        return;
      }
      this.only = null;
      const x = o.start <= w.start ? o : w;
      const y = x === o ? w : o;
      const m = (this.many ??= new ManySessions());
      m.active = [x, y];
      m.starts = [x.start, y.start];
      m.ends = [x.maxTs + 1, y.maxTs + 1];
      return;
    }
    const st = this.starts!;
    const en = this.ends!;
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

  remove(w: WindowState<K, A>): void {
    if (w.closed) {
      const tomb = this.tombstones;
      if (tomb !== null) {
        const i = tomb.indexOf(w);
        if (i >= 0) tomb.splice(i, 1);
      }
      return;
    }
    const act = this.active;
    if (act !== null && act[0] === w) {
      // The earliest session: the usual one to expire, and the cheapest to take out.
      act.shift();
      this.starts!.shift();
      this.ends!.shift();
      return;
    }
    const i = this.indexOf(w, w.start);
    if (i < 0) {
      if (this.only === w) this.only = null;
      return;
    }
    if (i === act!.length - 1) {
      act!.pop();
      this.starts!.pop();
      this.ends!.pop();
    } else {
      act!.splice(i, 1);
      this.starts!.splice(i, 1);
      this.ends!.splice(i, 1);
    }
  }

  /** Position of active window `w` (sorted under `start`) in `active`, −1 if not there. */
  indexOf(w: WindowState<K, A>, start: number): number {
    const act = this.active;
    if (act === null) return -1;
    if (this.linear) return act.indexOf(w);
    for (let i = lowerBound(this.starts!, start); i < act.length; i++) if (act[i] === w) return i;
    return -1;
  }

  /** Records the new extent of the active window at `i`. */
  setExtent(i: number, start: number, end: number): void {
    this.starts![i] = start;
    this.ends![i] = end;
  }

  all(): WindowState<K, A>[] {
    const out = this.active !== null ? this.active.slice() : this.only !== null ? [this.only] : [];
    if (this.tombstones !== null) out.push(...this.tombstones);
    return out;
  }
}

/** A session key's sorted active windows (two or more), tombstones, and the scan mode. */
export class ManySessions<K, A> {
  active: WindowState<K, A>[] | null = null;
  starts: number[] | null = null;
  ends: number[] | null = null;
  tombstones: WindowState<K, A>[] | null = null;
  /** Set once an empty window (max timestamp before its start) was added: the windows are then
   *  not kept in order, and are found by looking at every one. */
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
