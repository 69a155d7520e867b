/**
 * Elements noted for deferred session merging (see deferred-sessions.ts), grouped
 * by key. A bundle's elements arrive with their keys interleaved and are merged a key at a time;
 * pushing each onto arrays of its own key made every element a cache miss on two growing arrays,
 * and the arrays' growth and promotion a good part of the garbage collector's work. Here a key's
 * elements go into fixed-size chunks of one shared pool instead: appending writes where the key's
 * last element went (still in cache), the numbers live in a typed array the collector never
 * copies, and the pool is reused from one bundle to the next.
 *
 * An element is three numbers side by side — window start, sequence number and, when the value
 * is a number (a count's or a sum's input, the usual case), the value itself — so noting one
 * writes one place of the pool. A value that is not a number (or is NaN) goes into `vals` and
 * its number slot holds NaN. A key's last slot says how full its last chunk is, so nothing else
 * is read or written per element.
 */

/** Elements per chunk: large enough for sequential reads, small enough that a key with one
 *  pending element wastes little. */
const CHUNK = 8;
const SHIFT = 3;
/** Numbers per element: window start, sequence number, value (NaN: in `vals`). The span of every
 *  window in the log is the same, kept by the reducer. */
const W = 3;
/** A pool larger than this many chunks is released after a flush rather than kept. */
const KEEP_CHUNKS = 4096;

export class PendingLog {
  private nums = new Float64Array(64 * CHUNK * W);
  /** Values that are not numbers, at their slots; written in chunk order, so never more than a
   *  chunk past its length: it stays a fast (holey) array and needs no filling ahead. */
  private vals: unknown[] = [];
  /** Whether `vals` holds anything since the last clear. */
  private hasVals = false;
  /** Next chunk of the same key (−1: last). */
  private next = new Int32Array(64);
  private chunks = 0;

  /** Appends an element to the key whose last slot is `tail` (−1: a key with none yet, whose
   *  first chunk this makes); returns the key's last slot now. */
  append(tail: number, start: number, seq: number, value: unknown): number {
    let slot: number;
    if (tail >= 0 && ((tail + 1) & (CHUNK - 1)) !== 0) slot = tail + 1;
    else {
      const c = this.newChunk();
      if (tail >= 0) this.next[tail >> SHIFT] = c;
      slot = c << SHIFT;
    }
    const o = slot * W;
    const nums = this.nums;
    nums[o] = start;
    nums[o + 1] = seq;
    if (typeof value === 'number' && value === value) nums[o + 2] = value;
    else {
      nums[o + 2] = NaN;
      this.vals[slot] = value;
      this.hasVals = true;
    }
    return slot;
  }

  /** First slot of chunk `ch`; its element count, given the key's last slot; the chunk after it. */
  slot(ch: number): number {
    return ch << SHIFT;
  }
  count(ch: number, tail: number): number {
    return tail >> SHIFT === ch ? (tail & (CHUNK - 1)) + 1 : CHUNK;
  }
  nextChunk(ch: number): number {
    return this.next[ch]!;
  }
  /** The chunk a key's first slot `head` is in. */
  chunkOf(slot: number): number {
    return slot >> SHIFT;
  }
  start(slot: number): number {
    return smi(this.nums[slot * W]!);
  }
  seq(slot: number): number {
    return smi(this.nums[slot * W + 1]!);
  }
  value(slot: number): unknown {
    const v = this.nums[slot * W + 2]!;
    if (v !== v) return this.vals[slot];
    const i = v | 0;
    return i === v && (i !== 0 || 1 / v > 0) ? i : v; // (as `smi`, keeping −0)
  }

  /** Every key has been taken out: the pool is empty again (and lets go of the values). */
  clear(): void {
    if (this.chunks > KEEP_CHUNKS) {
      this.nums = new Float64Array(64 * CHUNK * W);
      this.next = new Int32Array(64);
      this.vals = [];
    } else if (this.hasVals) {
      this.vals.fill(undefined, 0, this.chunks << SHIFT);
    }
    this.hasVals = false;
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
    }
    this.next[c] = -1;
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
