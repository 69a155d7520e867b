/**
 * Sessions grouped by the workers, not by the runner: the harness's half of the rewrite in
 * runners/portable/sessions-in-workers.ts. A GroupByKey under session windows becomes
 *
 *   ReifySessions (KV<K, V> in its window → KV<K, Iterable<WindowedValue<V>>> in the global
 *     window: a bundle's elements of a key as one element)
 *   → GroupByKey in the global window (the runner's: a plain sort or hash by key, no merging)
 *   → MergeSessions (KV<K, Iterable<Iterable<WindowedValue<V>>>> → KV<K, Iterable<V>> per
 *     merged session)
 *
 * MergeSessions feeds one key's elements, in their own windows and timestamps, to the direct
 * runner's reducer (runners/exec/windowing) and then ends its input: the sessions, their output
 * timestamps and panes are the direct runner's by construction. That is exact only where the
 * direct runner, too, sees every element of the key before its watermark moves, and fires one
 * final pane per session: a bounded pipeline whose one source is an Impulse, under a trigger
 * with neither early nor late firings (the rule is runners/flink/execution-mode.ts's). A reducer
 * that would drop an element as late says the rule was broken, and fails the bundle.
 */
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import { kv, type KV } from '../../sdk/values/kv.js';
import type { Instant } from '../../sdk/time/instant.js';
import { NO_FIRING } from '../../sdk/values/pane.js';
import { DefaultTrigger } from '../../sdk/trigger/default.js';
import { GLOBAL_WINDOWS, IntervalWindow } from '../../sdk/window/bounded-window.js';
import type { WindowingStrategy } from '../../sdk/window/windowing-strategy.js';
import { PlanError } from './errors.js';
import type { GroupingKey, GroupingKeyFn } from './grouping-key.js';
import { MERGING_PRECOMBINE_MAX_PARTIALS } from './merging-precombine.js';
import { PendingDeliveries } from './pending.js';
import type { Delivery, Operator, Receiver } from './unit.js';
import { LIST_AGGREGATION } from './windowing/aggregations.js';
import { KeyedWindowReducer, type Aggregation } from './windowing/keyed-window-reducer.js';
import { ONLY_PANE } from './windowing/window-buckets.js';

/** The ParDos' `do_fn` URNs (not user code: the harness runs them itself). */
export const SESSIONS_IN_WORKERS_URN = {
  REIFY: 'tributary:dofn:reify_sessions:v1',
  MERGE: 'tributary:dofn:merge_sessions:v1',
} as const;

/** What the MergeSessions ParDo's `do_fn` payload says (JSON). */
export interface MergeSessionsSpec {
  /** The GroupByKey's input windowing strategy: its id and the WindowingStrategy message (base64;
   *  the MergeSessions stage's own PCollections may not refer to it). */
  readonly windowingStrategyId: string;
  readonly windowingStrategy: string;
  /** The GroupByKey's transform name, for errors. */
  readonly name: string;
}

/**
 * Elements a ReifySessions unit holds before it sends them on early (a memory bound, ~100 bytes
 * each: under Flink's batch mode a bundle is a whole partition, and a GroupByKey's raw values
 * would all be held). The merging precombine's bound, so that a precombine's flush goes out as
 * one record per key (at 100,000 the bench's 130,839 partial sessions went out as 20,000).
 */
export const REIFY_SESSIONS_MAX_HELD = MERGING_PRECOMBINE_MAX_PARTIALS;

/**
 * KV<K, V> in its windows → KV<K, Iterable<WindowedValue<V>>> in the global window: a bundle's
 * elements of one key go out as one element, at the end of the bundle (or when the unit holds its
 * bound). The runner's shuffle then moves one record per key and bundle instead of one per
 * element or partial session: Flink's batch GroupByKey costs ~10 µs per record.
 */
export class ReifySessionsUnit implements Operator {
  private readonly held = new Map<GroupingKey, { readonly key: unknown; readonly values: WindowedValue<unknown>[]; earliest: Instant }>();
  private size = 0;
  private readonly deliveries = new PendingDeliveries();

  constructor(
    readonly name: string,
    private readonly keyOf: GroupingKeyFn,
    private readonly out: Receiver,
    private readonly maxHeld = REIFY_SESSIONS_MAX_HELD,
  ) {}

  receive(wv: WindowedValue<unknown>): Delivery {
    const e = wv.value as KV<unknown, unknown>;
    const gk = this.keyOf(e.key);
    const reified = { value: e.value, timestamp: wv.timestamp, windows: wv.windows, pane: wv.pane };
    const h = this.held.get(gk);
    if (!h) this.held.set(gk, { key: e.key, values: [reified], earliest: wv.timestamp });
    else {
      h.values.push(reified);
      if (wv.timestamp < h.earliest) h.earliest = wv.timestamp;
    }
    if (++this.size >= this.maxHeld) return this.flush();
  }

  finishBundle(): Delivery {
    return this.flush();
  }

  bufferedElements(): number {
    return this.size;
  }

