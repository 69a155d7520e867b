/**
 * Processing time for the replay's throttle and progress. The system clock really waits; the
 * virtual clock moves only when the replay sleeps, so throttling is tested exactly and instantly.
 */
import { TransformOptionError } from '../../sdk/errors.js';

export interface ReplayClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: ReplayClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class VirtualClock implements ReplayClock {
  /** Every sleep requested, in order. */
  readonly sleeps: number[] = [];
  constructor(private t = 0) {}
  now(): number {
    return this.t;
  }
  /** Sleeps that overlap end together, as on a real clock: time moves to the latest wake-up, not the sum. */
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    const wake = this.t + ms;
    return Promise.resolve().then(() => {
      if (wake > this.t) this.t = wake;
    });
  }
}

/**
 * A token bucket of `rate` units per second holding at most `burst` units (default one second's
 * worth), starting full.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  readonly burst: number;

  constructor(
    readonly rate: number,
    private readonly clock: ReplayClock,
    burst?: number,
  ) {
    if (!(rate > 0)) throw new TransformOptionError('KappaReplay', 'throttle', `a throttle rate must be a positive number, got ${rate}`);
    this.burst = burst ?? rate;
    if (!(this.burst > 0)) throw new TransformOptionError('KappaReplay', 'throttle', `a throttle burst must be a positive number, got ${burst}`);
    this.tokens = this.burst;
    this.last = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
  }

  /**
   * Takes `n` units *after* they were used (bytes are known only once fetched), sleeping for as
   * long as the bucket is then in debt.
   */
  async take(n: number): Promise<void> {
    this.refill();
    this.tokens -= n;
    // The debt stays on the books while we wait: a concurrent taker queues behind it instead of
    // having it forgiven, and the refill over the wait pays it off.
    if (this.tokens < 0) await this.clock.sleep((-this.tokens / this.rate) * 1000);
  }

  /** Whole units in the bucket now (a hair of rounding error counts as a whole unit). */
  available(): number {
    this.refill();
    return Math.max(0, Math.floor(this.tokens + 1e-9));
  }

  /** Milliseconds until the bucket holds `n` units (0 when it does). */
  waitFor(n: number): number {
    this.refill();
    return Math.max(0, ((n - this.tokens) / this.rate) * 1000);
  }

  /** Removes `n` units the caller saw as available. */
  remove(n: number): void {
    this.tokens -= n;
  }
}

/**
 * Paces rows *before* they go out, through every bucket that applies (the source's and the
 * group's): a row leaves only when each bucket holds a token for it, so no row runs ahead of a
 * throttle. When a bucket runs dry the read waits until every bucket holds a token for
 * `min(burst, rows waiting)` rows and hands them downstream together: deliveries are split to at
 * most the smallest burst.
 */
export class RowPacer {
  private readonly burst: number;

  constructor(
    private readonly buckets: readonly TokenBucket[],
    private readonly clock: ReplayClock,
  ) {
    this.burst = Math.max(1, Math.floor(Math.min(...buckets.map((b) => b.burst))));
  }

  /** Waits until at least one of `wanted` rows may go, and returns how many may go now (≥ 1, ≤ wanted). */
  async grant(wanted: number): Promise<number> {
    for (;;) {
      const now = Math.min(wanted, ...this.buckets.map((b) => b.available()));
      if (now >= 1) {
        for (const b of this.buckets) b.remove(now);
        return now;
      }
      const need = Math.min(wanted, this.burst);
      await this.clock.sleep(Math.max(...this.buckets.map((b) => b.waitFor(need))));
    }
  }
}
