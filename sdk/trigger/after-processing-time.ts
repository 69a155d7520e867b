/**
 * AfterProcessingTime.pastFirstElementInPane(): fires once processing time reaches the arrival
 * time of the pane's first element, transformed by `plusDelayOf` / `alignedTo` (applied in
 * order, as in Beam's TimestampTransform list). Processing time comes from the runner's clock
 * (a TestStream advances it in tests).
 */
import type { Duration, Instant } from '../time/instant.js';
import { Trigger } from './trigger.js';

export type TimestampTransform =
  | { readonly kind: 'delay'; readonly delay: Duration }
  | { readonly kind: 'alignTo'; readonly period: Duration; readonly offset: Duration };

export class AfterProcessingTimeTrigger extends Trigger {
  readonly kind = 'afterProcessingTime';
  readonly subTriggers: readonly Trigger[] = [];
  constructor(readonly transforms: readonly TimestampTransform[] = []) {
    super();
  }
  plusDelayOf(delay: Duration): AfterProcessingTimeTrigger {
    return new AfterProcessingTimeTrigger([...this.transforms, { kind: 'delay', delay }]);
  }
  /** Rounds up to the next multiple of `period` (shifted by `offset`). */
  alignedTo(period: Duration, offset: Duration = 0 as Duration): AfterProcessingTimeTrigger {
    if (!(period > 0)) throw new RangeError(`alignedTo needs a positive period, got ${period}`);
    return new AfterProcessingTimeTrigger([...this.transforms, { kind: 'alignTo', period, offset }]);
  }
  /** The target processing time for a first element arriving at `arrival`. */
  targetFor(arrival: Instant): Instant {
    let t = arrival as number;
    for (const tr of this.transforms) {
      if (tr.kind === 'delay') {
        t += tr.delay;
      } else {
        // Beam's alignTo: the smallest point of the grid offset + k·period that is ≥ t.
        const r = (((t - tr.offset) % tr.period) + tr.period) % tr.period;
        if (r !== 0) t += tr.period - r;
      }
    }
    return t as Instant;
  }
  isOnce(): boolean {
    return true;
  }
  toString(): string {
    let s = 'AfterProcessingTime.pastFirstElementInPane()';
    for (const tr of this.transforms) {
      s += tr.kind === 'delay' ? `.plusDelayOf(${tr.delay})` : `.alignedTo(${tr.period}, ${tr.offset})`;
    }
    return s;
  }
}

export const AfterProcessingTime = {
  pastFirstElementInPane(): AfterProcessingTimeTrigger {
    return new AfterProcessingTimeTrigger();
  },
};
