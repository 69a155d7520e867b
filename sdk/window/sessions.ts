/**
 * Session windows: each element starts a window `[t, t + gap)`; windows of one key that overlap
 * merge, so a session ends after `gap` without data. Merging is Beam's: touching windows
 * (`[0,10)` and `[10,20)`) stay apart, a window overlapping two sessions bridges them.
 */
import type { Coder } from '../coders/coder.js';
import { Coders } from '../coders/index.js';
import type { Duration, Instant } from '../time/instant.js';
import { IntervalWindow, type BoundedWindow } from './bounded-window.js';
import { MergingWindowFn, mergeOverlappingIntervals, type WindowFn, type WindowMerge } from './window-fn.js';

export class Sessions extends MergingWindowFn {
  override readonly assignsToOneWindow = true;
  override readonly mergesOverlappingIntervals = true;

  static withGapDuration(gap: Duration): Sessions {
    return new Sessions(gap);
  }

  private constructor(readonly gap: Duration) {
    super();
    if (!(gap > 0) || !Number.isInteger(gap)) {
      throw new RangeError(`Sessions gap must be a positive whole number of milliseconds, got ${gap}`);
    }
  }

  assignWindows(t: Instant): readonly IntervalWindow[] {
    return [new IntervalWindow(t, (t + this.gap) as Instant)];
  }

  mergeWindows(windows: readonly IntervalWindow[]): readonly WindowMerge<IntervalWindow>[] {
    return mergeOverlappingIntervals(windows);
  }

  windowCoder(): Coder<IntervalWindow> {
    return Coders.intervalWindow();
  }

  isCompatible(other: WindowFn<BoundedWindow>): boolean {
    return other instanceof Sessions;
  }

  toString(): string {
    return `Sessions(gap ${this.gap}ms)`;
  }
}
