/**
 * Sessions grouped by the workers, not by the runner: the harness's half of the rewrite in
 * runners/portable/sessions-in-workers.ts. A GroupByKey under session windows becomes
 *
 *   ReifySessions (KV<K, V> in its window → KV<K, SessionParts<V>> in the global window: a
 *     bundle's elements of a key as one element, see session-parts.ts)
 *   → GroupByKey in the global window (the runner's: a plain sort or hash by key, no merging)
 *   → MergeSessions (KV<K, Iterable<SessionParts<V>>> → KV<K, Iterable<V>> per merged session)
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
import { SessionParts } from './session-parts.js';

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
 * KV<K, V> in its windows → KV<K, SessionParts<V>> in the global window: a bundle's elements of
 * one key go out as one element (parallel arrays of window, timestamp and value: session-parts.ts),
 * at the end of the bundle (or when the unit holds its bound). The runner's shuffle then moves one
 * record per key and bundle instead of one per element or partial session: Flink's batch
 * GroupByKey costs ~10 µs per record.
 */
export class ReifySessionsUnit implements Operator {
  private readonly held = new Map<GroupingKey, { readonly key: unknown; readonly parts: SessionParts }>();
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
    let h = this.held.get(gk);
    if (!h) this.held.set(gk, (h = { key: e.key, parts: new SessionParts() }));
    const windows = wv.windows;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      if (!(w instanceof IntervalWindow)) throw new PlanError(this.name, `"${this.name}" groups sessions, whose windows are intervals: got ${String(w)}`);
      h.parts.push(w.start, w.end, wv.timestamp, e.value);
      this.size++;
    }
    if (this.size >= this.maxHeld) return this.flush();
  }

  finishBundle(): Delivery {
    return this.flush();
  }

  bufferedElements(): number {
    return this.size;
  }

  private flush(): Delivery {
    for (const h of this.held.values()) this.deliveries.deliver(this.out, { value: kv(h.key, h.parts), timestamp: h.parts.earliest as Instant, windows: GLOBAL_WINDOWS, pane: NO_FIRING });
    this.held.clear();
    this.size = 0;
    return this.deliveries.settle();
  }
}

/** KV<K, Iterable<SessionParts<V>>> (all of a key's elements, as ReifySessions sent them) →
 *  KV<K, Iterable<V>> per session. */
export class MergeSessionsUnit implements Operator {
  private readonly deliveries = new PendingDeliveries();
  /** The output timestamp of a session under the default trigger (see `mergeIntervals`);
   *  undefined: the reducer decides. */
  private readonly outputTime: ((s: MergedSession) => number) | undefined;

  constructor(
    readonly name: string,
    private readonly strategy: WindowingStrategy,
    private readonly out: Receiver,
  ) {
    const fastPath = strategy.trigger instanceof DefaultTrigger && strategy.windowFn.mergesOverlappingIntervals;
    const combiner = strategy.timestampCombiner;
    this.outputTime = !fastPath ? undefined : combiner === 'EARLIEST' ? (s) => s.earliest : combiner === 'LATEST' ? (s) => s.latest : (s) => s.end - 1;
  }

  receive(wv: WindowedValue<unknown>): Delivery {
    const e = wv.value as KV<unknown, Iterable<SessionParts>>;
    if (this.outputTime) return this.mergeIntervals(e.key, e.value, this.outputTime);
    const reducer = new KeyedWindowReducer<unknown, unknown, unknown, unknown>({
      strategy: this.strategy,
      aggregation: LIST_AGGREGATION as Aggregation<unknown, unknown, unknown>,
      emit: (key, values, timestamp, window, pane) => this.deliveries.deliver(this.out, { value: kv(key, values), timestamp, windows: [window], pane }),
    });
    // One reducer per key: the key id is a constant.
    for (const p of e.value) {
      for (let i = 0; i < p.length; i++) reducer.processElement(0, e.key, p.values[i], p.stamps[i]! as Instant, [new IntervalWindow(p.starts[i]! as Instant, p.ends[i]! as Instant)]);
    }
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
  private mergeIntervals(key: unknown, sent: Iterable<SessionParts>, outputTime: (s: MergedSession) => number): Delivery {
    const all = joined(sent);
    const { starts, ends, stamps, values } = all;
    const n = starts.length;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => starts[a]! - starts[b]! || ends[a]! - ends[b]!);
    const sessionOf = new Uint32Array(n);
    const sessions: MergedSession[] = [];
    let cur: MergedSession | undefined;
    for (let j = 0; j < n; j++) {
      const i = order[j]!;
      const start = starts[i]!;
      const stamp = stamps[i]!;
      if (cur && start < cur.end) {
        if (ends[i]! > cur.end) cur.end = ends[i]!;
        if (stamp < cur.earliest) cur.earliest = stamp;
        if (stamp > cur.latest) cur.latest = stamp;
      } else sessions.push((cur = { start, end: ends[i]!, earliest: stamp, latest: stamp, values: [] }));
      sessionOf[i] = sessions.length - 1;
    }
    for (let i = 0; i < n; i++) sessions[sessionOf[i]!]!.values.push(values[i]);
    for (const s of sessions) {
      this.deliveries.deliver(this.out, { value: kv(key, s.values), timestamp: outputTime(s) as Instant, windows: [new IntervalWindow(s.start as Instant, s.end as Instant)], pane: ONLY_PANE });
    }
    return this.deliveries.settle();
  }
}

/** One SessionParts of everything a key's records sent (the one record itself when alone). */
function joined(sent: Iterable<SessionParts>): SessionParts {
  let only: SessionParts | undefined;
  let all: SessionParts | undefined;
  for (const p of sent) {
    if (!only) {
      only = p;
      continue;
    }
    if (!all) {
      all = new SessionParts();
      append(all, only);
    }
    append(all, p);
  }
  return all ?? only ?? new SessionParts();
}

function append(to: SessionParts, p: SessionParts): void {
  for (let i = 0; i < p.length; i++) to.push(p.starts[i]!, p.ends[i]!, p.stamps[i]!, p.values[i]);
}

interface MergedSession {
  readonly start: number;
  end: number;
  earliest: number;
  latest: number;
  readonly values: unknown[];
}
