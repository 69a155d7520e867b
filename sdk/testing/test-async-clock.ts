/**
 * A virtual clock for AsyncIO's timeouts and backoffs (and a fake service's latency): time moves
 * only when the test moves it, so a test of "times out after 2 s, retries after 100 ms" runs
 * instantly and the same way every time. `runUntilSettled` drives a running pipeline: whenever the
 * process has nothing left to do but wait for this clock, it jumps to the next timer.
 */
import type { AsyncClock } from '../transforms/async-call.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void;
}

export class TestAsyncClock implements AsyncClock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fire: resolve };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((x) => x !== timer);
          resolve();
        },
        { once: true },
      );
    });
  }

  /** Timers waiting. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer due, earliest first. */
  async advance(ms: number): Promise<void> {
    const until = this.t + ms;
    for (;;) {
      const next = this.next();
      if (!next || next.at > until) break;
      await this.fireNext();
    }
    this.t = until;
  }

  /** Lets `work` run, jumping to the next timer each time the process is idle, until it settles. */
  async runUntilSettled<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const watched = work.finally(() => (settled = true));
    watched.catch(() => undefined);
    while (!settled) {
      await idle();
      if (settled) break;
      if (this.timers.length > 0) await this.fireNext();
    }
    return watched;
  }

  private next(): Timer | undefined {
    let best: Timer | undefined;
    for (const x of this.timers) if (!best || x.at < best.at || (x.at === best.at && x.seq < best.seq)) best = x;
    return best;
  }

  private async fireNext(): Promise<void> {
    const timer = this.next()!;
    this.timers = this.timers.filter((x) => x !== timer);
    if (timer.at > this.t) this.t = timer.at;
    timer.fire();
    await idle();
  }
}

/** Until everything already queued (promise callbacks, then one turn of the event loop) ran. */
function idle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
