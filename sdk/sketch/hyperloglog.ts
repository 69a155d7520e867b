/**
 * HyperLogLog (Flajolet et al. 2007) with Ertl's improved estimator ("New cardinality estimation
 * algorithms for HyperLogLog sketches", 2017), which is unbiased from 0 to beyond 10^9 distinct
 * values without the empirical bias tables of HLL++. A sketch is its registers, one byte each:
 * `2^precision` of them. The relative standard error of the estimate is about
 * 1.04 / sqrt(2^precision): 1.6% at the default precision 12 (4 KiB per sketch), 0.8% at 14.
 * Sketches of the same precision merge by taking each register's maximum, so merging is exact:
 * the merged sketch is the one the union of the inputs would have built.
 */
import { hash64, type Hashable } from './hash64.js';

export const MIN_PRECISION = 4;
export const MAX_PRECISION = 18;
export const DEFAULT_PRECISION = 12;

export type HllSketch = Uint8Array;

export function checkPrecision(precision: number): void {
  if (!Number.isInteger(precision) || precision < MIN_PRECISION || precision > MAX_PRECISION) {
    throw new RangeError(`a HyperLogLog precision is a whole number from ${MIN_PRECISION} to ${MAX_PRECISION} (2^p registers, error ≈ 1.04/√2^p), got ${precision}`);
  }
}

export function createSketch(precision: number = DEFAULT_PRECISION): HllSketch {
  checkPrecision(precision);
  return new Uint8Array(1 << precision);
}

/** The precision of a sketch, from its size; a size that is not 2^p (p in range) is refused. */
export function precisionOf(sketch: HllSketch): number {
  const p = 31 - Math.clz32(sketch.length);
  if (1 << p !== sketch.length || p < MIN_PRECISION || p > MAX_PRECISION) throw new RangeError(`a HyperLogLog sketch has 2^p registers (p ${MIN_PRECISION}..${MAX_PRECISION}), this one has ${sketch.length}`);
  return p;
}

const hashOut = new Uint32Array(2);

export function addToSketch(sketch: HllSketch, value: Hashable): void {
  hash64(value, hashOut);
  const p = precisionOf(sketch);
  const hi = hashOut[0]!;
  const index = hi >>> (32 - p);
  // The rank: 1 + the leading zeros of the 64 - p bits after the index.
  const rest = (hi << p) >>> 0; // the hash's remaining 32 - p bits of the high word, at the top
  let rank: number;
  if (rest !== 0) rank = Math.clz32(rest) + 1;
  else {
    const lo = hashOut[1]!;
    rank = lo !== 0 ? 32 - p + Math.clz32(lo) + 1 : 64 - p + 1;
  }
  if (rank > sketch[index]!) sketch[index] = rank;
}

/** Registers of `from` merged into `into` (same precision). */
export function mergeInto(into: HllSketch, from: HllSketch): HllSketch {
  if (into.length !== from.length) {
    throw new RangeError(`cannot merge HyperLogLog sketches of different precisions (2^${precisionOf(into)} and 2^${precisionOf(from)} registers)`);
  }
  for (let i = 0; i < into.length; i++) if (from[i]! > into[i]!) into[i] = from[i]!;
  return into;
}

/** The estimated number of distinct values added (Ertl 2017, the "improved raw estimator"). */
export function estimate(sketch: HllSketch): number {
  const p = precisionOf(sketch);
  const m = sketch.length;
  const q = 64 - p;
  const counts = new Float64Array(q + 2);
  for (let i = 0; i < m; i++) counts[sketch[i]!]!++;
  let z = m * tau(1 - counts[q + 1]! / m);
  for (let k = q; k >= 1; k--) z = 0.5 * (z + counts[k]!);
  z += m * sigma(counts[0]! / m);
  return Math.round((m * m) / (2 * Math.LN2 * z));
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const before = z;
    z += x * y;
    y += y;
    if (z === before) return z;
  }
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const before = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
    if (z === before) return z / 3;
  }
}
