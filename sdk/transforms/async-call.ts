/**
 * One call to an external service the way a stream job must make it: each attempt bounded by a
 * timeout (and told to give up through an AbortSignal), failed attempts retried after an
 * exponential backoff, and the final outcome returned — never thrown — so the caller can send a
 * failure to a dead-letter output with its cause. Time comes from an `AsyncClock`, so tests run
 * timeouts and backoffs on a virtual clock.
 */

export interface AsyncClock {
  now(): number;
  /** Resolves after `ms`; resolves at once (and frees its timer) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemAsyncClock: AsyncClock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  },
};

export interface RetryPolicy {
  /** Bound on one attempt, in ms (default: none). A timed-out attempt counts as failed. */
  readonly timeoutMs?: number;
  /** Attempts after the first (default 0). */
  readonly retries?: number;
  /** Wait before the first retry, in ms (default 100); each further retry waits `backoffMultiplier` times longer, at most `maxBackoffMs`. */
  readonly backoffMs?: number;
  readonly backoffMultiplier?: number;
  readonly maxBackoffMs?: number;
  /** Which failures are worth another attempt (default: all, timeouts included). */
  readonly retryIf?: (failure: { readonly error: unknown; readonly timedOut: boolean }) => boolean;
}

export interface Attempt {
  /** 1 for the first call. */
  readonly number: number;
  /** Aborted when the attempt times out: a call that can be cancelled should stop. */
  readonly signal: AbortSignal;
}

export type CallOutcome<O> =
  | { readonly ok: true; readonly value: O; readonly attempts: number }
  | { readonly ok: false; readonly cause: string; readonly timedOut: boolean; readonly attempts: number };

/** Statistics of a call, for metrics. */
export interface CallEvents {
  onRetry?(): void;
  onTimeout?(): void;
}

const TIMED_OUT: unique symbol = Symbol('timed out');

export function checkRetryPolicy(policy: RetryPolicy): void {
  const { timeoutMs, retries = 0, backoffMs = 100, backoffMultiplier = 2, maxBackoffMs = Infinity } = policy;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new RangeError(`timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`);
  if (!Number.isInteger(retries) || retries < 0) throw new RangeError(`retries must be a whole number ≥ 0, got ${retries}`);
  if (!(backoffMs >= 0) || !(backoffMultiplier >= 1) || !(maxBackoffMs >= 0)) {
    throw new RangeError(`backoff must be backoffMs ≥ 0, backoffMultiplier ≥ 1 and maxBackoffMs ≥ 0, got ${backoffMs}, ${backoffMultiplier}, ${maxBackoffMs}`);
  }
}

export async function callWithRetries<O>(call: (attempt: Attempt) => Promise<O>, policy: RetryPolicy, clock: AsyncClock, events: CallEvents = {}): Promise<CallOutcome<O>> {
  const retries = policy.retries ?? 0;
  let backoff = policy.backoffMs ?? 100;
  for (let number = 1; ; number++) {
    const controller = new AbortController();
    let failure: { error: unknown; timedOut: boolean };
    try {
      const attempt = Promise.resolve().then(() => call({ number, signal: controller.signal }));
      let value: O | typeof TIMED_OUT;
      if (policy.timeoutMs === undefined) value = await attempt;
      else {
        // the timer is freed as soon as the call settles (controller.abort), so a finished call leaves nothing pending
        const timeout = clock.sleep(policy.timeoutMs, controller.signal).then((): typeof TIMED_OUT => TIMED_OUT);
        attempt.catch(() => undefined);
        value = await Promise.race([attempt, timeout]);
      }
      if (value !== TIMED_OUT) {
        controller.abort();
        return { ok: true, value, attempts: number };
      }
      failure = { error: new Error(`timed out after ${policy.timeoutMs} ms`), timedOut: true };
      events.onTimeout?.();
    } catch (error) {
      failure = { error, timedOut: false };
    }
    controller.abort();
    if (number > retries || (policy.retryIf && !policy.retryIf(failure))) {
      return { ok: false, cause: describe(failure.error), timedOut: failure.timedOut, attempts: number };
    }
    events.onRetry?.();
    await clock.sleep(Math.min(backoff, policy.maxBackoffMs ?? Infinity));
    backoff *= policy.backoffMultiplier ?? 2;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
