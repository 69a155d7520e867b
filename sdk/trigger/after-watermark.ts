/**
 * AfterWatermark.pastEndOfWindow(): fires when the input watermark passes the end of the window
 * (the ON_TIME pane). With early firings, the early trigger runs (repeatedly) before that; with
 * late firings, the late trigger runs (repeatedly) afterwards, while the allowed lateness lasts.
 */
import { Trigger } from './trigger.js';

export class AfterWatermarkTrigger extends Trigger {
  readonly kind = 'afterWatermark';
  constructor(
    readonly early?: Trigger,
    readonly late?: Trigger,
  ) {
    super();
  }
  get subTriggers(): readonly Trigger[] {
    return [this.early, this.late].filter((t): t is Trigger => t !== undefined);
  }
  withEarlyFirings(early: Trigger): AfterWatermarkTrigger {
    return new AfterWatermarkTrigger(early, this.late);
  }
  withLateFirings(late: Trigger): AfterWatermarkTrigger {
    return new AfterWatermarkTrigger(this.early, late);
  }
  /** Without late firings it fires once; with them it keeps firing for late data. */
  isOnce(): boolean {
    return this.late === undefined;
  }
  toString(): string {
    let s = 'AfterWatermark.pastEndOfWindow()';
    if (this.early) s += `.withEarlyFirings(${this.early})`;
    if (this.late) s += `.withLateFirings(${this.late})`;
    return s;
  }
}

export const AfterWatermark = {
  pastEndOfWindow(): AfterWatermarkTrigger {
    return new AfterWatermarkTrigger();
  },
};
