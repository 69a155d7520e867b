/**
 * A PipelineResult for a job that can only be submitted after something slow has started (the
 * Flink job server): RUNNING until then, then the inner result's; `cleanup` runs once the job has
 * ended (or could not start), whatever the outcome. Given what it will run (`watchable`), it can
 * be watched (`--metricsPort`, `--ui`) from the start: the job page shows the submitted graph
 * while the job server starts, and the inner job's status once there is one.
 */
import type { pipeline as beam } from '../../portability-proto/index.js';
import { InternalError } from '../../sdk/errors.js';
import { MetricResults } from '../../sdk/metrics/container.js';
import type { PipelineResult, PipelineState } from '../../sdk/runner-api.js';
import { isMonitorable, type Monitorable, type MonitoredJob } from '../monitoring/monitored-job.js';

/** What a deferred job will be, known before it is submitted. */
export interface WatchableJob {
  readonly runner: string;
  readonly pipeline: beam.IPipeline;
}

export class DeferredResult implements PipelineResult, Monitorable {
  private inner?: PipelineResult;
  private failedEarly = false;
  private cancelled = false;
  private readonly finished: Promise<PipelineState>;
  private watched?: MonitoredJob;

  constructor(
    start: Promise<PipelineResult>,
    cleanup: () => Promise<void>,
    private readonly watchable?: WatchableJob,
  ) {
    this.finished = (async () => {
      try {
        let inner: PipelineResult;
        try {
          inner = await start;
        } catch (e) {
          this.failedEarly = true;
          throw e;
        }
        this.inner = inner;
        if (this.cancelled) await inner.cancel();
        return await inner.waitUntilFinish();
      } finally {
        await cleanup();
      }
    })();
    this.finished.catch(() => undefined);
  }

  get state(): PipelineState {
    if (this.failedEarly) return 'FAILED';
    return this.inner?.state ?? 'RUNNING';
  }

  waitUntilFinish(): Promise<PipelineState> {
    return this.finished;
  }

  metrics(): MetricResults {
    return this.inner?.metrics() ?? new MetricResults([], [], []);
  }

  monitored(): MonitoredJob {
    if (!this.watchable) throw new InternalError('this deferred job was not given what it runs, so it cannot be watched');
    return (this.watched ??= deferredMonitoredJob(this.watchable, this, () => (isMonitorable(this.inner) ? this.inner.monitored() : undefined)));
  }

  async cancel(): Promise<void> {
    this.cancelled = true;
    await this.inner?.cancel();
    await this.finished.catch(() => undefined);
  }
}

/** The inner job's view once it exists; before that, the pipeline's graph with nothing run yet. */
function deferredMonitoredJob(job: WatchableJob, result: PipelineResult, inner: () => MonitoredJob | undefined): MonitoredJob {
  const startedAt = Date.now();
  return {
    runner: job.runner,
    // The inner job's is the proto as submitted (after the portable runner's expansions).
    get pipeline() {
      return inner()?.pipeline ?? job.pipeline;
    },
    startedAt,
    get externalUi() {
      return inner()?.externalUi;
    },
    state: () => inner()?.state() ?? result.state,
    metrics: () => inner()?.metrics() ?? result.metrics(),
    pcollections: () => inner()?.pcollections() ?? [],
    transforms: () => inner()?.transforms() ?? [],
    checkpoints: () => inner()?.checkpoints(),
    errors: () => inner()?.errors() ?? [],
    sample: (pcollectionId, limit) => inner()?.sample(pcollectionId, limit) ?? [],
    executedTransforms: () => inner()?.executedTransforms(),
  };
}
