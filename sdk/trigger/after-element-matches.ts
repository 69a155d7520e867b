/**
 * AfterElementMatches.of(predicate) — Tributary's trigger for the driving-score service's
 * `EarlyResultEventTimeTrigger` (seeds/000): when an element matching the predicate arrives
 * (say a trip's `end` message), the window fires once the watermark passes that element's
 * timestamp — so the early result waits for out-of-order stragglers up to that point, and
 * elements that arrive after it still reach the ON_TIME pane.
 *
 * Semantics: the trigger remembers the timestamps of matching elements; it is ready to fire when
 * the input watermark is past (>) one of them; firing forgets the passed ones and the trigger
 * finishes when none remain. Merged windows keep the timestamps of all their parts. As an early
 * trigger inside `AfterWatermark` it repeats (each matching element gives one early firing,
 * skipped if no element arrived since the previous pane).
 *
 * `EarlyResultEventTimeTrigger.of(predicate)` is the talk's whole trigger:
 * `AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterElementMatches.of(predicate))`.
 *
 * A watermark that jumps past a window's early timer and its end in one step fires both, in
 * time order (the reducer fires each event timer with the watermark just past it), except when
 * the input ends (+∞), where the last pane alone fires.
 *
 * In the proto it is `tributary:trigger:element_predicate:v1` (see `proto.ts`); the predicate is
 * a user function found by `name`, which must be unique in the pipeline and stable across runs.
 */
import type { Instant } from '../time/instant.js';
import { AfterWatermarkTrigger } from './after-watermark.js';
import { Trigger } from './trigger.js';

/** The predicate sees the element's value (the V of a KV for GroupByKey/Combine), timestamp and key. */
export type ElementPredicate = (value: any, timestamp: Instant, key: unknown) => boolean;

export class AfterElementMatchesTrigger extends Trigger {
  readonly kind = 'afterElementMatches';
  readonly subTriggers: readonly Trigger[] = [];
  constructor(
    readonly predicate: ElementPredicate,
    readonly name: string,
  ) {
    super();
    if (!name) throw new TypeError('AfterElementMatches needs a stable, unique name for its predicate');
  }
  isOnce(): boolean {
    return true;
  }
  override equals(other: Trigger): boolean {
    return other instanceof AfterElementMatchesTrigger && other.predicate === this.predicate && other.name === this.name;
  }
  toString(): string {
    return `AfterElementMatches(${this.name})`;
  }
}

export const AfterElementMatches = {
  /** `name` identifies the predicate in the proto; defaults to the function's own name. */
  of(predicate: ElementPredicate, name: string = predicate.name): AfterElementMatchesTrigger {
    return new AfterElementMatchesTrigger(predicate, name);
  },
};

export const EarlyResultEventTimeTrigger = {
  of(predicate: ElementPredicate, name: string = predicate.name): AfterWatermarkTrigger {
    return new AfterWatermarkTrigger(AfterElementMatches.of(predicate, name));
  },
};
