/**
 * Pulling the iterator a DoFn's `process` returned (pardo.ts): a synchronous DoFn's generator in
 * runs of up to PULL_RUN values, each handed on as one run through its GatheringContext; any
 * other iterator value by value in the DoFn's async scope. Neither is pulled again while
 * downstream asks to wait.
 */
import type { MetricsContainer } from '../../sdk/metrics/container.js';
import { swapMetricsContainer } from '../../sdk/metrics/metrics.js';
import type { MetricsScope } from './metrics-scope.js';
import { GatheringContext, type Context } from './pardo-contexts.js';
import type { Delivery } from './unit.js';

/**
 * How many values a synchronous DoFn's generator is pulled ahead of downstream before they are
 * handed on as one run: enough that a run's set-up is noise next to its elements, few enough
 * that a generator's body runs little ahead of what downstream has taken.
 */
export const PULL_RUN = 256;

/** What pulling needs of the ParDo whose `process` returned the iterator. */
export interface PullHost {
  readonly scope: MetricsScope;
  readonly metrics: MetricsContainer;
  /** The error naming the step, for a failure of user code in `phase`. */
  wrap(e: unknown, phase: string): unknown;
  /** The context being pulled into now belongs to its element until it finishes: the ParDo takes a new one for the next. */
  detach(): void;
  /** Counts `work` as the ParDo's in flight (its capacity, its failure). */
  track(work: Promise<void>): Promise<void>;
}

/** Pulls a generator's values until one delivery asks to wait, then continues asynchronously. */
export function pullGenerator(host: PullHost, ctx: Context, it: Iterator<unknown>): Delivery {
  if (!host.scope.knownSync || !(ctx instanceof GatheringContext)) return pullEach(host, ctx, it);
  // A synchronous DoFn's generator runs with its container current for the whole pull, not
  // swapped in and out (through a closure) per value: downstream operators called with its
  // outputs swap in their own.
  const prev = swapMetricsContainer(host.metrics);
  try {
    return pullRuns(host, ctx, it);
  } finally {
    swapMetricsContainer(prev);
  }
}

/** A synchronous DoFn's generator, run by run (`pullRun`), until done or downstream asks to wait. */
function pullRuns(host: PullHost, ctx: GatheringContext, it: Iterator<unknown>): Delivery {
  for (;;) {
    let done: boolean;
    try {
      done = pullRun(host, ctx, it);
    } catch (e) {
      if (!ctx.waiting) throw e;
      // What was handed on before the failure is still being taken: the failure comes after.
      host.detach();
      return host.track(Promise.resolve(ctx.settle()).then(() => Promise.reject(e)));
    }
    if (done) return ctx.settle();
    if (ctx.waiting) {
      host.detach();
      return host.track(pullLater(host, ctx, it));
    }
  }
}

/** `pullRuns` once downstream asked to wait: each run after the previous one was taken. */
async function pullLater(host: PullHost, ctx: GatheringContext, it: Iterator<unknown>): Promise<void> {
  for (;;) {
    await ctx.settle();
    let done: boolean;
    try {
      done = host.scope.call(() => pullRun(host, ctx, it));
    } catch (e) {
      await ctx.settle();
      throw e;
    }
    if (done) return ctx.settle();
  }
}

/**
 * Pulls up to PULL_RUN values (and gathers the main outputs the generator's body makes through
 * the context, in order with them), then hands them on as one run; true when the generator is
 * done. Stops early when an output other than a gathered one asked to wait. A failure of the
 * generator hands on the values it made before failing first, as one by one they would have
 * been, then throws (a failure downstream while handing them on comes first).
 */
function pullRun(host: PullHost, ctx: GatheringContext, it: Iterator<unknown>): boolean {
  ctx.gathering = true;
  try {
    for (;;) {
      let step: IteratorResult<unknown>;
      try {
        step = it.next();
      } catch (e) {
        throw host.wrap(e, 'process');
      }
      if (step.done) return true;
      ctx.output(step.value); // gathered
      if (ctx.gatheredCount >= PULL_RUN || ctx.waiting) return false;
    }
  } finally {
    ctx.gathering = false;
    ctx.handOnGathered();
  }
}

/** A generator of a DoFn not known to be synchronous: each value pulled in its async scope. */
function pullEach(host: PullHost, ctx: Context, it: Iterator<unknown>): Delivery {
  for (;;) {
    let step: IteratorResult<unknown>;
    try {
      step = host.scope.call(() => it.next());
    } catch (e) {
      throw host.wrap(e, 'process');
    }
    if (step.done) return ctx.settle();
    ctx.output(step.value);
    if (ctx.waiting) {
      host.detach();
      return host.track(
        (async () => {
          await ctx.settle();
          for (;;) {
            const s = host.scope.call(() => it.next());
            if (s.done) break;
            ctx.output(s.value);
            await ctx.settle();
          }
        })(),
      );
    }
  }
}
