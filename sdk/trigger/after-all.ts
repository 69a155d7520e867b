/** AfterAll.of(a, b, ...): fires once, when every subtrigger has fired. */
import { Trigger } from './trigger.js';

export class AfterAllTrigger extends Trigger {
  readonly kind = 'afterAll';
  constructor(readonly subTriggers: readonly Trigger[]) {
    super();
    if (subTriggers.length === 0) throw new RangeError('AfterAll.of needs at least one trigger');
  }
  isOnce(): boolean {
    return true;
  }
  toString(): string {
    return `AfterAll.of(${this.subTriggers.join(', ')})`;
  }
}

export const AfterAll = {
  of(...triggers: Trigger[]): AfterAllTrigger {
    return new AfterAllTrigger(triggers);
  },
};
