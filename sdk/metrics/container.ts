/**
 * The cells behind metrics, one container per transform, and the query results a
 * PipelineResult returns.
 */
export class CounterCell {
  value = 0;
  inc(n: number): void {
    this.value += n;
  }
}

export class DistributionCell {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  update(v: number): void {
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }
}

export class GaugeCell {
  value = NaN;
  timestamp = 0;
  set(v: number): void {
    this.value = v;
    this.timestamp = Date.now();
  }
}

export class MetricsContainer {
  readonly counters = new Map<string, CounterCell>();
  readonly distributions = new Map<string, DistributionCell>();
  readonly gauges = new Map<string, GaugeCell>();

  constructor(readonly step: string) {}

  counter(namespace: string, name: string): CounterCell {
    const key = `${namespace}\u0000${name}`;
    let c = this.counters.get(key);
    if (!c) this.counters.set(key, (c = new CounterCell()));
    return c;
  }
  distribution(namespace: string, name: string): DistributionCell {
    const key = `${namespace}\u0000${name}`;
    let c = this.distributions.get(key);
    if (!c) this.distributions.set(key, (c = new DistributionCell()));
    return c;
  }
  gauge(namespace: string, name: string): GaugeCell {
    const key = `${namespace}\u0000${name}`;
    let c = this.gauges.get(key);
    if (!c) this.gauges.set(key, (c = new GaugeCell()));
    return c;
  }
}

export interface MetricKey {
  readonly step: string;
  readonly namespace: string;
  readonly name: string;
}
export interface CounterResult extends MetricKey {
  readonly value: number;
}
export interface DistributionResult extends MetricKey {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}
export interface GaugeResult extends MetricKey {
  readonly value: number;
  readonly timestamp: number;
}

export interface MetricsFilter {
  readonly step?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** What `PipelineResult.metrics()` returns: every metric, with per-name lookups. */
export class MetricResults {
  constructor(
    readonly counters: readonly CounterResult[],
    readonly distributions: readonly DistributionResult[],
    readonly gauges: readonly GaugeResult[],
  ) {}

  static fromContainers(containers: Iterable<MetricsContainer>): MetricResults {
    const counters: CounterResult[] = [];
    const distributions: DistributionResult[] = [];
    const gauges: GaugeResult[] = [];
    for (const c of containers) {
      for (const [key, cell] of c.counters) counters.push({ ...split(c.step, key), value: cell.value });
      for (const [key, d] of c.distributions) {
        distributions.push({ ...split(c.step, key), count: d.count, sum: d.sum, min: d.min, max: d.max, mean: d.count ? d.sum / d.count : NaN });
      }
      // A gauge never set has no value to report (its cell exists because code asked for it).
      for (const [key, g] of c.gauges) if (g.timestamp !== 0) gauges.push({ ...split(c.step, key), value: g.value, timestamp: g.timestamp });
    }
    return new MetricResults(counters, distributions, gauges);
  }

  /** The sum of a counter over every transform (or those the filter selects). */
  counter(name: string, filter: MetricsFilter = {}): number {
    return this.counters.filter((c) => c.name === name && matches(c, filter)).reduce((s, c) => s + c.value, 0);
  }

  distribution(name: string, filter: MetricsFilter = {}): DistributionResult | undefined {
    const ds = this.distributions.filter((d) => d.name === name && matches(d, filter));
    if (ds.length === 0) return undefined;
    const count = ds.reduce((s, d) => s + d.count, 0);
    const sum = ds.reduce((s, d) => s + d.sum, 0);
    return {
      step: ds.length === 1 ? ds[0]!.step : '*',
      namespace: ds[0]!.namespace,
      name,
      count,
      sum,
      min: Math.min(...ds.map((d) => d.min)),
      max: Math.max(...ds.map((d) => d.max)),
      mean: count ? sum / count : NaN,
    };
  }

  gauge(name: string, filter: MetricsFilter = {}): number | undefined {
    const gs = this.gauges.filter((g) => g.name === name && matches(g, filter)).sort((a, b) => b.timestamp - a.timestamp);
    return gs[0]?.value;
  }
}

function split(step: string, key: string): MetricKey {
  const at = key.indexOf('\u0000');
  return { step, namespace: key.slice(0, at), name: key.slice(at + 1) };
}

function matches(m: MetricKey, f: MetricsFilter): boolean {
  return (!f.step || m.step === f.step || m.step.startsWith(`${f.step}/`)) && (!f.namespace || m.namespace === f.namespace) && (!f.name || m.name === f.name);
}
