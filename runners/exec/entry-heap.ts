/**
 * A 4-ary min-heap of entries keyed by (time, seq): O(log n) insert, update and removal, O(1)
 * peek (4-ary: half the levels of a binary heap, so half the entries touched per pop; the four
 * children's keys share a cache line). The keys and tie-breakers live in typed arrays beside the
 * entries, so sifting compares numbers without reading an entry (on a heap of a million timers,
 * each entry read is a cache miss); each heap keeps its position in a field of the entry's own
 * (`idx` / `setIdx`), so one entry can sit in several heaps at once without wrappers. `seq` (the
 * entry's creation or setting order) breaks ties, so the order is deterministic. The window
 * engine's timer and hold heaps (windowing/timer-heap.ts) and the stateful ParDo's timer queues
 * (state/timer-queue.ts) are its subclasses.
 */
export abstract class EntryHeap<E extends { readonly seq: number }> {
  protected a: E[] = [];
  protected keys = new Float64Array(16);
  protected seqs = new Float64Array(16);
  protected abstract idx(e: E): number;
  protected abstract setIdx(e: E, i: number): void;

  get size(): number {
    return this.a.length;
  }

  /** Key of the top entry, or `Infinity` when empty. */
  topTime(): number {
    return this.a.length === 0 ? Infinity : this.keys[0]!;
  }

  protected keyOf(e: E): number {
    return this.keys[this.idx(e)]!;
  }

  /** The key `e` is queued at (for a checkpoint), NaN when it is not in this heap. For the
   *  event-time heap the true time is the entry's `eventTime`, not this. */
  queuedAt(e: E): number {
    const i = this.idx(e);
    return i < 0 ? NaN : this.keys[i]!;
  }

  /** Inserts `e` at time `t`; `seq` for an entry that keeps its own elsewhere (the window
   *  engine's lone windows: see windowing/lone-windows.ts). */
  protected insert(e: E, t: number, seq: number = e.seq): void {
    const n = this.a.length;
    if (n === this.keys.length) this.grow();
    this.a.push(e);
    this.keys[n] = t;
    this.seqs[n] = seq;
    this.up(n);
  }

  protected grow(): void {
    const k = new Float64Array(this.keys.length * 2);
    k.set(this.keys);
    this.keys = k;
    const s = new Float64Array(this.seqs.length * 2);
    s.set(this.seqs);
    this.seqs = s;
  }

  /** Moves the entry at `i` to key `t`. */
  protected rekey(i: number, t: number): void {
    const old = this.keys[i]!;
    if (t === old) return;
    this.keys[i] = t;
    if (t < old) this.up(i);
    else this.down(i);
  }

  /** Inserts `e` at time `t`, or moves it there if it is already in the heap. */
  set(e: E, t: number): void {
    const i = this.idx(e);
    if (i < 0) this.insert(e, t);
    else this.rekey(i, t);
  }

  remove(e: E): void {
    const i = this.idx(e);
    if (i < 0) return;
    this.setIdx(e, -1);
    const a = this.a;
    const last = a.pop()!;
    const n = a.length;
    if (i < n) {
      a[i] = last;
      this.keys[i] = this.keys[n]!;
      this.seqs[i] = this.seqs[n]!;
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

  protected up(i: number): void {
    const a = this.a;
    const keys = this.keys;
    const seqs = this.seqs;
    const e = a[i]!;
    const k = keys[i]!;
    const s = seqs[i]!;
    while (i > 0) {
      const p = (i - 1) >>> 2;
      const pk = keys[p]!;
      if (!(k < pk || (k === pk && s < seqs[p]!))) break;
      const pe = a[p]!;
      a[i] = pe;
      keys[i] = pk;
      seqs[i] = seqs[p]!;
      this.setIdx(pe, i);
      i = p;
    }
    a[i] = e;
    keys[i] = k;
    seqs[i] = s;
    this.setIdx(e, i);
  }

  protected down(i: number): void {
    const a = this.a;
    const keys = this.keys;
    const seqs = this.seqs;
    const n = a.length;
    const e = a[i]!;
    const k = keys[i]!;
    const s = seqs[i]!;
    for (;;) {
      const l = 4 * i + 1;
      if (l >= n) break;
      const last = l + 4 < n ? l + 4 : n;
      let c = l;
      let ck = keys[l]!;
      for (let r = l + 1; r < last; r++) {
        const rk = keys[r]!;
        if (rk < ck || (rk === ck && seqs[r]! < seqs[c]!)) {
          c = r;
          ck = rk;
        }
      }
      if (!(ck < k || (ck === k && seqs[c]! < s))) break;
      const ce = a[c]!;
      a[i] = ce;
      keys[i] = ck;
      seqs[i] = seqs[c]!;
      this.setIdx(ce, i);
      i = c;
    }
    a[i] = e;
    keys[i] = k;
    seqs[i] = s;
    this.setIdx(e, i);
  }

  /** The top entry (the event-time heap settles it first). */
  peek(): E | undefined {
    return this.a[0];
  }

  has(e: E): boolean {
    return this.idx(e) >= 0;
  }

  /** Every entry, in no particular order. */
  entries(): readonly E[] {
    return this.a;
  }
}
