/** The handle to a running or finished job. */
import { MetricResults, type MetricsContainer } from '../../sdk/metrics/container.js';
import type { PipelineResult, PipelineState } from '../../sdk/runner-api.js';

export class DirectPipelineResult implements PipelineResult {
  private currentState: PipelineState = 'RUNNING';
  private readonly done: Promise<PipelineState>;
  /** The job's failure, once it failed (for whoever watches it). */
  readonly errors: Array<{ at: number; message: string }> = [];

  constructor(
    execution: Promise<void>,
    private readonly containers: () => Iterable<MetricsContainer>,
    private readonly onCancel: () => void,
  ) {
    this.done = execution.then(
      () => (this.currentState = this.currentState === 'CANCELLED' ? 'CANCELLED' : 'DONE'),
      (e) => {
        this.currentState = 'FAILED';
        this.errors.push({ at: Date.now(), message: e instanceof Error ? e.message : String(e) });
        throw e;
      },
    );
    // The failure is reported through waitUntilFinish; do not also crash the process.
    this.done.catch(() => undefined);
  }

  get state(): PipelineState {
    return this.currentState;
  }

  waitUntilFinish(): Promise<PipelineState> {
    return this.done;
  }

  metrics(): MetricResults {
    return MetricResults.fromContainers(this.containers());
  }

  async cancel(): Promise<void> {
    if (this.currentState !== 'RUNNING') return;
    this.currentState = 'CANCELLED';
    this.onCancel();
    await this.done.catch(() => undefined);
  }
}
