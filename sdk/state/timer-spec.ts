/**
 * Timer declarations. A timer is per key and window: setting it again moves it (one pending
 * firing per timer), clearing it cancels it. A timer family is a set of timers told apart by a
 * dynamic tag chosen at run time (`ctx.timers.expiry.get(campaign)`), each behaving as a timer.
 *
 *   const timers = { flush: TimerSpecs.eventTime(), perHour: TimerSpecs.eventTimeFamily() };
 */
import type { Duration, Instant } from '../time/instant.js';

/** Event time follows the watermark; processing time follows the runner's clock (a TestStream's
 *  `advanceProcessingTime` under test). */
export type TimeDomain = 'EVENT_TIME' | 'PROCESSING_TIME';

export class TimerSpec<Family extends boolean> {
  declare readonly __family: Family;
  constructor(
    readonly domain: TimeDomain,
    readonly family: Family,
  ) {}
}

export type TimerDeclarations = { readonly [name: string]: TimerSpec<boolean> };

export const TimerSpecs = {
  /** Fires once the input watermark passes its time. */
  eventTime(): TimerSpec<false> {
    return new TimerSpec('EVENT_TIME', false);
  },
  /** Fires once processing time reaches its time. */
  processingTime(): TimerSpec<false> {
    return new TimerSpec('PROCESSING_TIME', false);
  },
  eventTimeFamily(): TimerSpec<true> {
    return new TimerSpec('EVENT_TIME', true);
  },
  processingTimeFamily(): TimerSpec<true> {
    return new TimerSpec('PROCESSING_TIME', true);
  },
};

export interface Timer {
  /** Sets (or moves) the timer to fire at `time`: event time for an event-time timer,
   *  processing time for a processing-time one. A time already passed fires after the bundle. */
  set(time: Instant): void;
  /** Sets it `delay` after the current element's timestamp (event time) or now (processing
   *  time). */
  setRelative(delay: Duration): void;
  /**
   * The timestamp of what `onTimer` outputs; until then it holds the output watermark, so those
   * outputs are never late downstream. Default: the firing time for an event-time timer, the
   * current input's timestamp for a processing-time timer. Not earlier than the current input's
   * timestamp less the DoFn's allowed skew; for an event-time timer, not after its firing time.
   */
  withOutputTimestamp(timestamp: Instant): Timer;
  clear(): void;
}

export interface TimerFamily {
  get(tag: string): Timer;
  clear(tag: string): void;
}

/** The accessors `ctx.timers` holds for the declarations `T`. */
export type TimerAccessors<T extends TimerDeclarations> = {
  readonly [N in keyof T]: T[N]['__family'] extends true ? TimerFamily : Timer;
};

/** What fired, as `onTimer` sees it. */
export interface FiredTimer<T extends TimerDeclarations> {
  /** The declaration's name. */
  readonly timer: keyof T & string;
  /** The dynamic tag within a family ('' for a plain timer). */
  readonly tag: string;
  readonly domain: TimeDomain;
  /** When it was set to fire (event or processing time, by its domain). */
  readonly fireTimestamp: Instant;
  /** The timestamp of `onTimer`'s outputs. */
  readonly outputTimestamp: Instant;
}
