/** AfterCount.of(n) (Beam's AfterPane.elementCountAtLeast): fires once the pane holds n elements. */
import { Trigger } from './trigger.js';

export class AfterCountTrigger extends Trigger {
  readonly kind = 'afterCount';
  readonly subTriggers: readonly Trigger[] = [];
  constructor(readonly count: number) {
    super();
    if (!Number.isInteger(count) || count < 1) {
      throw new RangeError(`AfterCount needs a whole number of elements ≥ 1, got ${count}`);
    }
  }
  isOnce(): boolean {
    return true;
  }
  toString(): string {
    return `AfterCount(${this.count})`;
  }
}

export const AfterCount = {
  of(count: number): AfterCountTrigger {
    return new AfterCountTrigger(count);
  },
};

/** Beam Java's name for AfterCount. */
export const AfterPane = {
  elementCountAtLeast(count: number): AfterCountTrigger {
    return new AfterCountTrigger(count);
  },
};