  private flush(): Delivery {
    for (const h of this.held.values()) this.deliveries.deliver(this.out, { value: kv(h.key, h.values), timestamp: h.earliest, windows: GLOBAL_WINDOWS, pane: NO_FIRING });
    this.held.clear();
    this.size = 0;
    return this.deliveries.settle();
  }
}

/** KV<K, Iterable<Iterable<WindowedValue<V>>>> (all of a key's elements, as ReifySessions sent
 *  them) → KV<K, Iterable<V>> per session. */
export class MergeSessionsUnit implements Operator {
  private readonly deliveries = new PendingDeliveries();
  /** The output timestamp of a session under the default trigger (see `mergeIntervals`);
   *  undefined: the reducer decides. */
  private readonly outputTime: ((s: MergedSession) => Instant) | undefined;

  constructor(
    readonly name: string,
    private readonly strategy: WindowingStrategy,
    private readonly out: Receiver,
  ) {
    const fastPath = strategy.trigger instanceof DefaultTrigger && strategy.windowFn.mergesOverlappingIntervals;
    const combiner = strategy.timestampCombiner;
    this.outputTime = !fastPath ? undefined : combiner === 'EARLIEST' ? (s) => s.earliest : combiner === 'LATEST' ? (s) => s.latest : (s) => (s.end - 1) as Instant;
  }

  receive(wv: WindowedValue<unknown>): Delivery {
    const e = wv.value as KV<unknown, Iterable<Iterable<WindowedValue<unknown>>>>;
    if (this.outputTime) return this.mergeIntervals(e.key, e.value, this.outputTime);
    const reducer = new KeyedWindowReducer<unknown, unknown, unknown, unknown>({
      strategy: this.strategy,
      aggregation: LIST_AGGREGATION as Aggregation<unknown, unknown, unknown>,
      emit: (key, values, timestamp, window, pane) => this.deliveries.deliver(this.out, { value: kv(key, values), timestamp, windows: [window], pane }),
    });
    // One reducer per key: the key id is a constant.
    for (const sent of e.value) for (const v of sent) reducer.processElement(0, e.key, v.value, v.timestamp, v.windows);
    reducer.finishBundle();
    reducer.finish();
    const c = reducer.counters;
    if (c.droppedLate + c.droppedClosed > 0) {
      throw new PlanError(this.name, `"${this.name}" merged sessions in the worker and dropped ${c.droppedLate + c.droppedClosed} element(s) as late or closed, which only a pipeline with late data can have: the runner must group such sessions itself (a defect of the submission rule in runners/flink/execution-mode.ts)`);
    }
    return this.deliveries.settle();
  }

  /**
   * What the reducer gives under the default trigger with every element on time, without its
   * per-window state and timers: the union of overlapping intervals (sorted by start; touching
   * windows stay apart, as Beam's sessions), one ON_TIME pane each, first and last (the watermark
   * passes the end and the collection of every window at once), at the end of the window or
   * the earliest or latest element timestamp (all held: the input watermark had not moved).
   * The values of a session keep the order they came in.
   */
  private mergeIntervals(key: unknown, values: Iterable<Iterable<WindowedValue<unknown>>>, outputTime: (s: MergedSession) => Instant): Delivery {
    const items: { readonly window: IntervalWindow; readonly timestamp: Instant; readonly value: unknown; session: number }[] = [];
    for (const sent of values) {
      for (const v of sent) for (const w of v.windows) {
        if (!(w instanceof IntervalWindow)) throw new PlanError(this.name, `"${this.name}" merges sessions, whose windows are intervals: got ${String(w)}`);
        items.push({ window: w, timestamp: v.timestamp, value: v.value, session: -1 });
      }
    }
    const sorted = items.slice().sort((a, b) => a.window.start - b.window.start || a.window.end - b.window.end);
    const sessions: MergedSession[] = [];
    let cur: MergedSession | undefined;
    for (const it of sorted) {
      const w = it.window;
      if (cur && w.start < cur.end) {
        if (w.end > cur.end) cur.end = w.end;
        if (it.timestamp < cur.earliest) cur.earliest = it.timestamp;
        if (it.timestamp > cur.latest) cur.latest = it.timestamp;
      } else sessions.push((cur = { start: w.start, end: w.end, earliest: it.timestamp, latest: it.timestamp, first: w, values: [] }));
      it.session = sessions.length - 1;
    }
    for (const it of items) sessions[it.session]!.values.push(it.value);
    for (const s of sessions) {
      const window = s.first.start === s.start && s.first.end === s.end ? s.first : new IntervalWindow(s.start, s.end);
      this.deliveries.deliver(this.out, { value: kv(key, s.values), timestamp: outputTime(s), windows: [window], pane: ONLY_PANE });
    }
    return this.deliveries.settle();
  }
}

interface MergedSession {
  readonly start: Instant;
  end: Instant;
  earliest: Instant;
  latest: Instant;
  /** The first window of the run (the session's own window when nothing merged into it). */
  readonly first: IntervalWindow;
  readonly values: unknown[];
}
