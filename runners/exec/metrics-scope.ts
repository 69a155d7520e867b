/**
 * Runs a ParDo's user code with its transform's metrics container current. A synchronous call
 * only swaps the container (cheap); an async one needs an async scope so that its continuations
 * are attributed too. Which kind a DoFn is shows on its first call, so until then — and from the
 * moment it proves async — calls run in the async scope.
 */
import type { MetricsContainer } from '../../sdk/metrics/container.js';
import { swapMetricsContainer, withAsyncMetricsContainer } from '../../sdk/metrics/metrics.js';
import { isAsyncIterable, isThenable } from './unit.js';

export class MetricsScope {
  private modeKnown = false;
  private asyncMode = false;

  constructor(readonly metrics: MetricsContainer) {}

  /** The DoFn proved synchronous: a caller may swap the container itself, without a closure. */
  get knownSync(): boolean {
    return this.modeKnown && !this.asyncMode;
  }

  /** The DoFn returned async work some other way (its result was already taken). */
  markAsync(): void {
    this.modeKnown = true;
    this.asyncMode = true;
  }

  call<R>(fn: () => R): R {
    if (this.asyncMode || !this.modeKnown) {
      const r = withAsyncMetricsContainer(this.metrics, fn);
      if (!this.modeKnown) {
        this.modeKnown = true;
        this.asyncMode = isThenable(r) || isAsyncIterable(r);
      }
      return r;
    }
    const prev = swapMetricsContainer(this.metrics);
    try {
      return fn();
    } finally {
      swapMetricsContainer(prev);
    }
  }
}
