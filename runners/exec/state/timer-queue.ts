/**
 * A binary min-heap of timers by (time, seq), with O(log n) removal: each entry records its
 * position in the heap, in the field this heap owns (`slot`), so one entry can sit in a firing
 * queue and in the watermark-hold heap at once. `seq` breaks ties, so the firing order is
 * deterministic: by time, then by the order the timers were set.
 */
export interface QueueEntry {
  readonly seq: number;
  qIdx: number;
  hIdx: number;
}

export class TimerQueue<E extends QueueEntry> {
  private readonly a: E[] = [];
  constructor(
    private readonly slot: 'qIdx' | 'hIdx',
    private readonly timeOf: (e: E) => number,
  ) {}

  get size(): number {
    return this.a.length;
  }

  peek(): E | undefined {
    return this.a[0];
  }

  topTime(): number {
    const top = this.a[0];
    return top === undefined ? Infinity : this.timeOf(top);
  }

  has(e: E): boolean {
    return e[this.slot] >= 0;
  }

  push(e: E): void {
    this.a.push(e);
    e[this.slot] = this.a.length - 1;
    this.up(this.a.length - 1);
  }

  pop(): E | undefined {
    const top = this.a[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  remove(e: E): void {
    const i = e[this.slot];
    if (i < 0) return;
    e[this.slot] = -1;
    const last = this.a.pop()!;
    if (i < this.a.length) {
      this.a[i] = last;
      last[this.slot] = i;
      this.up(i);
      this.down(last[this.slot]);
    }
  }

  /** The entry's time changed: restore heap order. */
  update(e: E): void {
    const i = e[this.slot];
    if (i < 0) return;
    this.up(i);
    this.down(e[this.slot]);
  }

  /** Every entry, in no particular order. */
  entries(): readonly E[] {
    return this.a;
  }

  private less(x: E, y: E): boolean {
    const tx = this.timeOf(x);
    const ty = this.timeOf(y);
    return tx < ty || (tx === ty && x.seq < y.seq);
  }

  private up(i: number): void {
    const a = this.a;
    const e = a[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(e, a[p]!)) break;
      a[i] = a[p]!;
      a[i][this.slot] = i;
      i = p;
    }
    a[i] = e;
    e[this.slot] = i;
  }

  private down(i: number): void {
    const a = this.a;
    const n = a.length;
    const e = a[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(a[r]!, a[l]!) ? r : l;
      if (!this.less(a[c]!, e)) break;
      a[i] = a[c]!;
      a[i][this.slot] = i;
      i = c;
    }
    a[i] = e;
    e[this.slot] = i;
  }
}
