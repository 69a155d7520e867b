/**
 * Sorts the packed (time, sequence) keys of due timers (timer-heap.ts `takeDue`): non-negative
 * safe integers, up to a million or more at the end of input. A comparison sort of a million
 * doubles takes ~20 passes' worth of work; spread over their range they are sorted in two
 * passes — one counting how many keys fall into each of n/8 equal slices of the range, one
 * putting each key in its slice — and each slice (eight keys on average) sorted where it lies.
 * A slice that gets many keys (times bunched together) is sorted by the engine's own sort, so
 * uneven spreads cost what a comparison sort costs, never more.
 */

/** Slices this full or fuller are sorted by the typed array's own sort. */
const NATIVE_SORT_FROM = 48;

/**
 * `src`'s values in ascending order, written to `dst` (as long as `src`; `src` is left as it
 * was). Every value must be an integer in [0, `max`].
 */
export function sortPackedInto(src: Float64Array, max: number, dst: Float64Array): void {
  const n = src.length;
  const slices = Math.max(1, n >>> 3);
  const scale = slices / (max + 1);
  // ends[s + 1] counts slice s's keys, then (summed) ends[s] is where slice s starts.
  const ends = new Int32Array(slices + 1);
  for (let i = 0; i < n; i++) ends[sliceOf(src[i]!, scale, slices) + 1]!++;
  for (let s = 1; s <= slices; s++) ends[s]! += ends[s - 1]!;
  for (let i = 0; i < n; i++) {
    const v = src[i]!;
    dst[ends[sliceOf(v, scale, slices)]!++] = v;
  }
  // ends[s] is now where slice s ends.
  let start = 0;
  for (let s = 0; s < slices; s++) {
    const end = ends[s]!;
    if (end - start >= NATIVE_SORT_FROM) dst.subarray(start, end).sort();
    else insertionSort(dst, start, end);
    start = end;
  }
}

/** The slice of `v`: never decreasing as `v` grows (so slices are in order), below `slices`. */
function sliceOf(v: number, scale: number, slices: number): number {
  const s = Math.floor(v * scale);
  return s < slices ? s : slices - 1;
}

function insertionSort(a: Float64Array, start: number, end: number): void {
  for (let i = start + 1; i < end; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= start && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}
