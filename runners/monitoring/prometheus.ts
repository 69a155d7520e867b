/**
 * `/metrics` in the Prometheus text format, with prom-client doing the exposition. Each family
 * reads the job's snapshot when scraped (prom-client's `get()` contract), so the job pays nothing
 * between scrapes and the values are never stale copies.
 *
 * Names (all prefixed `tributary_`): user metrics keep their namespace and name as labels, so
 * families stay few and any user name is a valid label value.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { MonitoredJob } from './monitored-job.js';
import { pipelineShape } from './pipeline-shape.js';

type Labels = Record<string, string>;
interface Sample {
  readonly labels?: Labels;
  readonly value: number;
  readonly metricName?: string;
}
type MetricType = 'counter' | 'gauge' | 'summary';

/** One metric family computed on scrape (prom-client registers anything with this shape). */
class SnapshotFamily {
  readonly aggregator = 'sum';
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    private readonly samples: () => readonly Sample[],
  ) {}
  get(): { name: string; help: string; type: MetricType; values: Sample[]; aggregator: string } {
    return { name: this.name, help: this.help, type: this.type, values: [...this.samples()], aggregator: this.aggregator };
  }
  reset(): void {}
}

const BOUND = 9.2e15;
/** Event time in seconds, with Beam's ends of time as ±Inf. */
function seconds(ms: number): number {
  if (ms <= -BOUND) return -Infinity;
  if (ms >= BOUND) return Infinity;
  return ms / 1000;
}

const KAPPA_GAUGES: ReadonlyArray<[string, string, string]> = [
  ['partitionsCompleted', 'tributary_kappa_partitions_completed', 'Kappa+ replay: partitions completed'],
  ['partitionsTotal', 'tributary_kappa_partitions_total', 'Kappa+ replay: partitions in the range'],
  ['rowsPerSecond', 'tributary_kappa_rows_per_second', 'Kappa+ replay: rows read per second'],
  ['etaSeconds', 'tributary_kappa_eta_seconds', 'Kappa+ replay: estimated seconds to the end of the range'],
];

