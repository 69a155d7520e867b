/**
 * Triggers: when a window emits a pane. Immutable data, translated to Beam's `Trigger` proto
 * (`proto.ts`) and executed by a runner (the direct runner's `runners/exec/windowing/`).
 * May import: `sdk/time`, `sdk/translate` (contexts), `portability-proto`.
 */
export { Trigger, type TriggerKind, OrFinallyTrigger } from './trigger.js';
export { DefaultTrigger } from './default.js';
export { AfterWatermark, AfterWatermarkTrigger } from './after-watermark.js';
export { AfterCount, AfterCountTrigger, AfterPane } from './after-count.js';
export {
  AfterProcessingTime,
  AfterProcessingTimeTrigger,
  type TimestampTransform,
} from './after-processing-time.js';
export { Repeatedly, RepeatedlyTrigger } from './repeatedly.js';
export { AfterEach, AfterEachTrigger } from './after-each.js';
export { AfterFirst, AfterAny, AfterFirstTrigger } from './after-first.js';
export { AfterAll, AfterAllTrigger } from './after-all.js';
export { Never, NeverTrigger } from './never.js';
export {
  AfterElementMatches,
  AfterElementMatchesTrigger,
  EarlyResultEventTimeTrigger,
  type ElementPredicate,
} from './after-element-matches.js';
export { triggerToProto, triggerFromProto, ELEMENT_PREDICATE_URN, TRIGGER_PREDICATES_URN, elementPredicatesOf, type TriggerSlot } from './proto.js';
