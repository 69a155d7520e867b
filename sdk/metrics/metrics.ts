/**
 * User metrics: counters, distributions and gauges, declared anywhere (typically as DoFn fields)
 * and attributed to the transform whose code updates them. The runner tells this module which
 * transform is running: directly around synchronous calls (cheap), and through an
 * AsyncLocalStorage for async DoFns, whose code resumes after the runner has moved on.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CounterCell, DistributionCell, GaugeCell, MetricsContainer } from './container.js';

let current: MetricsContainer | undefined;
const asyncScope = new AsyncLocalStorage<MetricsContainer>();

/** @internal For runners: runs `fn` with `container` receiving metric updates. */
export function withMetricsContainer<R>(container: MetricsContainer, fn: () => R): R {
  const prev = current;
  current = container;
  try {
    return fn();
  } finally {
    current = prev;
  }
}

/** @internal For runners: the same, for a call whose continuations run later (async DoFns). */
export function withAsyncMetricsContainer<R>(container: MetricsContainer, fn: () => R): R {
  return asyncScope.run(container, () => withMetricsContainer(container, fn));
}

/** @internal Sets the container for synchronous calls until reset; returns the previous one. */
export function swapMetricsContainer(container: MetricsContainer | undefined): MetricsContainer | undefined {
  const prev = current;
  current = container;
  return prev;
}

function active(): MetricsContainer | undefined {
  return current ?? asyncScope.getStore();
}

/** Caches the cell of the last container used, so a metric updated in a hot loop costs one
 *  comparison instead of a map lookup. */
abstract class CachedCell<C> {
  private lastContainer: MetricsContainer | undefined;
  private lastCell: C | undefined;
  constructor(
    readonly namespace: string,
    readonly name: string,
  ) {}
  protected cell(): C | undefined {
    const c = active();
    if (c === undefined) return undefined;
    if (c !== this.lastContainer) {
      this.lastContainer = c;
      this.lastCell = this.lookup(c);
    }
    return this.lastCell;
  }
  protected abstract lookup(c: MetricsContainer): C;
}

export class Counter extends CachedCell<CounterCell> {
  inc(n = 1): void {
    this.cell()?.inc(n);
  }
  dec(n = 1): void {
    this.inc(-n);
  }
  protected lookup(c: MetricsContainer): CounterCell {
    return c.counter(this.namespace, this.name);
  }
}

export class Distribution extends CachedCell<DistributionCell> {
  update(value: number): void {
    this.cell()?.update(value);
  }
  protected lookup(c: MetricsContainer): DistributionCell {
    return c.distribution(this.namespace, this.name);
  }
}

export class Gauge extends CachedCell<GaugeCell> {
  set(value: number): void {
    this.cell()?.set(value);
  }
  protected lookup(c: MetricsContainer): GaugeCell {
    return c.gauge(this.namespace, this.name);
  }
}

export const Metrics = {
  counter(namespace: string, name: string): Counter {
    return new Counter(namespace, name);
  },
  distribution(namespace: string, name: string): Distribution {
    return new Distribution(namespace, name);
  },
  gauge(namespace: string, name: string): Gauge {
    return new Gauge(namespace, name);
  },
};
