/**
 * Sessions grouped by the workers, not by the runner: the harness's half of the rewrite in
 * runners/portable/sessions-in-workers.ts. A GroupByKey under session windows becomes
 *
 *   ReifySessions (KV<K, V> in its window → KV<K, WindowedValue<V>> in the global window)
 *   → GroupByKey in the global window (the runner's: a plain sort or hash by key, no merging)
 *   → MergeSessions (KV<K, Iterable<WindowedValue<V>>> → KV<K, Iterable<V>> per merged session)
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
import { GLOBAL_WINDOWS } from '../../sdk/window/bounded-window.js';
import type { WindowingStrategy } from '../../sdk/window/windowing-strategy.js';
import { PlanError } from './errors.js';
import { PendingDeliveries } from './pending.js';
import type { Delivery, Operator, Receiver } from './unit.js';
import { LIST_AGGREGATION } from './windowing/aggregations.js';
import { KeyedWindowReducer, type Aggregation } from './windowing/keyed-window-reducer.js';

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

/** KV<K, V> in its windows → KV<K, WindowedValue<V>> in the global window. */
export class ReifySessionsUnit implements Operator {
  constructor(
    readonly name: string,
    private readonly out: Receiver,
  ) {}

  receive(wv: WindowedValue<unknown>): Delivery {
    const e = wv.value as KV<unknown, unknown>;
    return this.out.receive({ value: kv(e.key, { value: e.value, timestamp: wv.timestamp, windows: wv.windows, pane: wv.pane }), timestamp: wv.timestamp, windows: GLOBAL_WINDOWS, pane: wv.pane });
  }
}

/** KV<K, Iterable<WindowedValue<V>>> (all of a key's elements) → KV<K, Iterable<V>> per session. */
export class MergeSessionsUnit implements Operator {
  private readonly deliveries = new PendingDeliveries();

  constructor(
    readonly name: string,
    private readonly strategy: WindowingStrategy,
    private readonly out: Receiver,
  ) {}

  receive(wv: WindowedValue<unknown>): Delivery {
    const e = wv.value as KV<unknown, Iterable<WindowedValue<unknown>>>;
    const reducer = new KeyedWindowReducer<unknown, unknown, unknown, unknown>({
      strategy: this.strategy,
      aggregation: LIST_AGGREGATION as Aggregation<unknown, unknown, unknown>,
      emit: (key, values, timestamp, window, pane) => this.deliveries.deliver(this.out, { value: kv(key, values), timestamp, windows: [window], pane }),
    });
    // One reducer per key: the key id is a constant.
    for (const v of e.value) reducer.processElement(0, e.key, v.value, v.timestamp, v.windows);
    reducer.finishBundle();
    reducer.finish();
    const c = reducer.counters;
    if (c.droppedLate + c.droppedClosed > 0) {
      throw new PlanError(this.name, `"${this.name}" merged sessions in the worker and dropped ${c.droppedLate + c.droppedClosed} element(s) as late or closed, which only a pipeline with late data can have: the runner must group such sessions itself (a defect of the submission rule in runners/flink/execution-mode.ts)`);
    }
    return this.deliveries.settle();
  }
}
