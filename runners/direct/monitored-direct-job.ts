/** The direct runner's running job as `runners/monitoring` sees it. */
import type { pipeline as beam } from '../../portability-proto/index.js';
import type { MetricResults } from '../../sdk/metrics/container.js';
import type { PipelineState } from '../../sdk/runner-api.js';
import type { JobError, MonitoredJob, PCollectionStatus, TransformStatus } from '../monitoring/monitored-job.js';
import type { Executor } from './executor.js';
import type { PCollectionTaps } from './pcollection-taps.js';
import type { ExecutionPlan } from './plan.js';

export interface DirectJobParts {
  readonly proto: beam.IPipeline;
  readonly executor: Executor;
  readonly taps: PCollectionTaps;
  plan(): ExecutionPlan | undefined;
  state(): PipelineState;
  metrics(): MetricResults;
  errors(): readonly JobError[];
}

export function monitoredDirectJob(parts: DirectJobParts): MonitoredJob {
  const pcollectionIds = Object.keys(parts.proto.components?.pcollections ?? {});
  const startedAt = Date.now();
  return {
    runner: 'direct',
    pipeline: parts.proto,
    startedAt,
    state: parts.state,
    metrics: parts.metrics,
    errors: parts.errors,
    pcollections(): PCollectionStatus[] {
      const plan = parts.plan();
      const producers = new Map<string, string>();
      for (const [id, t] of Object.entries(parts.proto.components?.transforms ?? {})) {
        if ((t.subtransforms ?? []).length) continue;
        for (const pc of Object.values(t.outputs ?? {})) producers.set(pc, id);
      }
      const known = new Set(plan?.nodes.map((n) => n.id));
      return pcollectionIds.map((id) => {
        const producer = producers.get(id);
        const watermark = producer && known.has(producer) ? parts.executor.watermarks.outputWatermark(producer) : Number.NEGATIVE_INFINITY;
        return { id, elements: parts.taps.elements(id), watermark };
      });
    },
    transforms(): TransformStatus[] {
      const plan = parts.plan();
      if (!plan) return [];
      return plan.nodes.map((n) => ({ id: n.id, inputWatermark: parts.executor.inputWatermark(n.id), buffered: n.op.bufferedElements?.() ?? 0 }));
    },
    checkpoints() {
      const count = parts.metrics().counter('checkpoints', { step: 'tributary:executor', namespace: 'tributary' });
      const last = parts.executor.lastCheckpoint;
      return count === 0 && !last ? undefined : { count, lastDurationMs: last?.durationMs, lastAt: last?.at };
    },
    sample: (pc, limit) => parts.taps.sample(pc, limit),
    executedTransforms() {
      const plan = parts.plan();
      return plan ? new Set(plan.nodes.map((n) => n.id)) : undefined;
    },
  };
}
