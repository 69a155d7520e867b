/**
 * Stateful processing: state and timers declared on a DoFn, per key and window (Beam's state and
 * timers model). The model only: declarations, typed accessors, contexts. Runners serve them (the
 * execution layer in `runners/exec/state/`); the proto carries them as ParDoPayload state and
 * timer family specs. Imports the rest of `sdk/` only.
 */
export { StateSpec, StateSpecs, type StateKind, type StateDeclarations, type StateAccessors } from './state-spec.js';
export type { State, ValueState, BagState, CombiningState, MapState, SetState, OrderedListState } from './state-types.js';
export {
  TimerSpec,
  TimerSpecs,
  type TimeDomain,
  type Timer,
  type TimerFamily,
  type TimerDeclarations,
  type TimerAccessors,
  type FiredTimer,
} from './timer-spec.js';
export {
  StatefulDoFn,
  statefulPartsOf,
  type StatefulDeclarations,
  type StatefulProcessContext,
  type OnTimerContext,
  type OnWindowExpirationContext,
  type KeyedStateContext,
} from './stateful-dofn.js';
export { STATE_URN, ON_WINDOW_EXPIRATION_FAMILY } from './urns.js';
