/**
 * The default trigger: fires once the watermark passes the end of the window, and again for
 * every later bundle of late data (within the allowed lateness). Never finishes.
 */
import { Trigger } from './trigger.js';

export class DefaultTrigger extends Trigger {
  static readonly INSTANCE = new DefaultTrigger();
  readonly kind = 'default';
  readonly subTriggers: readonly Trigger[] = [];
  static of(): DefaultTrigger {
    return DefaultTrigger.INSTANCE;
  }
  private constructor() {
    super();
  }
  isOnce(): boolean {
    return false;
  }
  toString(): string {
    return 'Default';
  }
}
