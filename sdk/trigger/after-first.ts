/** AfterFirst.of(a, b, ...) (Beam Python's AfterAny): fires once, when any subtrigger fires. */
import { Trigger } from './trigger.js';

export class AfterFirstTrigger extends Trigger {
  readonly kind = 'afterFirst';
  constructor(readonly subTriggers: readonly Trigger[]) {
    super();
    if (subTriggers.length === 0) throw new RangeError('AfterFirst.of needs at least one trigger');
  }
  isOnce(): boolean {
    return true;
  }
  toString(): string {
    return `AfterFirst.of(${this.subTriggers.join(', ')})`;
  }
}

export const AfterFirst = {
  of(...triggers: Trigger[]): AfterFirstTrigger {
    return new AfterFirstTrigger(triggers);
  },
};

/** Beam Python's name for AfterFirst. */
export const AfterAny = AfterFirst;
