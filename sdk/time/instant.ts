/**
 * Event time. An `Instant` is milliseconds since the Unix epoch and a `Duration` a span of
 * milliseconds; both are plain numbers at run time (zero cost on the hot path) but distinct types
 * at compile time, so the API never takes a bare number where a time is meant.
 *
 * Beam's bounds are ±9223372036854775 ms (int64 microseconds in millis). They exceed 2^53, so as
 * JavaScript numbers they are the nearest doubles; the coders map those doubles back to the exact
 * int64 values on the wire. Every other instant is exact within ±2^53 ms (±285,000 years).
 */
declare const instantBrand: unique symbol;
declare const durationBrand: unique symbol;

export type Instant = number & { readonly [instantBrand]: true };
export type Duration = number & { readonly [durationBrand]: true };

/** Beam's minimum timestamp as an exact int64, for coders. */
export const MIN_TIMESTAMP_EXACT = -9223372036854775n;
/** Beam's maximum timestamp as an exact int64, for coders. */
export const MAX_TIMESTAMP_EXACT = 9223372036854775n;
/** The global window's max timestamp: the maximum less one day. */
export const GLOBAL_WINDOW_MAX_EXACT = MAX_TIMESTAMP_EXACT - 86_400_000n;

const DAY = 86_400_000;

export const Instant = {
  /** −∞ of event time: the watermark before anything is known. */
  MIN: Number(MIN_TIMESTAMP_EXACT) as Instant,
  /** +∞ of event time: the watermark of a finished bounded input. */
  MAX: Number(MAX_TIMESTAMP_EXACT) as Instant,
  ofEpochMillis(ms: number): Instant {
    return ms as Instant;
  },
  /** Parses an ISO-8601 string; a string without a zone is taken as UTC. */
  parse(iso: string): Instant {
    const hasZone = /(Z|[+-]\d\d:?\d\d)$/.test(iso);
    const ms = Date.parse(hasZone ? iso : `${iso}Z`);
    if (Number.isNaN(ms)) throw new RangeError(`not an ISO-8601 instant: "${iso}"`);
    return ms as Instant;
  },
  ofDate(date: Date): Instant {
    return date.getTime() as Instant;
  },
  plus(t: Instant, d: Duration): Instant {
    return (t + d) as Instant;
  },
  minus(t: Instant, d: Duration): Instant {
    return (t - d) as Instant;
  },
  min(a: Instant, b: Instant): Instant {
    return (a < b ? a : b) as Instant;
  },
  max(a: Instant, b: Instant): Instant {
    return (a > b ? a : b) as Instant;
  },
  isMin(t: Instant): boolean {
    return t <= Instant.MIN;
  },
  isMax(t: Instant): boolean {
    return t >= Instant.MAX;
  },
  /** Readable form for logs and errors: ISO-8601, or −∞/+∞ at the bounds. */
  format(t: Instant): string {
    if (t <= Instant.MIN) return '-inf';
    if (t >= Instant.MAX) return '+inf';
    const d = new Date(t);
    return Number.isNaN(d.getTime()) ? `${t}ms` : d.toISOString();
  },
};

export const Duration = {
  ZERO: 0 as Duration,
  millis(n: number): Duration {
    return n as Duration;
  },
  seconds(n: number): Duration {
    return (n * 1000) as Duration;
  },
  minutes(n: number): Duration {
    return (n * 60_000) as Duration;
  },
  hours(n: number): Duration {
    return (n * 3_600_000) as Duration;
  },
  days(n: number): Duration {
    return (n * DAY) as Duration;
  },
  between(from: Instant, to: Instant): Duration {
    return (to - from) as Duration;
  },
};
