/**
 * A DoFn's lifecycle calls outside `process`, the same for every ParDo unit: setup and teardown
 * in the transform's metrics scope, finishBundle with its own output context, and failures
 * wrapped once as a `UserCodeError` naming the transform and the phase.
 */
import type { MetricsContainer } from '../../sdk/metrics/container.js';
import { withAsyncMetricsContainer } from '../../sdk/metrics/metrics.js';
import { UserCodeError } from '../../sdk/errors.js';
import type { FinishBundleContext } from '../../sdk/transforms/dofn.js';
import type { MetricsScope } from './metrics-scope.js';
import { FinishBundleOutputContext, type OutputHost } from './output-contexts.js';
import { isThenable, type Delivery } from './unit.js';

/** `e` as a failure of `name`'s user code in `phase` (unchanged if it already is one). */
export function userCodeError(name: string, phase: string, e: unknown): unknown {
  return e instanceof UserCodeError ? e : new UserCodeError(name, phase, e);
}

/** setup or teardown: once per unit, awaited, attributed to the transform's metrics. */
export async function runLifecycle(name: string, phase: 'setup' | 'teardown', metrics: MetricsContainer, f: (() => unknown) | undefined): Promise<void> {
  if (!f) return;
  try {
    await withAsyncMetricsContainer(metrics, f);
  } catch (e) {
    throw userCodeError(name, phase, e);
  }
}

/**
 * finishBundle: outputs carry their own timestamp and window (there is no current element).
 * Always in the async metrics scope: a DoFn whose `process` is synchronous may still finish its
 * bundle asynchronously (a sink flushing a batch), and what it counts after an await must be
 * attributed too. Once per bundle, so the async scope costs nothing that matters.
 */
export function callFinishBundle(name: string, host: OutputHost, scope: MetricsScope, finish: (ctx: FinishBundleContext<unknown>) => unknown): Delivery {
  const ctx = new FinishBundleOutputContext(host);
  let r: unknown;
  try {
    r = withAsyncMetricsContainer(scope.metrics, () => finish(ctx as unknown as FinishBundleContext<unknown>));
  } catch (e) {
    throw userCodeError(name, 'finishBundle', e);
  }
  if (isThenable(r)) return r.then(() => ctx.settle(), (e) => Promise.reject(userCodeError(name, 'finishBundle', e)));
  return ctx.settle();
}
