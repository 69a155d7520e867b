/**
 * The window engine's heaps of window states (4-ary, keyed by (time, seq): see entry-heap.ts):
 * event timers, processing timers and output watermark holds, each with its own position field
 * on the window, so one window can sit in all three. `seq` is the window's creation order.
 *
 * The event-time heap is lazy about moving a timer later (a session that grows moves its timer
 * on every element): the entry keeps its true time in `eventTime` and its heap key may lag behind it;
 * the top is settled to its true time before it is read or popped. Since a lagging key is never
 * later than the true time, the settled top is the true minimum.
 *
 * The event-time heap also holds lone windows (lone-windows.ts): a slot number in place of an
 * entry, its time the slot's max timestamp (never lagging), its position kept in the slot.
 * `popTimed`, `peekTimed` and `DueTimers.at` return either; the engine turns a slot into an
 * entry before anything else is done with it.
 */

import { EntryHeap } from '../entry-heap.js';
import type { LoneWindows } from './lone-windows.js';
import { sortPackedInto } from './sort-packed.js';

export interface HeapEntry {
  readonly seq: number;
  /** True event-timer time (the event heap's key may be earlier until settled). */
  eventTime: number;
  eventSlot: number;
}

/** An entry of the event-time heap, or the slot of a lone window (see above). */
export type Timed<E> = E | number;

/** Event-time timers: fire when the input watermark is past (>) the time. Lazy about moving a
 *  timer later (see above). */
export class EventTimerHeap<E extends HeapEntry> extends EntryHeap<E> {
  /** Where lone windows' slots are (null: the heap holds none). */
  lone: LoneWindows<unknown, unknown> | null = null;

  protected idx(e: E): number {
    const x = e as Timed<E>;
    return typeof x === 'number' ? this.lone!.heapPos(x) : x.eventSlot;
  }
  protected setIdx(e: E, i: number): void {
    const x = e as Timed<E>;
    if (typeof x === 'number') this.lone!.setHeapPos(x, i);
    else x.eventSlot = i;
  }
  /** True time of an entry or slot. */
  timeOf(x: Timed<E>): number {
    return typeof x === 'number' ? this.lone!.maxTs(x) : x.eventTime;
  }

  /** Whether timer `x` fires before timer `y` (true time, then sequence number). */
  firesBefore(x: Timed<E>, y: Timed<E>): boolean {
    const tx = this.timeOf(x);
    const ty = this.timeOf(y);
    if (tx !== ty) return tx < ty;
    return (typeof x === 'number' ? this.lone!.seq(x) : x.seq) < (typeof y === 'number' ? this.lone!.seq(y) : y.seq);
  }

  /** Inserts lone window `slot` (sequence number `seq`) at its max timestamp. */
  insertLone(slot: number, seq: number): void {
    this.insert(slot as unknown as E, this.lone!.maxTs(slot), seq);
  }

  /** Puts `e` where lone window `slot` is (the same time and sequence number), if it is there. */
  replaceLone(slot: number, e: E): void {
    const i = this.lone!.heapPos(slot);
    e.eventSlot = i;
    if (i < 0) return;
    this.a[i] = e;
    this.lone!.setHeapPos(slot, -1);
  }

  /** `pop`, which may return a lone window's slot. */
  popTimed(): Timed<E> | undefined {
    this.settle();
    return super.pop();
  }

  /** `peek`, which may return a lone window's slot. */
  peekTimed(): Timed<E> | undefined {
    this.settle();
    return this.a[0];
  }

  override set(e: E, t: number): void {
    e.eventTime = t;
    const i = e.eventSlot;
    if (i < 0) this.insert(e, t);
    else if (t < this.keys[i]!) this.rekey(i, t);
    // Later: the key lags; settled when the entry reaches the top.
  }

  /** Inserts entries not in the heap, each at its `eventTime`: one by one when few, else appended
   *  and heapified. */
  addAll(entries: readonly E[]): void {
    const m = entries.length;
    const n = this.a.length;
    if (m < 64 || m * 4 < n) {
      for (let i = 0; i < m; i++) this.insert(entries[i]!, entries[i]!.eventTime);
      return;
    }
    while (this.keys.length < n + m) this.grow();
    const a = this.a;
    const keys = this.keys;
    const seqs = this.seqs;
    for (let i = 0; i < m; i++) {
      const e = entries[i]!;
      a.push(e);
      keys[n + i] = e.eventTime;
      seqs[n + i] = e.seq;
      e.eventSlot = n + i;
    }
    for (let i = (a.length - 2) >> 2; i >= 0; i--) this.down(i);
  }

