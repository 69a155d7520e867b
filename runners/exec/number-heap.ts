/** A binary min-heap of numbers kept in a plain array (no objects per entry): the watermark
 *  tracker's dirty nodes, the window buckets' end times. */
export function pushMin(h: number[], v: number): void {
  let i = h.length;
  h.push(v);
  while (i > 0) {
    const p = (i - 1) >> 1;
    const pv = h[p]!;
    if (pv <= v) break;
    h[i] = pv;
    i = p;
  }
  h[i] = v;
}

/** Removes and returns the smallest number; the heap must not be empty. */
export function popMin(h: number[]): number {
  const top = h[0]!;
  const last = h.pop()!;
  const n = h.length;
  if (n > 0) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r]! < h[l]! ? r : l;
      if (h[c]! >= last) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
  return top;
}
