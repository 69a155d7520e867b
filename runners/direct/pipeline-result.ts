/** The handle to a running or finished job. */
import { MetricResults, type MetricsContainer } from '../../sdk/metrics/container.js';
import type { PipelineResult, PipelineState } from '../../sdk/runner-api.js';
import { checkReadsCompleted } from '../read-completeness.js';

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
    // A read cut short by the runner fails the job, as on every runner (read-completeness.ts).
    const checked = execution.then(() => {
      if (this.currentState !== 'CANCELLED') checkReadsCompleted('direct', this.metrics());
    });
    this.done = checked.then(
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
