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
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
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
  /** Pairwise disjoint (no two overlap). */
  sessions: PartialSession[];
}

export class MergingPrecombineUnit extends BundlePrecombine {
  private readonly table = new Map<GroupingKey, KeySessions>();

  constructor(cfg: PrecombineConfig) {
    super(cfg, MERGING_PRECOMBINE_MAX_PARTIALS);
  }

  receive(wv: WindowedValue<unknown>): Delivery {
    const { key, value } = wv.value as KV<unknown, unknown>;
    const gk = this.cfg.keyOf(key);
    let held = this.table.get(gk);
    if (!held) this.table.set(gk, (held = { key, sessions: [] }));
    for (const w of wv.windows) {
      if (!(w instanceof IntervalWindow)) throw new TypeError(`${this.name}: a merging precombine needs interval windows, got ${String(w)}`);
      let window = w;
      let timestamp = wv.timestamp;
      const joined: unknown[] = [];
      const kept: PartialSession[] = [];
      // The sessions are disjoint: those that overlap the element's window, together with it,
      // cover one interval, which no other session of the key overlaps.
      for (const s of held.sessions) {
        if (s.window.intersects(window)) {
          window = window.span(s.window);
          joined.push(s.acc);
          if (s.timestamp < timestamp) timestamp = s.timestamp;
        } else kept.push(s);
      }
      const fn = this.cfg.fn;
      let acc = joined.length === 0 ? this.call('createAccumulator', () => fn.createAccumulator()) : joined.length === 1 ? joined[0] : this.call('mergeAccumulators', () => fn.mergeAccumulators(joined));
      acc = this.call('addInput', () => fn.addInput(acc, value));
      kept.push({ window, acc, timestamp });
      this.size += kept.length - held.sessions.length;
      held.sessions = kept;
    }
    return this.flushIfFull();
  }

  protected takeAll(emit: (key: unknown, acc: unknown, timestamp: Instant, window: BoundedWindow) => void): void {
    for (const { key, sessions } of this.table.values()) for (const s of sessions) emit(key, s.acc, s.timestamp, s.window);
    this.table.clear();
  }
}
