/**
 * Worker mode: how user code reaches another process without serializing a single function.
 *
 * The worker imports the same pipeline file the submitter used, builds the pipeline with the same
 * options, and translates it. If the rebuilt proto is byte-identical to the submitted one, every
 * user function id in the submitted proto names a function object in this process (closures and
 * all); the worker then executes the SUBMITTED proto with those functions. If the bytes differ,
 * the program is not the one that built the submission (other code, other options, a
 * nondeterministic construction) and the worker refuses at once with a GraphMismatchError that
 * names the first differing transform, PCollection or coder.
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { GraphMismatchError, TributaryError } from '../../sdk/errors.js';
import type { MetricResults } from '../../sdk/metrics/container.js';
import type { PipelineState } from '../../sdk/runner-api.js';
import { encodePipeline } from '../../sdk/translate/to-proto.js';
import { DirectRunner } from '../direct/direct-runner.js';
import { firstDifference } from './graph-diff.js';
import { buildPipelineFile, loadPipelineFile } from './pipeline-file.js';

export interface WorkerOptions {
  /** The pipeline file the submitter built the proto from. */
  readonly pipelineFile: string;
  /** The submitted pipeline proto (encoded). */
  readonly protoBytes: Uint8Array;
  /** The pipeline options the submitter used (declared names → values). */
  readonly options?: Readonly<Record<string, unknown>>;
  /** Where the worker executes; only "direct" (in this process) for now. */
  readonly runner?: string;
}

export interface WorkerResult {
  readonly state: PipelineState;
  readonly metrics: MetricResults;
}

/** Throws a GraphMismatchError unless the two encodings are the same pipeline. */
export function verifySameGraph(submittedBytes: Uint8Array, rebuiltBytes: Uint8Array, pipelineFile = 'the pipeline file'): beam.Pipeline {
  const submitted = decodeSubmitted(submittedBytes);
  if (sameBytes(submittedBytes, rebuiltBytes)) return submitted;
  // The submitter's encoding may differ from ours only in byte order or unknown fields; compare
  // canonical encodings before calling it a mismatch.
  if (sameBytes(encodePipeline(submitted), rebuiltBytes)) return submitted;
  const rebuilt = beam.Pipeline.decode(rebuiltBytes);
  const why = firstDifference(submitted, rebuilt) ?? 'the encoded pipelines differ, though their components compare equal';
  throw new GraphMismatchError(
    `the graph this worker rebuilt from ${pipelineFile} differs from the submitted pipeline: ${why}. ` +
      `A worker must run the same program with the same options as the submitter, and pipeline construction must be deterministic ` +
      `(no dependence on time, randomness, environment variables or input data).`,
  );
}

function decodeSubmitted(bytes: Uint8Array): beam.Pipeline {
  try {
    return beam.Pipeline.decode(bytes);
  } catch (e) {
    throw new GraphMismatchError(`the submitted pipeline proto (${bytes.length} bytes) does not decode as a Pipeline: ${(e as Error).message}`);
  }
}

/** Rebuilds the program, checks its graph against the submitted proto, and runs the proto. */
export async function runWorker(opts: WorkerOptions): Promise<WorkerResult> {
  const runner = opts.runner ?? 'direct';
  if (runner !== 'direct') {
    throw new WorkerSetupError(`worker mode executes on the "direct" runner only, not "${runner}"`);
  }
  const loaded = await loadPipelineFile(opts.pipelineFile);
  const built = await buildPipelineFile(loaded, opts.options ?? {}, { source: 'the worker options' });
  const submitted = verifySameGraph(opts.protoBytes, encodePipeline(built.portable.proto), opts.pipelineFile);
  const result = new DirectRunner().runPortable({ proto: submitted, userFns: built.portable.userFns });
  try {
    await result.waitUntilFinish();
  } catch (e) {
    throw new WorkerJobError(result.state, result.metrics(), e);
  }
  return { state: result.state, metrics: result.metrics() };
}

/** The worker was started with settings it cannot use. */
export class WorkerSetupError extends TributaryError {}

/** The submitted job ran and failed; carries what metrics it reported. */
export class WorkerJobError extends TributaryError {
  constructor(
    readonly state: PipelineState,
    readonly metrics: MetricResults,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = cause instanceof Error ? cause.name : 'WorkerJobError';
  }
}

/** One JSON-friendly line describing a worker's outcome. */
export function workerReport(state: PipelineState, metrics: MetricResults | undefined, error?: unknown): Record<string, unknown> {
  const report: Record<string, unknown> = { state };
  if (error !== undefined) {
    report.error = error instanceof Error ? error.message : String(error);
    report.errorName = error instanceof Error ? error.name : 'Error';
  }
  if (metrics) {
    report.counters = metrics.counters.map(({ step, namespace, name, value }) => ({ step, namespace, name, value }));
    report.distributions = metrics.distributions.map(({ step, namespace, name, count, sum, min, max }) => ({ step, namespace, name, count, sum, min, max }));
    report.gauges = metrics.gauges.map(({ step, namespace, name, value }) => ({ step, namespace, name, value }));
  }
  return report;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
