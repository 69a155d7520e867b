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

interface PartialSession {
  window: IntervalWindow;
  acc: unknown;
  /** The earliest input timestamp (an EARLIEST timestamp combiner's; others use the window). */
  timestamp: Instant;
}

interface KeySessions {
  readonly key: unknown;
  /** Pairwise disjoint (no two overlap), sorted by start, hence by end too. */
  sessions: PartialSession[];
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
    if (!held) this.table.set(gk, (held = { key, sessions: [] }));
    for (const w of windows) {
      if (!(w instanceof IntervalWindow)) throw new TypeError(`${this.name}: a merging precombine needs interval windows, got ${String(w)}`);
      this.add(held.sessions, w, timestamp, value);
    }
    return this.flushIfFull();
  }

  /** Folds `value` in window `w` into the key's sorted, disjoint partial sessions. The sessions
   *  it overlaps are a run of neighbours (sorted and disjoint), found by binary search; with
   *  them it covers one interval, which no other session of the key overlaps. */
  private add(sessions: PartialSession[], w: IntervalWindow, timestamp: Instant, value: unknown): void {
    const start = w.start as number;
    const end = w.end as number;
    // The first session that ends after `start`: every one before it lies wholly before w.
    let lo = 0;
    let hi = sessions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sessions[mid]!.window.end as number) > start) hi = mid;
      else lo = mid + 1;
    }
    let to = lo;
    while (to < sessions.length && (sessions[to]!.window.start as number) < end) to++;
    if (to === lo) {
      sessions.splice(lo, 0, { window: w, acc: this.addInput(this.createAccumulator(), value), timestamp });
      this.size++;
      return;
    }
    const first = sessions[lo]!;
    let window = first.window;
    let earliest = first.timestamp;
    if (to - lo > 1) {
      const joined: unknown[] = [];
      for (let i = lo; i < to; i++) {
        const s = sessions[i]!;
        joined.push(s.acc);
        if (s.timestamp < earliest) earliest = s.timestamp;
      }
      window = window.span(sessions[to - 1]!.window);
      first.acc = this.mergeAccumulators(joined);
      sessions.splice(lo + 1, to - lo - 1);
      this.size -= to - lo - 1;
    }
    if (start < (window.start as number) || end > (window.end as number)) window = window.span(w);
    first.window = window;
    first.timestamp = timestamp < earliest ? timestamp : earliest;
    first.acc = this.addInput(first.acc, value);
  }

  protected takeAll(emit: (key: unknown, acc: unknown, timestamp: Instant, window: BoundedWindow) => void): void {
    for (const { key, sessions } of this.table.values()) for (const s of sessions) emit(key, s.acc, s.timestamp, s.window);
    this.table.clear();
  }
}
