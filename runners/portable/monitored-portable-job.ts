/**
 * A portable job as `runners/monitoring` sees it: what the job server reports through the Job
 * API — its state, its messages, and the harnesses' monitoring infos (user metrics per transform,
 * element counts per PCollection), polled at most once a second and only while someone watches.
 * A Beam job server does not report watermarks over the Job API: the page shows none, and
 * `/metrics` has no watermark families for a portable job (the engine's own UI has them).
 */
import type { pipeline as beam } from '../../portability-proto/index.js';
import { ByteReader } from '../../sdk/coders/index.js';
import { MetricResults } from '../../sdk/metrics/container.js';
import type { PipelineState } from '../../sdk/runner-api.js';
import type { MonitoredJob, PCollectionStatus } from '../monitoring/monitored-job.js';
import { metricResultsFromMonitoringInfos } from './metrics.js';

const ELEMENT_COUNT = 'beam:metric:element_count:v1';
const POLL_MS = 1000;

export interface PortableJobView {
  readonly runner: string;
  readonly proto: beam.IPipeline;
  state(): PipelineState;
  /** The job's monitoring infos, once submitted (undefined before). */
  monitoringInfos(): Promise<beam.IMonitoringInfo[]> | undefined;
  errors(): readonly string[];
  readonly externalUi?: string;
}

export function monitoredPortableJob(view: PortableJobView): MonitoredJob {
  let infos: beam.IMonitoringInfo[] = [];
  let polledAt = -Infinity;
  let polling: Promise<void> | undefined;
  const errorsSeen: Array<{ at: number; message: string }> = [];
  // Reads what the last poll brought, and starts the next poll when the last is old.
  const current = (): beam.IMonitoringInfo[] => {
    if (!polling && Date.now() - polledAt >= POLL_MS) {
      const request = view.monitoringInfos();
      if (request) {
        polling = request
          .then((fresh) => void (infos = fresh))
          .catch(() => undefined)
          .finally(() => {
            polledAt = Date.now();
            polling = undefined;
          });
      }
    }
    return infos;
  };
  const pcollectionIds = Object.keys(view.proto.components?.pcollections ?? {});
  return {
    runner: view.runner,
    pipeline: view.proto,
    startedAt: Date.now(),
    externalUi: view.externalUi,
    state: () => view.state(),
    metrics: () => (infos.length || current().length ? metricResultsFromMonitoringInfos(current()) : new MetricResults([], [], [])),
    pcollections(): PCollectionStatus[] {
      const counts = new Map<string, number>();
      for (const info of current()) {
        const pc = info.labels?.PCOLLECTION;
        if (info.urn !== ELEMENT_COUNT || !pc) continue;
        counts.set(pc, (counts.get(pc) ?? 0) + Number(BigInt.asIntN(64, new ByteReader(info.payload ?? new Uint8Array()).readVarBigInt())));
      }
      return pcollectionIds.map((id) => ({ id, elements: counts.get(id) ?? 0, watermark: Number.NEGATIVE_INFINITY }));
    },
    transforms: () => [],
    checkpoints: () => undefined,
    errors() {
      const messages = view.errors();
      while (errorsSeen.length < messages.length) errorsSeen.push({ at: Date.now(), message: messages[errorsSeen.length]! });
      return errorsSeen;
    },
    // Sampling needs the runner to send SampleDataRequests to the harnesses; Beam's Flink runner
    // and Prism do not.
    sample: () => [],
    executedTransforms: () => undefined,
  };
}
