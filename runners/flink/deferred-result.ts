/**
 * A PipelineResult for a job that can only be submitted after something slow has started (the
 * Flink job server): RUNNING until then, then the inner result's; `cleanup` runs once the job has
 * ended (or could not start), whatever the outcome.
 */
import { MetricResults } from '../../sdk/metrics/container.js';
import type { PipelineResult, PipelineState } from '../../sdk/runner-api.js';

export class DeferredResult implements PipelineResult {
  private inner?: PipelineResult;
  private failedEarly = false;
  private cancelled = false;
  private readonly finished: Promise<PipelineState>;

  constructor(start: Promise<PipelineResult>, cleanup: () => Promise<void>) {
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

  async cancel(): Promise<void> {
    this.cancelled = true;
    await this.inner?.cancel();
    await this.finished.catch(() => undefined);
  }
}
