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
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
    return Promise.resolve();
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
    if (this.tokens < 0) {
      const wait = (-this.tokens / this.rate) * 1000;
      await this.clock.sleep(wait);
      this.tokens = 0;
      this.last = this.clock.now();
    }
  }
}
