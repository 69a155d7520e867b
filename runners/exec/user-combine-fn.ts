/**
 * A user's CombineFn as every runner calls it: each call runs with its Combine's metrics
 * container current, so a metric updated inside it counts under the Combine's step (not under
 * whichever step handed the element on), and a failure names the Combine and the call (a
 * UserCodeError). A CombineFn is synchronous, so swapping the container around each call is
 * enough: no async scope, no closure per element. The SDK's own CombineFns that run no user code
 * (Sum, Count, ...) are called bare: the guard costs ~15 ns a call on the hottest path there is.
 */
import type { MetricsContainer } from '../../sdk/metrics/container.js';
import { swapMetricsContainer } from '../../sdk/metrics/metrics.js';
import { addsRows, mayRunUserCode, type CombineFn, type RowCombineFn } from '../../sdk/transforms/combine-fn.js';
import type { ColumnsOf } from '../../sdk/values/column-batch.js';
import { userCodeError } from './lifecycle.js';

export function guardedCombineFn<I, A, O>(fn: CombineFn<I, A, O>, name: string, metrics: MetricsContainer): CombineFn<I, A, O> {
  if (!mayRunUserCode(fn)) return fn;
  return addsRows(fn as CombineFn<unknown, unknown, unknown>)
    ? new GuardedRowCombineFn(fn as RowCombineFn<I, A, O>, name, metrics)
    : new GuardedCombineFn(fn, name, metrics);
}

class GuardedCombineFn<I, A, O> implements CombineFn<I, A, O> {
  constructor(
    protected readonly fn: CombineFn<I, A, O>,
    protected readonly name: string,
    protected readonly metrics: MetricsContainer,
  ) {}

  createAccumulator(): A {
    const prev = swapMetricsContainer(this.metrics);
    try {
      return this.fn.createAccumulator();
    } catch (e) {
      throw userCodeError(this.name, 'createAccumulator', e);
    } finally {
      swapMetricsContainer(prev);
    }
  }

  addInput(acc: A, input: I): A {
    const prev = swapMetricsContainer(this.metrics);
    try {
      return this.fn.addInput(acc, input);
    } catch (e) {
      throw userCodeError(this.name, 'addInput', e);
    } finally {
      swapMetricsContainer(prev);
    }
  }

  mergeAccumulators(accs: Iterable<A>): A {
    const prev = swapMetricsContainer(this.metrics);
    try {
      return this.fn.mergeAccumulators(accs);
    } catch (e) {
      throw userCodeError(this.name, 'mergeAccumulators', e);
    } finally {
      swapMetricsContainer(prev);
    }
  }

  extractOutput(acc: A): O {
    const prev = swapMetricsContainer(this.metrics);
    try {
      return this.fn.extractOutput(acc);
    } catch (e) {
      throw userCodeError(this.name, 'extractOutput', e);
    } finally {
      swapMetricsContainer(prev);
    }
  }
}

class GuardedRowCombineFn<I, A, O> extends GuardedCombineFn<I, A, O> implements RowCombineFn<I, A, O> {
  declare protected readonly fn: RowCombineFn<I, A, O>;

  addRow(acc: A, columns: ColumnsOf<I>, row: number): A {
    const prev = swapMetricsContainer(this.metrics);
    try {
      return this.fn.addRow(acc, columns, row);
    } catch (e) {
      throw userCodeError(this.name, 'addInput', e);
    } finally {
      swapMetricsContainer(prev);
    }
  }
}
