/**
 * The direct runner's execution of windowing and triggers for one GroupByKey / Combine.perKey
 * (Beam's "group also by window"): a pure component with no I/O and no clock.
 * May import: `sdk/`.
 */
export {
  KeyedWindowReducer,
  type Aggregation,
  type KeyedWindowReducerOptions,
  type ReducerCounters,
  type WindowStateKind,
} from './keyed-window-reducer.js';
export { TriggerMachine, TriggerState, type TriggerContext } from './trigger-machine.js';
