/**
 * Sliding windows: windows of `size` starting every `period` (at `offset + n·period`). An element
 * is in every window whose start lies in `(t − size, t]`; they are returned latest start first,
 * as Beam does. Negative timestamps assign by floored division.
 */
import type { Coder } from '../coders/coder.js';
import { Coders } from '../coders/index.js';
import { Duration, Instant } from '../time/instant.js';
import { IntervalWindow, type BoundedWindow } from './bounded-window.js';
import { floorMod, WindowFn } from './window-fn.js';

export class SlidingWindows extends WindowFn<IntervalWindow> {
  readonly isMerging = false;
  override readonly assignsToOneWindow: boolean;
  readonly offset: Duration;

  /** Windows of `size`; call `every(period)` to set the period (default: the size). */
  static of(size: Duration): SlidingWindows {
    return new SlidingWindows(size, size, Duration.ZERO);
  }

  protected constructor(
    readonly size: Duration,
    readonly period: Duration,
    offset: Duration,
  ) {
    super();
    for (const [what, v] of [
      ['size', size],
      ['period', period],
    ] as const) {
      if (!(v > 0) || !Number.isInteger(v)) {
        throw new RangeError(`SlidingWindows ${what} must be a positive whole number of milliseconds, got ${v}`);
      }
    }
    if (!Number.isInteger(offset)) throw new RangeError(`SlidingWindows offset must be whole milliseconds, got ${offset}`);
    this.offset = floorMod(offset, period) as Duration;
    this.assignsToOneWindow = size === period;
  }

  every(period: Duration): SlidingWindows {
    return new SlidingWindows(this.size, period, this.offset);
  }

  withOffset(offset: Duration): SlidingWindows {
    return new SlidingWindows(this.size, this.period, offset);
  }

  /** The latest window start at or before `t`. */
  lastStartFor(t: Instant): Instant {
    return (t - floorMod(t - this.offset, this.period)) as Instant;
  }

  assignWindows(t: Instant): readonly IntervalWindow[] {
    const out: IntervalWindow[] = [];
    const size = this.size;
    const lowest = t - size;
    for (let start = this.lastStartFor(t) as number; start > lowest; start -= this.period) {
      out.push(new IntervalWindow(start as Instant, (start + size) as Instant));
    }
    return out;
  }

  windowCoder(): Coder<IntervalWindow> {
    return Coders.intervalWindow();
  }

  isCompatible(other: WindowFn<BoundedWindow>): boolean {
    return (
      other instanceof SlidingWindows &&
      other.size === this.size &&
      other.period === this.period &&
      other.offset === this.offset
    );
  }

  /** The last window that contains the end of the main-input window. */
  override sideInputWindow(mainWindow: BoundedWindow): IntervalWindow {
    const start = this.lastStartFor(mainWindow.maxTimestamp());
    return new IntervalWindow(start, (start + this.size) as Instant);
  }

  toString(): string {
    return `SlidingWindows(${this.size}ms every ${this.period}ms${this.offset ? `, offset ${this.offset}ms` : ''})`;
  }
}
