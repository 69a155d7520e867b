/**
 * Binary min-heaps of window states keyed by (time, seq): O(log n) insert, update and removal,
 * O(1) peek. Each heap uses its own pair of fields on the entry (time and position), so one
 * window can sit in the event-time, processing-time and hold heaps at once without wrappers.
 * `seq` (the window's creation order) breaks ties, so firing order is deterministic.
 */

export interface HeapEntry {
  readonly seq: number;
  evTs: number;
  evIdx: number;
  ptTs: number;
  ptIdx: number;
  hdTs: number;
  hdIdx: number;
}

type Field = 'ev' | 'pt' | 'hd';

abstract class EntryHeap<E extends HeapEntry> {
  protected readonly a: E[] = [];
  protected abstract ts(e: E): number;
  protected abstract setTs(e: E, t: number): void;
  protected abstract idx(e: E): number;
  protected abstract setIdx(e: E, i: number): void;

  get size(): number {
    return this.a.length;
  }

  peek(): E | undefined {
    return this.a[0];
  }

  /** Time of the top entry, or `Infinity` when empty. */
  topTime(): number {
    const e = this.a[0];
    return e === undefined ? Infinity : this.ts(e);
  }

  /** Inserts `e` at time `t`, or moves it there if it is already in the heap. */
  set(e: E, t: number): void {
    const i = this.idx(e);
    if (i < 0) {
      this.setTs(e, t);
      this.a.push(e);
      this.up(this.a.length - 1);
      return;
    }
    const old = this.ts(e);
    if (t === old) return;
    this.setTs(e, t);
    if (t < old) this.up(i);
    else this.down(i);
  }

  remove(e: E): void {
    const i = this.idx(e);
    if (i < 0) return;
    this.setIdx(e, -1);
    const last = this.a.pop()!;
    if (i < this.a.length) {
      this.a[i] = last;
      this.setIdx(last, i);
      this.up(i);
      this.down(this.idx(last));
    }
  }

  pop(): E | undefined {
    const top = this.a[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  private less(x: E, y: E): boolean {
    const tx = this.ts(x);
    const ty = this.ts(y);
    return tx < ty || (tx === ty && x.seq < y.seq);
  }

  private up(i: number): void {
    const a = this.a;
    const e = a[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pe = a[p]!;
      if (!this.less(e, pe)) break;
      a[i] = pe;
      this.setIdx(pe, i);
      i = p;
    }
    a[i] = e;
    this.setIdx(e, i);
  }

  private down(i: number): void {
    const a = this.a;
    const n = a.length;
    const e = a[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && this.less(a[r]!, a[l]!)) c = r;
      const ce = a[c]!;
      if (!this.less(ce, e)) break;
      a[i] = ce;
      this.setIdx(ce, i);
      i = c;
    }
    a[i] = e;
    this.setIdx(e, i);
  }
}

/** Event-time timers: fire when the input watermark is past (>) the time. */
export class EventTimerHeap<E extends HeapEntry> extends EntryHeap<E> {
  protected ts(e: E): number {
    return e.evTs;
  }
  protected setTs(e: E, t: number): void {
    e.evTs = t;
  }
  protected idx(e: E): number {
    return e.evIdx;
  }
  protected setIdx(e: E, i: number): void {
    e.evIdx = i;
  }
}

/** Processing-time timers: fire when processing time reaches (≥) the time. */
export class ProcessingTimerHeap<E extends HeapEntry> extends EntryHeap<E> {
  protected ts(e: E): number {
    return e.ptTs;
  }
  protected setTs(e: E, t: number): void {
    e.ptTs = t;
  }
  protected idx(e: E): number {
    return e.ptIdx;
  }
  protected setIdx(e: E, i: number): void {
    e.ptIdx = i;
  }
}

/** Output watermark holds: the top is the earliest hold. */
export class HoldHeap<E extends HeapEntry> extends EntryHeap<E> {
  protected ts(e: E): number {
    return e.hdTs;
  }
  protected setTs(e: E, t: number): void {
    e.hdTs = t;
  }
  protected idx(e: E): number {
    return e.hdIdx;
  }
  protected setIdx(e: E, i: number): void {
    e.hdIdx = i;
  }
}

export type { Field };
