/**
 * Sorted, disjoint intervals kept as parallel arrays of starts and ends (a key's sessions while
 * they merge: the harness's merging precombine and the direct runner's per-bundle session merge).
 */

/** The first of the first `n` intervals that ends after `start` (`n` when none does): every one
 *  before it lies wholly before an interval starting at `start`. Checks the last one first, as
 *  time-ordered input usually lands after every interval held. */
export function firstEndingAfter(ends: ArrayLike<number>, n: number, start: number): number {
  if (n === 0 || ends[n - 1]! <= start) return n;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ends[mid]! > start) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
