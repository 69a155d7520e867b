/** AfterEach.inOrder(a, b, ...): fires as `a` until it finishes, then as `b`, and so on. */
import { Trigger } from './trigger.js';

export class AfterEachTrigger extends Trigger {
  readonly kind = 'afterEach';
  constructor(readonly subTriggers: readonly Trigger[]) {
    super();
    if (subTriggers.length === 0) throw new RangeError('AfterEach.inOrder needs at least one trigger');
  }
  isOnce(): boolean {
    return this.subTriggers.every((t) => t.isOnce());
  }
  toString(): string {
    return `AfterEach.inOrder(${this.subTriggers.join(', ')})`;
  }
}

export const AfterEach = {
  inOrder(...triggers: Trigger[]): AfterEachTrigger {
    return new AfterEachTrigger(triggers);
  },
};
