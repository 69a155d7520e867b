/**
 * The one rule for when a window ends (Beam's ReduceFnRunner and LateDataUtils): a window with
 * max timestamp m is garbage-collected at m + allowed lateness, capped at the end of the global
 * window. Once the input watermark is past (>) that time the window has expired: an element for
 * it is droppable (counted, handed to the late output), and its state goes when its event timer
 * fires. Every path of the reducer asks here; none computes the time itself.
 */
import { GLOBAL_WINDOW_MAX } from '../../../sdk/window/bounded-window.js';

const GMAX = GLOBAL_WINDOW_MAX as number;

export class GarbageCollection {
  constructor(
    /** Allowed lateness in milliseconds. */
    readonly lateness: number,
  ) {}

  /** Garbage-collection time of a window with max timestamp `maxTs`. */
  timeOf(maxTs: number): number {
    const gc = maxTs + this.lateness;
    return gc > GMAX ? GMAX : gc;
  }

  /** Whether the window with max timestamp `maxTs` has expired at input watermark `inputWm`. */
  isExpired(maxTs: number, inputWm: number): boolean {
    return this.timeOf(maxTs) < inputWm;
  }

  /** Where a window's garbage-collection hold sits (Beam's WatermarkHold): one before the gc
   *  time when there is allowed lateness, else at the gc time (then the window's max timestamp). */
  holdTime(maxTs: number): number {
    const gc = this.timeOf(maxTs);
    return this.lateness > 0 ? gc - 1 : gc;
  }
}
