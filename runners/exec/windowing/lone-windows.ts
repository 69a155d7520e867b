/**
 * Windows of keys that have one window and nothing else — the usual open session — kept in
 * columns indexed by a slot number instead of one `WindowState` object each. The engine maps such
 * a key to its slot (a small integer) and the event-timer heap holds the slot in place of an
 * entry; a window state is made from the slot only when the window is fired, or when its key
 * gets a second element (then the object takes the slot's place in the map and in the heap).
 *
 * Why: V8 allocates objects made by `new` in the young generation, and one that lives copies
 * twice (to the survivor space, then to the old generation) — unlike object literals, which it
 * learns to allocate old. A million open sessions each kept as an 80-byte window state made the
 * scavenges copy about 160 MB more than a plain loop keeping a Map of literal records; in columns
 * a window costs 48 bytes that the garbage collector never copies or scans (but for the key and
 * accumulator references).
 *
 * Only for sessions under the default trigger, END_OF_WINDOW and no lateness (where the engine
 * defers merging: `DeferredSessions`), without an arrival clock, and keys that are their own
 * grouping id: such a window's event timer is its max timestamp, it holds nothing but its
 * accumulator, it is never dirty, closed or kept apart, and it always holds data.
 */
/** Numbers per slot in `nums`: start, max timestamp, sequence number, event-heap position. */
const NUMS = 4;
/** References per slot in `refs`: key, accumulator. */
const REFS = 2;
/** Slots per chunk (a power of two). Columns grow a chunk at a time: nothing is copied, and no
 *  outgrown array lingers until a full garbage collection frees it (with a million windows,
 *  doubling arrays kept as much again in outgrown copies at the peak). */
const CHUNK_BITS = 14;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

export class LoneWindows<K, A> {
  /** start, maxTs, seq and heap position (−1: not in the heap) of each slot, side by side (a
   *  window's numbers share a cache line), a chunk per `CHUNK` slots. */
  private nums: Float64Array[] = [];
  /** key and accumulator of each slot, a chunk per `CHUNK` slots. */
  private refs: unknown[][] = [];
  /** Slots given back, reused first. */
  private free: number[] = [];
  /** Slots ever handed out (the next new one). */
  private top = 0;

  /** A slot for a window [start, maxTs] of `key`. */
  add(key: K, start: number, maxTs: number, seq: number, acc: A): number {
    let s: number;
    if (this.free.length > 0) s = this.free.pop()!;
    else {
      s = this.top++;
      if ((s & MASK) === 0) {
        this.nums.push(new Float64Array(NUMS * CHUNK));
        this.refs.push(new Array<unknown>(REFS * CHUNK).fill(undefined));
      }
    }
    const r = this.refs[s >>> CHUNK_BITS]!;
    const i = REFS * (s & MASK);
    r[i] = key;
    r[i + 1] = acc;
    const n = this.nums[s >>> CHUNK_BITS]!;
    const o = NUMS * (s & MASK);
    n[o] = start;
    n[o + 1] = maxTs;
    n[o + 2] = seq;
    n[o + 3] = -1;
    return s;
  }

  /** Gives slot `s` back (its references dropped). */
  release(s: number): void {
    const r = this.refs[s >>> CHUNK_BITS]!;
    const i = REFS * (s & MASK);
    r[i] = undefined;
    r[i + 1] = undefined;
    this.nums[s >>> CHUNK_BITS]![NUMS * (s & MASK) + 3] = -1;
    this.free.push(s);
  }

  /** Every slot given back at once (the engine dropped all its keys). */
  clear(): void {
    this.nums = [];
    this.refs = [];
    this.free = [];
    this.top = 0;
  }

  start(s: number): number {
    return this.nums[s >>> CHUNK_BITS]![NUMS * (s & MASK)]!;
  }
  maxTs(s: number): number {
    return this.nums[s >>> CHUNK_BITS]![NUMS * (s & MASK) + 1]!;
  }
  seq(s: number): number {
    return this.nums[s >>> CHUNK_BITS]![NUMS * (s & MASK) + 2]!;
  }
  /** Position in the event-timer heap, −1: not there. */
  heapPos(s: number): number {
    return this.nums[s >>> CHUNK_BITS]![NUMS * (s & MASK) + 3]!;
  }
  setHeapPos(s: number, i: number): void {
    this.nums[s >>> CHUNK_BITS]![NUMS * (s & MASK) + 3] = i;
  }
  key(s: number): K {
    return this.refs[s >>> CHUNK_BITS]![REFS * (s & MASK)] as K;
  }
  acc(s: number): A {
    return this.refs[s >>> CHUNK_BITS]![REFS * (s & MASK) + 1] as A;
  }

  /** Reads slot `s` ahead of its use (see `DueTimers.warm`); returns something of it so the
   *  reads are kept. */
  touch(s: number): number {
    return this.maxTs(s) + (this.key(s) === undefined ? 1 : 0);
  }
}