  /** Brings the top entry's key up to its true time (repeatedly, until the top is true). When
   *  many keys lag (sessions that grew since their timer was set), one rebuild from the true
   *  times costs less than sifting them down one after another. */
  private settle(): void {
    const a = this.a;
    let steps = 0;
    while (a.length > 0) {
      const t = this.timeOf(a[0]!);
      if (t === this.keys[0]) return;
      if (++steps > 64 + (a.length >>> 6)) {
        this.rebuild();
        return;
      }
      this.keys[0] = t;
      this.down(0);
    }
  }

  /** Every key to its true time, then heapified bottom-up: O(n). */
  private rebuild(): void {
    const a = this.a;
    const keys = this.keys;
    for (let i = 0; i < a.length; i++) keys[i] = this.timeOf(a[i]!);
    for (let i = (a.length - 2) >> 2; i >= 0; i--) this.down(i);
  }

  override topTime(): number {
    this.settle();
    return this.a.length === 0 ? Infinity : this.keys[0]!;
  }

  /** The top entry (settled); not for a heap holding lone windows (`popTimed`). */
  override pop(): E | undefined {
    return this.popTimed() as E | undefined;
  }

  /** The top entry (settled); not for a heap holding lone windows (`peekTimed`). */
  override peek(): E | undefined {
    return this.peekTimed() as E | undefined;
  }

  /**
   * Removes every entry whose time is before `wm` and returns them in (time, seq) order — for a
   * watermark that passes most timers at once (the end of a backfill), a numeric sort instead of
   * a heap pop per timer. Null (nothing removed) when few entries are due, or when (time, seq)
   * does not pack exactly into one double.
   *
   * Memory matters here as much as time: at the end of input every open window is due at once,
   * so the work arrays are all this adds to the job's peak (one packed double per timer, and a
   * table over the sequence numbers when they are dense enough).
   */
  takeDue(wm: number): DueTimers<E> | null {
    const a = this.a;
    const n = a.length;
    if (n < 4096) return null;
    const keys = this.keys;
    const seqs = this.seqs;
    // A watermark that moves a little (streaming) must not cost a pass over every timer: a
    // sample of the keys (which may lag, never lead) says whether most could be due.
    let sampled = 0;
    for (let i = 0; i < n; i += n >>> 6) if (keys[i]! < wm) sampled++;
    if (sampled < 24) return null;
    // Each entry is touched once: its true time replaces its key (a lagging key may only move
    // up to it, so the heap stays valid once re-heapified) and a due one is marked out of the
    // heap (undone if this gives up).
    let cnt = 0;
    let minT = Infinity;
    let maxT = -Infinity;
    let minS = Infinity;
    let maxS = -Infinity;
    for (let i = 0; i < n; i++) {
      const e = a[i]!;
      const t = this.timeOf(e);
      keys[i] = t;
      if (!(t < wm)) continue;
      this.setIdx(e, -1);
      cnt++;
      if (t < minT) minT = t;
      if (t > maxT) maxT = t;
      const q = seqs[i]!;
      if (q < minS) minS = q;
      if (q > maxS) maxS = q;
    }
    if (cnt < n / 2 || !Number.isInteger(minT) || !Number.isInteger(maxT) || (maxT - minT + 1) * cnt > Number.MAX_SAFE_INTEGER) {
      for (let i = 0; i < n; i++) if (keys[i]! < wm) this.setIdx(a[i]!, i);
      this.rebuild();
      return null;
    }
    const timeSpan = maxT - minT + 1;
    const seqSpan = maxS - minS + 1;
    if (seqSpan <= 32 * cnt && seqSpan <= 1 << 24 && timeSpan * seqSpan <= Number.MAX_SAFE_INTEGER) {
      // Dense sequence numbers: (time, seq) packs into one double, and a table over the
      // sequence numbers finds each due entry among the old entries (kept whole when all are
      // due, the end-of-input case: then nothing is copied).
      const table = new Int32Array(seqSpan);
      const packed = new Float64Array(cnt);
      const due = cnt === n ? a : new Array<E>(cnt);
      let j = 0;
      for (let i = 0; i < n; i++) {
        if (!(keys[i]! < wm)) continue;
        const q = seqs[i]! - minS;
        packed[j] = (keys[i]! - minT) * seqSpan + q;
        if (due !== a) due[j] = a[i]!;
        table[q] = due === a ? i : j;
        j++;
      }
      const order = this.sortAfterKeep(wm, packed, timeSpan * seqSpan - 1);
      // Each packed key becomes its entry's position, in one pass (its random reads of the
      // table overlap each other; in the firing loop each would stall it).
      for (let k = 0; k < cnt; k++) packed[k] = table[remainder(order[k]!, seqSpan)]!;
      return new DueTimers(packed, due, this.lone);
    }
    // Sparse ones: each due entry's rank by sequence number, by sorting them.
    const sorted = new Float64Array(cnt);
    let r = 0;
    for (let i = 0; i < n; i++) if (keys[i]! < wm) sorted[r++] = seqs[i]!;
    sorted.sort();
    const packed = new Float64Array(cnt);
    const byRank: E[] = new Array(cnt);
    let j = 0;
    for (let i = 0; i < n; i++) {
      if (!(keys[i]! < wm)) continue;
      const rank = rankOf(sorted, seqs[i]!);
      packed[j++] = (keys[i]! - minT) * cnt + rank;
      byRank[rank] = a[i]!;
    }
    const order = this.sortAfterKeep(wm, packed, (maxT - minT) * cnt + cnt - 1);
    for (let k = 0; k < cnt; k++) packed[k] = remainder(order[k]!, cnt);
    return new DueTimers(packed, byRank, this.lone);
  }

