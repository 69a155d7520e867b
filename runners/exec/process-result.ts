/**
 * What a stateful DoFn's `process` (or `onTimer`) returned, turned into outputs: nothing, an
 * array, a generator, or a Promise / async generator of those. One copy for every unit that runs
 * stateful user code (the direct runner's and the SDK harness's).
 */
import type { PendingDeliveries } from './pending.js';
import { isAsyncIterable, isIterator, isThenable, type Delivery } from './unit.js';

export type OutputSink = PendingDeliveries & { output(v: unknown): void };
export type Wrap = (e: unknown, phase: string) => unknown;

/** Delivers `result`; async results go through `track` (one element at a time). */
export function deliverResult(result: unknown, ctx: OutputSink, wrap: Wrap, phase: string, track: (work: Promise<void>) => Promise<void>): Delivery {
  if (result === undefined) return ctx.settle();
  if (Array.isArray(result)) {
    for (const v of result) ctx.output(v);
    return ctx.settle();
  }
  if (isThenable(result) || isAsyncIterable(result)) return track(finishAsync(ctx, result, wrap, phase));
  if (isIterator(result)) {
    try {
      for (let s = result.next(); !s.done; s = result.next()) ctx.output(s.value);
    } catch (e) {
      throw wrap(e, phase);
    }
    return ctx.settle();
  }
  throw wrap(new TypeError(`${phase} returned ${typeof result}; return nothing, an array, a generator, or a Promise of those`), phase);
}

export async function finishAsync(ctx: OutputSink, result: unknown, wrap: Wrap, phase: string): Promise<void> {
  try {
    if (isThenable(result)) {
      const r = await result;
      if (Array.isArray(r)) for (const v of r) ctx.output(v);
    } else {
      for await (const v of result as AsyncIterable<unknown>) ctx.output(v);
    }
    await ctx.settle();
  } catch (e) {
    throw wrap(e, phase);
  }
}
