/** Repeatedly.forever(t): fires whenever `t` would, restarting `t` after each firing. */
import { Trigger } from './trigger.js';

export class RepeatedlyTrigger extends Trigger {
  readonly kind = 'repeatedly';
  constructor(readonly repeated: Trigger) {
    super();
  }
  get subTriggers(): readonly Trigger[] {
    return [this.repeated];
  }
  isOnce(): boolean {
    return false;
  }
  toString(): string {
    return `Repeatedly.forever(${this.repeated})`;
  }
}

export const Repeatedly = {
  forever(t: Trigger): RepeatedlyTrigger {
    return new RepeatedlyTrigger(t);
  },
};
