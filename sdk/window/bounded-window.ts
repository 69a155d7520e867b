/**
 * Windows are the event-time buckets elements are grouped in. Two kinds exist, as in Beam's
 * standard coders: the single global window, and interval windows `[start, end)`.
 */
import { GLOBAL_WINDOW_MAX_EXACT, Instant } from '../time/instant.js';

export interface BoundedWindow {
  /** The largest timestamp an element of this window can have. */
  maxTimestamp(): Instant;
  /** A string equal for equal windows, for grouping state by window. */
  readonly id: string;
}

export class GlobalWindow implements BoundedWindow {
  static readonly INSTANCE = new GlobalWindow();
  readonly id = 'global';
  private constructor() {}
  maxTimestamp(): Instant {
    return GLOBAL_WINDOW_MAX;
  }
  toString(): string {
    return 'GlobalWindow';
  }
}

/** The global window's max timestamp (end of time less one day, as in Beam). */
export const GLOBAL_WINDOW_MAX = Number(GLOBAL_WINDOW_MAX_EXACT) as Instant;

/** The half-open interval `[start, end)` of event time. */
export class IntervalWindow implements BoundedWindow {
  constructor(
    readonly start: Instant,
    readonly end: Instant,
  ) {}
  /** Built on first use only: windows are created per element on hot paths. */
  get id(): string {
    return `${this.start}:${this.end}`;
  }
  maxTimestamp(): Instant {
    return (this.end - 1) as Instant;
  }
  contains(t: Instant): boolean {
    return t >= this.start && t < this.end;
  }
  intersects(other: IntervalWindow): boolean {
    return this.start < other.end && other.start < this.end;
  }
  span(other: IntervalWindow): IntervalWindow {
    return new IntervalWindow(Instant.min(this.start, other.start), Instant.max(this.end, other.end));
  }
  equals(other: BoundedWindow): boolean {
    return other instanceof IntervalWindow && other.start === this.start && other.end === this.end;
  }
  toString(): string {
    return `[${Instant.format(this.start)}, ${Instant.format(this.end)})`;
  }
}

export const GLOBAL_WINDOWS: readonly BoundedWindow[] = Object.freeze([GlobalWindow.INSTANCE]);
