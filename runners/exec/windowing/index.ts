/**
 * Execution of windowing and triggers for one GroupByKey / Combine.perKey (Beam's "group also by
 * window"): a pure component with no I/O and no clock, run by the direct runner's group operator
 * and by the Fn API harness for groupings a Beam runner cannot run.
 * May import: `sdk/`, and `runners/exec/` (snapshot bytes, the number heap).
 *
 * Files, one job each: keyed-window-reducer.ts (the face, picks a path); bucket-reducer.ts and
 * window-buckets.ts (non-merging windows, default trigger); window-engine.ts (every other
 * strategy: routing, timers, firing) with window-state.ts, key-windows.ts,
 * session-key-windows.ts (what it keeps), window-merging.ts, deferred-sessions.ts and
 * session-scratch.ts (merging),
 * trigger-machine.ts (triggers), pane-tracker.ts (pane info), watermark-holds.ts (holds and output
 * timestamps), garbage-collection.ts (when a window expires), accumulation.ts (values into
 * accumulators), timer-heap.ts, pending-log.ts; engine-checkpoint.ts and reducer-snapshot.ts
 * (checkpoints).
 */
export {
  KeyedWindowReducer,
  type Aggregation,
  type KeyedWindowReducerOptions,
  type ReducerCounters,
  type WindowStateKind,
} from './keyed-window-reducer.js';
export { TriggerMachine, TriggerState, type TriggerContext } from './trigger-machine.js';
