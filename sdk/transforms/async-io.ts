/**
 * AsyncIO: enrich each element through an external service, with the guarantees of Flink's
 * Async I/O operator: at most `capacity` calls in flight per worker (more input waits, so the
 * back-pressure reaches the source), each attempt bounded by a timeout, failures retried with
 * backoff, and what still fails sent to a `failures` output with its cause — never dropped, never
 * failing the job. Results come out in completion order (`ordered: false`, the default) or in
 * input order (`ordered: true`); either way never across a watermark: a runner finishes a bundle,
 * and so every call of it, before its watermark moves (docs/event-time.md). A checkpoint is taken
 * between bundles, so a call in flight at a crash belongs to input after the checkpoint and is
 * issued again on restore.
 *
 *   const { results, failures } = events.apply('Enrich', AsyncIO.call(lookup, { capacity: 32, timeoutMs: 2000, retries: 3 }));
 */
import type { PCollection } from '../graph/pcollection.js';
import { PTransform } from '../graph/ptransform.js';
import { Metrics } from '../metrics/metrics.js';
import { callWithRetries, checkRetryPolicy, systemAsyncClock, type AsyncClock, type Attempt, type RetryPolicy } from './async-call.js';
import { DoFn, type ProcessContext } from './dofn.js';
import { ParDo } from './pardo.js';

export interface AsyncIOOptions extends RetryPolicy {
  /** Calls in flight at once per worker (default 16). */
  readonly capacity?: number;
  /** Results in input order instead of completion order (default false). */
  readonly ordered?: boolean;
  /** Timeouts and backoffs run on this clock (tests pass a virtual one). */
  readonly clock?: AsyncClock;
}

/** An element whose call failed for good, on the `failures` output. */
export interface AsyncFailure<I> {
  readonly input: I;
  /** The last attempt's error message, or "timed out after N ms". */
  readonly cause: string;
  readonly timedOut: boolean;
  readonly attempts: number;
}

export interface AsyncResults<I, O> {
  readonly results: PCollection<O>;
  readonly failures: PCollection<AsyncFailure<I>>;
}

export type AsyncCall<I, O> = (input: I, attempt: Attempt) => Promise<O>;

const DEFAULT_CAPACITY = 16;

class AsyncCallFn<I, O> extends DoFn<I, O, { failures: AsyncFailure<I> }> {
  private readonly calls = Metrics.counter('AsyncIO', 'calls');
  private readonly retried = Metrics.counter('AsyncIO', 'retries');
  private readonly timeouts = Metrics.counter('AsyncIO', 'timeouts');
  private readonly failed = Metrics.counter('AsyncIO', 'failures');
  private readonly latency = Metrics.distribution('AsyncIO', 'callMillis');
  /** In ordered mode, settles when the previous element's result went out. */
  private previous: Promise<void> = Promise.resolve();

  constructor(
    private readonly call: AsyncCall<I, O>,
    private readonly options: AsyncIOOptions,
  ) {
    super();
  }

  async process(input: I, ctx: ProcessContext<O, { failures: AsyncFailure<I> }>): Promise<void> {
    const clock = this.options.clock ?? systemAsyncClock;
    let turn: Promise<void> | undefined;
    let done: (() => void) | undefined;
    if (this.options.ordered) {
      turn = this.previous;
      this.previous = new Promise((resolve) => (done = resolve));
    }
    try {
      const started = clock.now();
      this.calls.inc();
      const outcome = await callWithRetries((attempt) => this.call(input, attempt), this.options, clock, {
        onRetry: () => this.retried.inc(),
        onTimeout: () => this.timeouts.inc(),
      });
      this.latency.update(clock.now() - started);
      if (turn) await turn;
      if (outcome.ok) ctx.output(outcome.value);
      else {
        this.failed.inc();
        ctx.outputTo('failures', { input, cause: outcome.cause, timedOut: outcome.timedOut, attempts: outcome.attempts });
      }
    } finally {
      done?.();
    }
  }
}

class AsyncIOTransform<I, O> extends PTransform<PCollection<I>, AsyncResults<I, O>> {
  constructor(
    private readonly call: AsyncCall<I, O>,
    private readonly options: AsyncIOOptions,
  ) {
    super('AsyncIO');
  }

  expand(input: PCollection<I>): AsyncResults<I, O> {
    const out = input.apply('Call', ParDo.of(new AsyncCallFn(this.call, this.options)).withMaxConcurrency(this.options.capacity ?? DEFAULT_CAPACITY).withOutputTags('failures'));
    return { results: out.main, failures: out.failures };
  }
}

export const AsyncIO = {
  /** Calls `call` for every element; see the module comment for the guarantees. */
  call<I, O>(call: AsyncCall<I, O>, options: AsyncIOOptions = {}): PTransform<PCollection<I>, AsyncResults<I, O>> {
    checkRetryPolicy(options);
    const capacity = options.capacity ?? DEFAULT_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`AsyncIO capacity must be a whole number ≥ 1, got ${capacity}`);
    return new AsyncIOTransform(call, options);
  },
};
