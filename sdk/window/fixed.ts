/**
 * Fixed windows: `[offset + n·size, offset + (n+1)·size)` for every integer n. The offset is
 * normalized into `[0, size)`. Negative timestamps assign by floored division, so −1 ms falls in
 * `[−size, 0)`. The very last window is cut at the end of the global window, as in Beam.
 */
import type { Coder } from '../coders/coder.js';
import { Coders } from '../coders/index.js';
import { Duration, Instant } from '../time/instant.js';
import { GLOBAL_WINDOW_MAX, IntervalWindow, type BoundedWindow } from './bounded-window.js';
import { floorMod, WindowFn } from './window-fn.js';

const END_OF_GLOBAL = GLOBAL_WINDOW_MAX + 1;
const RECENT = 4096;

export class FixedWindows extends WindowFn<IntervalWindow> {
  readonly isMerging = false;
  override readonly assignsToOneWindow = true;
  readonly offset: Duration;

  /** Windows of `size`, aligned to the epoch. */
  static of(size: Duration): FixedWindows {
    return new FixedWindows(size, Duration.ZERO);
  }

  protected constructor(
    readonly size: Duration,
    offset: Duration,
  ) {
    super();
    if (!(size > 0) || !Number.isInteger(size)) {
      throw new RangeError(`FixedWindows size must be a positive whole number of milliseconds, got ${size}`);
    }
    if (!Number.isInteger(offset)) throw new RangeError(`FixedWindows offset must be whole milliseconds, got ${offset}`);
    this.offset = floorMod(offset, size) as Duration;
  }

  /** The same size, with window boundaries shifted by `offset` (taken modulo the size). */
  withOffset(offset: Duration): FixedWindows {
    return new FixedWindows(this.size, offset);
  }

  /** The start of the window holding `t`. */
  windowStart(t: Instant): Instant {
    return (t - floorMod(t - this.offset, this.size)) as Instant;
  }

  assignWindow(t: Instant): IntervalWindow {
    const start = t - floorMod(t - this.offset, this.size);
    const end = start + this.size;
    return new IntervalWindow(start as Instant, (end < END_OF_GLOBAL ? end : END_OF_GLOBAL) as Instant);
  }

  /** Recently assigned windows, direct-mapped by window number: most elements of a stream
   *  fall in a few windows, which are then shared instead of allocated per element. */
  private readonly recent: (readonly IntervalWindow[] | undefined)[] = new Array(RECENT);

  assignWindows(t: Instant): readonly IntervalWindow[] {
    const start = t - floorMod(t - this.offset, this.size);
    const slot = Math.floor(start / this.size) & (RECENT - 1);
    const hit = this.recent[slot];
    if (hit !== undefined && hit[0]!.start === start) return hit;
    const ws = Object.freeze([this.assignWindow(t)]);
    this.recent[slot] = ws;
    return ws;
  }

  windowCoder(): Coder<IntervalWindow> {
    return Coders.intervalWindow();
  }

  isCompatible(other: WindowFn<BoundedWindow>): boolean {
    return other instanceof FixedWindows && other.size === this.size && other.offset === this.offset;
  }

  override sideInputWindow(mainWindow: BoundedWindow): IntervalWindow {
    return this.assignWindow(mainWindow.maxTimestamp());
  }

  toString(): string {
    return `FixedWindows(${this.size}ms${this.offset ? `, offset ${this.offset}ms` : ''})`;
  }
}
