/**
 * User metrics: counters, distributions and gauges, declared anywhere (typically as DoFn fields)
 * and attributed to the transform whose code updates them. The runner tells this module which
 * transform is running: directly around synchronous calls (cheap), and through an
 * AsyncLocalStorage for async DoFns, whose code resumes after the runner has moved on.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { MetricsContainer } from './container.js';

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

export class Counter {
  constructor(
    readonly namespace: string,
    readonly name: string,
  ) {}
  inc(n = 1): void {
    active()?.counter(this.namespace, this.name).inc(n);
  }
  dec(n = 1): void {
    this.inc(-n);
  }
}

export class Distribution {
  constructor(
    readonly namespace: string,
    readonly name: string,
  ) {}
  update(value: number): void {
    active()?.distribution(this.namespace, this.name).update(value);
  }
}

export class Gauge {
  constructor(
    readonly namespace: string,
    readonly name: string,
  ) {}
  set(value: number): void {
    active()?.gauge(this.namespace, this.name).set(value);
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
