/**
 * The direct runner: executes a pipeline's portable proto in this process. Whatever runs here
 * has already survived translation, since the operators are built from the proto, not from the
 * objects the pipeline was constructed with.
 */
import type { pipeline as beam } from '../../portability-proto/index.js';
import type { Pipeline } from '../../sdk/graph/pipeline.js';
import type { PipelineResult, PipelineRunner } from '../../sdk/runner-api.js';
import { toPortable, type PortablePipeline } from '../../sdk/translate/to-proto.js';
import { registerRunner } from '../runner.js';
import { TributaryError } from '../../sdk/errors.js';
import { Executor, type CheckpointOptions, type Clock, type ExecutorTraceEvent } from './executor.js';
import { checkpointIdentity } from './checkpoint-identity.js';
import type { HeapReleaseOptions } from './heap-release.js';
import { buildPlan } from './plan.js';
import { checkBundleSettings } from './bundle-settings.js';
import { DirectPipelineResult } from './pipeline-result.js';
import { ElementSampler } from '../monitoring/sampler.js';
import { monitoredDirectJob } from './monitored-direct-job.js';
import { PCollectionTaps } from './pcollection-taps.js';

export interface DirectRunnerOptions {
  /** Processing time for processing-time triggers; a manual clock by default (TestStream moves it). */
  readonly clock?: Clock;
  /** Receives every operator's input-watermark move, in order (tests, debugging). */
  readonly trace?: (event: ExecutorTraceEvent) => void;
  /** Checkpoint into `dir` (at most every `intervalMs`, see DEFAULT_CHECKPOINT_INTERVAL) and resume from
   *  it when it belongs to this job (same pipeline, `options` and input); see CheckpointOptions. */
  readonly checkpoint?: CheckpointOptions;
  /** A full garbage collection right after a watermark step releases most of the state, so the
   *  heap is sized from what the job keeps (runners/direct/heap-release.ts). On by default. */
  readonly heapRelease?: HeapReleaseOptions | false;
  /** Count and sample every PCollection so the job can be watched (`result.monitored()`, the
   *  CLI's --metricsPort and --ui). Off by default: an unwatched job pays nothing. */
  readonly monitoring?: boolean;
  /** Bundles of at most this many elements (bundle-settings.ts); for tests of bundle independence. */
  readonly bundleSize?: number;
  /** Shuffle every bundle with this seed (bundle-settings.ts); for tests of order independence. */
  readonly orderSeed?: number;
  /**
   * How reads that can emit column batches (a Kappa+ replay) hand their rows on (exec/batches.ts).
   * `auto` (the default): as column batches; a consumer that takes batches (a batch-aware chain)
   * gets them whole, one that takes elements gets the batch's rows one by one — cheaper than the
   * read emitting each row itself (no per-row output buffer). `rows`: the read emits every row
   * itself, one by one; a check that batching changes nothing a pipeline can observe. Default:
   * the environment variable TRIBUTARY_COLUMN_BATCHES (`auto` or `rows`), else `auto`.
   */
  readonly columnBatches?: ColumnBatchMode;
  /**
   * Record `tributary/arrivalToPaneMs` on every grouping (runners/exec/arrival-clock.ts): wall
   * time (or `clock`'s) from a pane's newest input to the pane. Default: only when the pipeline
   * reads an unbounded splittable source (a live read: Kafka, LiveSource), so that the metrics of
   * a batch, replay or TestStream run stay the same from run to run.
   */
  readonly arrivalLatency?: boolean;
}

export type ColumnBatchMode = 'auto' | 'rows';

/** `columnBatches` (or TRIBUTARY_COLUMN_BATCHES) is neither `auto` nor `rows`. */
export class ColumnBatchModeError extends TributaryError {}

function columnBatchMode(option: ColumnBatchMode | undefined): ColumnBatchMode {
  const mode = option ?? process.env.TRIBUTARY_COLUMN_BATCHES ?? 'auto';
  if (mode !== 'auto' && mode !== 'rows') throw new ColumnBatchModeError(`columnBatches must be 'auto' or 'rows', got ${JSON.stringify(mode)} (from ${option ? 'the runner options' : 'TRIBUTARY_COLUMN_BATCHES'})`);
  return mode;
}

export class DirectRunner implements PipelineRunner {
  readonly name = 'direct';

  constructor(private readonly options: DirectRunnerOptions = {}) {
    checkBundleSettings(options);
    this.columnBatches = columnBatchMode(options.columnBatches);
  }

  private readonly columnBatches: ColumnBatchMode;

  run(pipeline: Pipeline): PipelineResult {
    return this.runPortable(toPortable(pipeline));
  }

  /** Runs an already translated pipeline: the proto and this program's user functions. */
  runPortable(portable: PortablePipeline | { proto: beam.IPipeline; userFns: ReadonlyMap<string, unknown> }): PipelineResult {
    const executor = new Executor(undefined, {
      clock: this.options.clock,
      trace: this.options.trace,
      checkpoint: this.options.checkpoint,
      heapRelease: this.options.heapRelease,
      bundles: { bundleSize: this.options.bundleSize, orderSeed: this.options.orderSeed },
    });
    // Planning errors (unsupported URNs, missing user functions) surface from waitUntilFinish too,
    // but are raised before any element moves.
    let plan: ReturnType<typeof buildPlan> | undefined;
    const taps = this.options.monitoring ? new PCollectionTaps(new ElementSampler()) : undefined;
    const execution = (async () => {
      const checkpoint = this.options.checkpoint;
      plan = buildPlan(portable.proto, portable.userFns, this.name, {
        watermarkOf: (id) => executor.inputWatermark(id),
        scheduler: executor,
        arrivals: executor.arrivals,
        arrivalLatency: this.options.arrivalLatency,
        checkpointing: !!checkpoint,
        taps,
        bundles: { bundleSize: this.options.bundleSize, orderSeed: this.options.orderSeed },
        alwaysBatch: this.columnBatches === 'auto',
      });
      if (checkpoint) executor.identity = checkpointIdentity(portable.proto, portable.userFns, checkpoint.options);
      executor.attach(plan);
      await executor.run();
    })();
    const result = new DirectPipelineResult(execution, () => [...(plan?.metrics.values() ?? []), executor.metrics], () => executor.cancel());
    if (!taps) return result;
    const job = monitoredDirectJob({
      proto: portable.proto,
      executor,
      taps,
      plan: () => plan,
      state: () => result.state,
      metrics: () => result.metrics(),
      errors: () => result.errors,
    });
    return Object.assign(result, { monitored: () => job });
  }
}

registerRunner('direct', 'in-process, executes the portable proto', (options) => new DirectRunner(options as DirectRunnerOptions));
