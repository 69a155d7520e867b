/**
 * Elements noted for deferred session merging (see deferred-sessions.ts), grouped
 * by key. A bundle's elements arrive with their keys interleaved and are merged a key at a time;
 * pushing each onto arrays of its own key made every element a cache miss on two growing arrays,
 * and the arrays' growth and promotion a good part of the garbage collector's work. Here a key's
 * elements go into fixed-size chunks of one shared pool instead: appending writes where the key's
 * last element went (still in cache), the numbers live in a typed array the collector never
 * copies, and the pool is reused from one bundle to the next.
 */

/** Elements per chunk: large enough for sequential reads, small enough that a key with one
 *  pending element wastes little. */
const CHUNK = 8;
const SHIFT = 3;
/** Numbers per element: window start and sequence number (the span of every window in the
 *  log is the same, kept by the reducer). */
const W = 2;
/** A pool larger than this many chunks is released after a flush rather than kept. */
const KEEP_CHUNKS = 4096;

export class PendingLog {
  private nums = new Float64Array(64 * CHUNK * W);
  /** Written in chunk order, so never more than a chunk past its length: it stays a fast
   *  (holey) array and needs no filling ahead. */
  private vals: unknown[] = [];
  /** Next chunk of the same key (−1: last). */
  private next = new Int32Array(64);
  /** Elements in each chunk. */
  private fill = new Uint8Array(64);
  private chunks = 0;

  /** Appends an element to the key whose last chunk is `tail` (−1: a key with none yet, whose
   *  first chunk this makes); returns the key's last chunk now. */
  append(tail: number, start: number, seq: number, value: unknown): number {
    let ch = tail;
    let n: number;
    if (ch < 0 || (n = this.fill[ch]!) === CHUNK) {
      const c = this.newChunk();
      if (ch >= 0) this.next[ch] = c;
      ch = c;
      n = 0;
    }
    this.fill[ch] = n + 1;
    const slot = (ch << SHIFT) + n;
    const o = slot * W;
    const nums = this.nums;
    nums[o] = start;
    nums[o + 1] = seq;
    this.vals[slot] = value;
    return ch;
  }

  /** First slot of chunk `ch`, its element count, and the chunk after it. */
  slot(ch: number): number {
    return ch << SHIFT;
  }
  count(ch: number): number {
    return this.fill[ch]!;
  }
  nextChunk(ch: number): number {
    return this.next[ch]!;
  }
  start(slot: number): number {
    return smi(this.nums[slot * W]!);
  }
  seq(slot: number): number {
    return smi(this.nums[slot * W + 1]!);
  }
  value(slot: number): unknown {
    return this.vals[slot];
  }

  /** Every key has been taken out: the pool is empty again (and lets go of the values). */
  clear(): void {
    if (this.chunks > KEEP_CHUNKS) {
      this.nums = new Float64Array(64 * CHUNK * W);
      this.next = new Int32Array(64);
      this.fill = new Uint8Array(64);
      this.vals = [];
    } else {
      this.vals.fill(undefined, 0, this.chunks << SHIFT);
    }
    this.chunks = 0;
  }

  private newChunk(): number {
    const c = this.chunks++;
    if (c === this.next.length) {
      const cap = c * 4;
      const nums = new Float64Array(cap * CHUNK * W);
      nums.set(this.nums);
      this.nums = nums;
      const next = new Int32Array(cap);
      next.set(this.next);
      this.next = next;
      const fill = new Uint8Array(cap);
      fill.set(this.fill);
      this.fill = fill;
    }
    this.next[c] = -1;
    this.fill[c] = 0;
    return c;
  }
}

/**
 * A number read back from the typed pool as the small integer it was stored as, when it is one.
 * Window states keep these numbers in fields; a field that has only ever held small integers and
 * then gets a float (which every typed-array read is) changes its representation, and the engine
 * then throws away optimized code and restarts the hotness count of every function touching
 * window states — for most of a large flush, the merge would run unoptimized.
 */
function smi(x: number): number {
  const i = x | 0;
  return i === x ? i : x;
}
