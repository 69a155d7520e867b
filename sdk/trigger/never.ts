/** Never.ever(): never fires; the window's data comes out only when it is garbage collected. */
import { Trigger } from './trigger.js';

export class NeverTrigger extends Trigger {
  static readonly INSTANCE = new NeverTrigger();
  readonly kind = 'never';
  readonly subTriggers: readonly Trigger[] = [];
  private constructor() {
    super();
  }
  isOnce(): boolean {
    return true;
  }
  toString(): string {
    return 'Never';
  }
}

export const Never = {
  ever(): NeverTrigger {
    return NeverTrigger.INSTANCE;
  },
};
