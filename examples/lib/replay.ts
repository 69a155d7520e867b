/**
 * Replays a generated trace as a live feed would deliver it: in arrival order, out of order in
 * event time, with a watermark that trails the largest event time seen by a bounded
 * out-of-orderness (the talk's `BoundedOutOfOrdernessTimestampExtractor`). The plan is plain data
 * — batches of elements and watermark advances — so a test can model it with a loop, and
 * `toTestStream` turns it into a TestStream the runner drives deterministically.
 */
import { Duration, Instant, type TimestampedValue } from '../../sdk/index.js';
import { TestStream } from '../../sdk/testing/test-stream.js';

/** An element of a trace: its value, event time, and when the feed delivers it. */
export interface Arrival<T> {
  readonly value: T;
  readonly timestamp: Instant;
  readonly arrival: Instant;
}

export type ReplayStep<T> =
  | { readonly kind: 'elements'; readonly elements: readonly TimestampedValue<T>[] }
  | { readonly kind: 'watermark'; readonly watermark: Instant };

export interface ReplayOptions {
  /** How far the watermark trails the largest event time seen. */
  readonly maxOutOfOrderness: Duration;
  /** Elements whose arrival falls in the same slice of this length are delivered together. */
  readonly batch: Duration;
  /** When a whole batch period passes with no arrival, the source is idle and its watermark
   *  follows the arrival clock (less the out-of-orderness), as a live source's would; after the
   *  last element it moves past every element. Without it, the watermark only moves when
   *  elements arrive, so a quiet spell holds back early results until the next arrival. */
  readonly idle?: boolean;
}

/** The steps in which a feed with a bounded-out-of-orderness watermark delivers `arrivals`. */
export function replayPlan<T>(arrivals: readonly Arrival<T>[], opts: ReplayOptions): ReplayStep<T>[] {
  const sorted = [...arrivals].sort((a, b) => a.arrival - b.arrival || a.timestamp - b.timestamp);
  const steps: ReplayStep<T>[] = [];
  let maxSeen = -Infinity;
  let watermark = -Infinity;
  let i = 0;
  while (i < sorted.length) {
    const slice = Math.floor(sorted[i]!.arrival / opts.batch);
    const elements: TimestampedValue<T>[] = [];
    for (; i < sorted.length && Math.floor(sorted[i]!.arrival / opts.batch) === slice; i++) {
      const a = sorted[i]!;
      elements.push({ value: a.value, timestamp: a.timestamp });
      maxSeen = Math.max(maxSeen, a.timestamp);
    }
    steps.push({ kind: 'elements', elements });
    advance(maxSeen - opts.maxOutOfOrderness);
    if (opts.idle) {
      const nextSlice = i < sorted.length ? Math.floor(sorted[i]!.arrival / opts.batch) : Infinity;
      if (nextSlice > slice + 1) advance((slice + 2) * opts.batch - opts.maxOutOfOrderness);
      if (i === sorted.length) advance(maxSeen + 1);
    }
  }
  return steps;

  function advance(to: number): void {
    if (to > watermark) {
      watermark = to;
      steps.push({ kind: 'watermark', watermark: Instant.ofEpochMillis(to) });
    }
  }
}

/** A TestStream that plays the steps, then moves the watermark to +∞ (end of input). */
export function toTestStream<T>(steps: readonly ReplayStep<T>[]): TestStream<T> {
  let b = TestStream.create<T>();
  for (const step of steps) {
    b = step.kind === 'elements' ? b.addElements(...step.elements) : b.advanceWatermarkTo(step.watermark);
  }
  return b.advanceWatermarkToInfinity();
}

export const replayDefaults: ReplayOptions = {
  maxOutOfOrderness: Duration.seconds(1),
  batch: Duration.seconds(5),
  idle: true,
};