/** A registry whose families read `job` on every scrape; `processMetrics` adds Node's own. */
export function prometheusRegistry(job: MonitoredJob, options: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  const shape = pipelineShape(job.pipeline, job.executedTransforms());
  const family = (name: string, help: string, type: MetricType, samples: () => readonly Sample[]) =>
    registry.registerMetric(new SnapshotFamily(name, help, type, samples) as never);
  const user = (m: { step: string; namespace: string; name: string }): Labels => ({ transform: m.step, namespace: m.namespace, name: m.name });

  family('tributary_job_info', 'The job: its runner and state (always 1)', 'gauge', () => [{ labels: { runner: job.runner, state: job.state() }, value: 1 }]);
  family('tributary_job_uptime_seconds', 'Wall-clock seconds since the job started', 'gauge', () => [{ value: (Date.now() - job.startedAt) / 1000 }]);

  family('tributary_user_counter_total', 'User counters, by transform, namespace and name', 'counter', () =>
    job.metrics().counters.filter((c) => c.namespace !== 'tributary').map((c) => ({ labels: user(c), value: c.value })),
  );
  family('tributary_user_distribution', 'User distributions (count and sum; min and max in the _min/_max gauges)', 'summary', () =>
    job.metrics().distributions.flatMap((d) => [
      { metricName: 'tributary_user_distribution_count', labels: user(d), value: d.count },
      { metricName: 'tributary_user_distribution_sum', labels: user(d), value: d.sum },
    ]),
  );
  family('tributary_user_distribution_min', 'Smallest value a user distribution saw', 'gauge', () =>
    job.metrics().distributions.filter((d) => d.count > 0).map((d) => ({ labels: user(d), value: d.min })),
  );
  family('tributary_user_distribution_max', 'Largest value a user distribution saw', 'gauge', () =>
    job.metrics().distributions.filter((d) => d.count > 0).map((d) => ({ labels: user(d), value: d.max })),
  );
  family('tributary_user_gauge', 'User gauges (latest value), by transform, namespace and name', 'gauge', () =>
    job.metrics().gauges.filter((g) => g.namespace !== 'tributary').map((g) => ({ labels: user(g), value: g.value })),
  );

  family('tributary_pcollection_elements_total', 'Elements delivered to the consumers of each PCollection', 'counter', () =>
    // PCollections inside a composite the runner executes as one unit never exist: left out.
    job.pcollections().flatMap((p) => {
      const producer = shape.producerOf(p.id);
      return producer ? [{ labels: { pcollection: shape.pcollectionName(p.id), producer: producer.name }, value: p.elements }] : [];
    }),
  );
  const flow = (side: 'inputs' | 'outputs') => () => {
    const counts = new Map(job.pcollections().map((p) => [p.id, p.elements]));
    return shape.leaves
      .filter((l) => l[side].length > 0)
      .map((l) => ({ labels: { transform: l.name }, value: l[side].reduce((s, pc) => s + (counts.get(pc) ?? 0), 0) }));
  };
  family('tributary_transform_elements_in_total', 'Elements into each transform (its main inputs)', 'counter', flow('inputs'));
  family('tributary_transform_elements_out_total', 'Elements out of each transform (all its outputs)', 'counter', flow('outputs'));

  const names = new Map(shape.leaves.map((l) => [l.id, l.name]));
  family('tributary_watermark_seconds', "Each transform's input watermark, as Unix seconds (+Inf once its input is complete)", 'gauge', () =>
    job.transforms().filter((t) => names.has(t.id)).map((t) => ({ labels: { transform: names.get(t.id)! }, value: seconds(t.inputWatermark) })),
  );
  family('tributary_event_time_lag_seconds', 'Wall-clock now less the input watermark (how far behind event time is)', 'gauge', () => {
    const now = Date.now();
    return job
      .transforms()
      .filter((t) => names.has(t.id) && t.inputWatermark > -BOUND)
      .map((t) => ({ labels: { transform: names.get(t.id)! }, value: t.inputWatermark >= BOUND ? 0 : Math.max(0, (now - t.inputWatermark) / 1000) }));
  });
  family('tributary_transform_buffered_elements', 'Elements each transform holds in state and buffers', 'gauge', () =>
    job.transforms().filter((t) => names.has(t.id) && t.buffered !== undefined).map((t) => ({ labels: { transform: names.get(t.id)! }, value: t.buffered! })),
  );
  family('tributary_late_dropped_total', 'Elements dropped as too late (behind the watermark past allowed lateness)', 'counter', () =>
    job.metrics().counters.filter((c) => c.namespace === 'tributary' && c.name === 'droppedLate').map((c) => ({ labels: { transform: c.step }, value: c.value })),
  );

  for (const [gauge, name, help] of KAPPA_GAUGES) {
    family(name, help, 'gauge', () =>
      job.metrics().gauges.filter((g) => g.namespace === 'kappa' && g.name === gauge).map((g) => ({ labels: { transform: g.step }, value: g.value })),
    );
  }
  family('tributary_kappa_watermark_seconds', 'Kappa+ replay: the watermark the replay emitted, as Unix seconds', 'gauge', () =>
    job.metrics().gauges.filter((g) => g.namespace === 'kappa' && g.name === 'watermark').map((g) => ({ labels: { transform: g.step }, value: seconds(g.value) })),
  );

  family('tributary_checkpoints_total', 'Checkpoints taken by this run', 'counter', () => [{ value: job.checkpoints()?.count ?? 0 }]);
  family('tributary_checkpoint_last_duration_seconds', 'How long the last checkpoint took to write', 'gauge', () => {
    const c = job.checkpoints();
    return c?.lastDurationMs === undefined ? [] : [{ value: c.lastDurationMs / 1000 }];
  });
  family('tributary_checkpoint_last_size_bytes', 'Size of the last checkpoint', 'gauge', () => {
    const c = job.checkpoints();
    return c?.lastBytes === undefined ? [] : [{ value: c.lastBytes }];
  });
  family('tributary_runner_gauge', "The runner's own gauges (peak buffered elements, heap release)", 'gauge', () =>
    job.metrics().gauges.filter((g) => g.namespace === 'tributary').map((g) => ({ labels: { name: g.name }, value: g.value })),
  );

  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'tributary_' });
  return registry;
}
