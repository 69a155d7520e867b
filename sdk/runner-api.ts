/**
 * The contract between a pipeline and whatever runs it: a runner takes the pipeline and returns
 * a PipelineResult. Runners live in `runners/` and register by name; the model only knows this
 * shape.
 */
import type { MetricResults } from './metrics/container.js';
import type { Pipeline } from './graph/pipeline.js';

export type PipelineState = 'RUNNING' | 'DONE' | 'FAILED' | 'CANCELLED';

export interface PipelineResult {
  /** The current state; final once `waitUntilFinish` resolves. */
  readonly state: PipelineState;
  /** Resolves with the final state; rejects with the job's error if it failed. */
  waitUntilFinish(): Promise<PipelineState>;
  /** User and system metrics so far (final after the job ends). */
  metrics(): MetricResults;
  /** Stops the job; `waitUntilFinish` then resolves with CANCELLED. */
  cancel(): Promise<void>;
}

export interface PipelineRunner {
  readonly name: string;
  run(pipeline: Pipeline): PipelineResult;
}
