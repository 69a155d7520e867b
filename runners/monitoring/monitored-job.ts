/**
 * What a runner shows of a running job. The direct runner implements it in-process; a portable
 * runner implements it from the job service and the harnesses' monitoring infos. Everything is a
 * snapshot taken when asked (a scrape, a page refresh), so watching costs nothing between asks.
 */
import type { pipeline as beam } from '../../portability-proto/index.js';
import type { MetricResults } from '../../sdk/metrics/container.js';
import type { PipelineState } from '../../sdk/runner-api.js';
import type { SampledElement } from './sampler.js';

export interface PCollectionStatus {
  /** The PCollection's id in the proto. */
  readonly id: string;
  /** Elements that reached its consumers so far. */
  readonly elements: number;
  /** The output watermark of the transform producing it (ms since the epoch; ±9.2e15 for ±∞). */
  readonly watermark: number;
}

export interface TransformStatus {
  /** The leaf transform's id in the proto. */
  readonly id: string;
  /** Its input watermark: how far event time is complete for it. */
  readonly inputWatermark: number;
  /** Elements it holds in state or buffers right now (back-pressure shows here first). */
  readonly buffered?: number;
}

export interface CheckpointStatus {
  readonly count: number;
  readonly lastDurationMs?: number;
  readonly lastBytes?: number;
  /** Wall-clock time the last one finished (ms since the epoch). */
  readonly lastAt?: number;
}

export interface JobError {
  readonly at: number;
  readonly message: string;
}

export interface MonitoredJob {
  readonly runner: string;
  /** The pipeline as submitted, for the graph. */
  readonly pipeline: beam.IPipeline;
  /** Wall-clock start (ms since the epoch). */
  readonly startedAt: number;
  state(): PipelineState;
  metrics(): MetricResults;
  pcollections(): readonly PCollectionStatus[];
  transforms(): readonly TransformStatus[];
  checkpoints(): CheckpointStatus | undefined;
  /** The last errors seen (newest last), a job failure among them. */
  errors(): readonly JobError[];
  /** Starts keeping the last `limit` elements of a PCollection (no cost to the others) and
   *  returns those kept so far, newest last. `limit` 0 stops sampling it. */
  sample(pcollectionId: string, limit: number): readonly SampledElement[];
  /** The transforms the runner executes as units, when it knows (a composite it runs natively is
   *  one of them); undefined means the pipeline's leaf transforms. */
  executedTransforms(): ReadonlySet<string> | undefined;
  /** Where the engine's own UI is (Flink's dashboard), if there is one. */
  readonly externalUi?: string;
}

/** A `PipelineResult` that can be watched while it runs. */
export interface Monitorable {
  monitored(): MonitoredJob;
}

export function isMonitorable(result: unknown): result is Monitorable {
  return typeof (result as Partial<Monitorable> | null)?.monitored === 'function';
}