  /**
   * Keeps the entries at or after `wm` (`keep`), then sorts `packed` (integers in [0, `max`])
   * into the key array's unused end: the sort needs no memory of its own beyond its counts
   * (at the end of input there is little to spare). The result is valid until the heap changes.
   */
  private sortAfterKeep(wm: number, packed: Float64Array, max: number): Float64Array {
    this.keep(wm);
    const kept = this.a.length;
    // (The key array holds every entry there was: room for the kept ones and the due ones.)
    const sorted = this.keys.subarray(kept, kept + packed.length);
    sortPackedInto(packed, max, sorted);
    return sorted;
  }

  /** Keeps only the entries at or after `wm` (keys already true), as a heap. */
  private keep(wm: number): void {
    const old = this.a;
    const keys = this.keys;
    const seqs = this.seqs;
    const a: E[] = [];
    for (let i = 0; i < old.length; i++) {
      const t = keys[i]!;
      if (t < wm) continue;
      const e = old[i]!;
      const k = a.length;
      a.push(e);
      keys[k] = t;
      seqs[k] = seqs[i]!;
      this.setIdx(e, k);
    }
    this.a = a;
    for (let i = (a.length - 2) >> 2; i >= 0; i--) this.down(i);
  }
}

/** `x mod m` for non-negative safe integers, without a floating-point `%` (a library call). */
function remainder(x: number, m: number): number {
  const r = x - Math.floor(x / m) * m;
  // (A quotient rounded up to the next integer, possible only near 2^53: `%` is exact.)
  return r >= 0 && r < m ? r : x % m;
}

/** Position of `x` in the sorted, duplicate-free `sorted`. */
function rankOf(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** An entry with a slot for processing-time and hold heap positions (absent: not in them). */
export interface AuxEntry {
  readonly seq: number;
  extras: { procSlot: number; holdSlot: number } | null;
}

/** Processing-time timers: fire when processing time reaches (≥) the time. */
export class ProcessingTimerHeap<E extends AuxEntry> extends EntryHeap<E> {
  protected idx(e: E): number {
    return e.extras === null ? -1 : e.extras.procSlot;
  }
  protected setIdx(e: E, i: number): void {
    e.extras!.procSlot = i;
  }
}

/** Output watermark holds: the top is the earliest hold. */
export class HoldHeap<E extends AuxEntry> extends EntryHeap<E> {
  protected idx(e: E): number {
    return e.extras === null ? -1 : e.extras.holdSlot;
  }
  protected setIdx(e: E, i: number): void {
    e.extras!.holdSlot = i;
  }
}

/** Timers taken off the heap in (time, seq) order: `at(k)` for k < `length` (an entry, or a
 *  lone window's slot). */
export class DueTimers<E extends HeapEntry> {
  readonly length: number;
  /** (Keeps `warm`'s reads from being optimized away.) */
  private touched = 0;
  constructor(
    /** Where in `entries` the k-th timer's entry is. */
    private readonly order: Float64Array,
    private readonly entries: readonly E[],
    private readonly lone: LoneWindows<unknown, unknown> | null,
  ) {
    this.length = order.length;
  }
  at(k: number): Timed<E> {
    return this.entries[this.order[k]!]!;
  }
  /**
   * Reads entries k … k + m − 1 ahead of their use. The timers of a large heap come due in an
   * order unrelated to where their entries lie in memory, so each one's first read misses the
   * cache; in a loop doing nothing else those misses overlap, while between the firings of the
   * timers before it each would stall alone.
   */
  warm(k: number, m: number): void {
    const end = k + m < this.length ? k + m : this.length;
    let x = 0;
    for (let j = k; j < end; j++) {
      const e = this.entries[this.order[j]!]! as Timed<E>;
      x += typeof e === 'number' ? this.lone!.touch(e) : e.eventSlot;
    }
    this.touched = x;
  }
}
