/**
 * Processing time for the replay's throttle and progress. The system clock really waits; the
 * virtual clock moves only when the replay sleeps, so throttling is tested exactly and instantly.
 */
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

/** A token bucket of `rate` units per second, holding at most one second's worth. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly clock: ReplayClock,
  ) {
    if (!(rate > 0)) throw new Error(`a throttle rate must be a positive number, got ${rate}`);
    this.tokens = rate;
    this.last = clock.now();
  }

  /** Takes `n` units, sleeping first for as long as the bucket is in debt. */
  async take(n: number): Promise<void> {
    const now = this.clock.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    this.tokens -= n;
    // The debt stays on the books while we wait: a concurrent taker queues behind it instead of
    // having it forgiven, and the refill over the wait pays it off.
    if (this.tokens < 0) await this.clock.sleep((-this.tokens / this.rate) * 1000);
  }
}
