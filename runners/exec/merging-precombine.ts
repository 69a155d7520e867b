/**
 * Precombine under session windows (a window fn that merges overlapping intervals): folds a
 * bundle's values per key into partial sessions before the shuffle. Each element's window
 * `[t, t + gap)` joins every partial session of its key that it overlaps (their accumulators
 * merged, the windows spanned), or starts a new one. Union of overlapping intervals is
 * associative, so the runner's GroupByKey, merging the partial sessions of all bundles and
 * workers, ends with exactly the sessions the raw elements would have made; what crosses the
 * shuffle is one accumulator per partial session instead of every value.
 *
 * Exact only where no element can be late and one final pane is fired per session (the default
 * trigger): a late element that joined an on-time partial here would be kept where the runner
 * would have dropped it. The submission lifts a combine under sessions only then
 * (runners/portable/lift.ts).
 */
import { firstEndingAfter } from './windowing/sorted-intervals.js';
import type { Instant } from '../../sdk/time/instant.js';
import type { KV } from '../../sdk/values/kv.js';
import { IntervalWindow, type BoundedWindow } from '../../sdk/window/bounded-window.js';
import { BundlePrecombine, type PrecombineConfig } from './combine-phases.js';
import type { GroupingKey } from './grouping-key.js';
import type { Delivery } from './unit.js';

/**
 * Partial sessions held before an early flush (a memory bound: ~100 bytes each, ~40 MB). Higher
 * than PrecombineUnit's key bound because a key holds many partial sessions until they merge:
 * with 10,000 keys the cluster bench's table peaks near 17 per key (170,000) before the sessions
 * of a whole day join up, and each early flush sends every partial held through Flink's
 * GroupByKey, where a merging window costs tens of µs per element.
 */
export const MERGING_PRECOMBINE_MAX_PARTIALS = 400_000;

/** A key's partial sessions as parallel arrays (a binary search reads one array of numbers, not
 *  an object per session): pairwise disjoint, sorted by start, hence by end too. */
interface KeySessions {
  readonly key: unknown;
  readonly starts: number[];
  readonly ends: number[];
  /** The earliest input timestamp of each (an EARLIEST timestamp combiner's; others use the window). */
  readonly stamps: number[];
  readonly accs: unknown[];
}

export class MergingPrecombineUnit extends BundlePrecombine {
  private readonly table = new Map<GroupingKey, KeySessions>();

  constructor(cfg: PrecombineConfig) {
    super(cfg, MERGING_PRECOMBINE_MAX_PARTIALS);
  }

  receiveParts(element: unknown, timestamp: Instant, windows: readonly BoundedWindow[]): Delivery {
    const { key, value } = element as KV<unknown, unknown>;
    const gk = this.cfg.keyOf(key);
    let held = this.table.get(gk);
    if (!held) this.table.set(gk, (held = { key, starts: [], ends: [], stamps: [], accs: [] }));
    for (const w of windows) {
      if (!(w instanceof IntervalWindow)) throw new TypeError(`${this.name}: a merging precombine needs interval windows, got ${String(w)}`);
      this.add(held, w.start, w.end, timestamp, value);
    }
    return this.flushIfFull();
  }

  /** Folds `value` in window [start, end) into the key's partial sessions. The sessions it
   *  overlaps are a run of neighbours (sorted and disjoint), found by binary search; with them it
   *  covers one interval, which no other session of the key overlaps. */
  private add(k: KeySessions, start: number, end: number, timestamp: number, value: unknown): void {
    const { starts, ends, stamps, accs } = k;
    const lo = firstEndingAfter(ends, ends.length, start);
    let to = lo;
    while (to < starts.length && starts[to]! < end) to++;
    if (to === lo) {
      const acc = this.fn.addInput(this.fn.createAccumulator(), value);
      if (lo === starts.length) {
        starts.push(start);
        ends.push(end);
        stamps.push(timestamp);
        accs.push(acc);
      } else {
        starts.splice(lo, 0, start);
        ends.splice(lo, 0, end);
        stamps.splice(lo, 0, timestamp);
        accs.splice(lo, 0, acc);
      }
      this.size++;
      return;
    }
    let earliest = stamps[lo]!;
    if (to - lo > 1) {
      for (let i = lo + 1; i < to; i++) if (stamps[i]! < earliest) earliest = stamps[i]!;
      ends[lo] = ends[to - 1]!;
      accs[lo] = this.fn.mergeAccumulators(accs.slice(lo, to));
      const gone = to - lo - 1;
      starts.splice(lo + 1, gone);
      ends.splice(lo + 1, gone);
      stamps.splice(lo + 1, gone);
      accs.splice(lo + 1, gone);
      this.size -= gone;
    }
    if (start < starts[lo]!) starts[lo] = start;
    if (end > ends[lo]!) ends[lo] = end;
    stamps[lo] = timestamp < earliest ? timestamp : earliest;
    accs[lo] = this.fn.addInput(accs[lo], value);
  }

  protected takeAll(emit: (key: unknown, acc: unknown, timestamp: Instant, window: BoundedWindow) => void): void {
    for (const { key, starts, ends, stamps, accs } of this.table.values()) {
      for (let i = 0; i < starts.length; i++) emit(key, accs[i], stamps[i] as Instant, new IntervalWindow(starts[i] as Instant, ends[i] as Instant));
    }
    this.table.clear();
  }
}
