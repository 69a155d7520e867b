/**
 * `--runner=portable --jobEndpoint=host:port`: submits the pipeline to any Beam job server and
 * follows it to a final state. Which workers run the user code:
 *
 * - `loopback` (default for pipelines built in this process): an in-process worker pool;
 * - `process`: the job server starts `tributary harness` processes (`harnessCommand`);
 * - `external`: a worker pool started by `tributary worker-pool` at `workerPool`.
 *
 * For `process` and `external` the pipeline file is bundled into one module and staged through
 * the job server's artifact service; the workers import it and rebuild the graph with the
 * submitted options (in the pipeline options under `beam:option:tributary_options:v1`) and check
 * it against the staged proto as the SDK built it (`tributary-pipeline.pb`).
 */
import { packagePath } from '../../engines/package-root.js';
import type { pipeline as beam } from '../../portability-proto/index.js';
import { TributaryError } from '../../sdk/errors.js';
import type { Pipeline } from '../../sdk/graph/pipeline.js';
import { MetricResults } from '../../sdk/metrics/container.js';
import type { PipelineResult, PipelineRunner, PipelineState } from '../../sdk/runner-api.js';
import { encodePipeline, toPortable, type PortablePipeline } from '../../sdk/translate/to-proto.js';
import { registerRunner } from '../runner.js';
import { checkReadsCompleted } from '../read-completeness.js';
import { ARTIFACT_NAMES, OPTIONS_KEY, startLoopbackPool, type WorkerPool } from '../harness/index.js';
import { userCodeErrorIn } from '../harness/error-text.js';
import { bundleProgram } from './bundle.js';
import { environmentProto, type EnvironmentChoice, type EnvironmentKind } from './environments.js';
import { PortableJobError } from './errors.js';
import { submitJob, type JobStateName, type SubmittedJob } from './job.js';
import { metricResultsFromMonitoringInfos } from './metrics.js';
import type { Monitorable, MonitoredJob } from '../monitoring/monitored-job.js';
import { monitoredPortableJob } from './monitored-portable-job.js';
import { artifactInformation, type StagedFile } from './staging.js';
import { prepareSubmission } from './submission.js';
import { checkPortable } from './unsupported.js';

/** Prism runs the command as ONE executable (no shell, no subcommand) with the boot flags. */
export const DEFAULT_HARNESS_COMMAND = packagePath('bin', 'tributary-harness.mjs');

export interface PortableRunnerOptions {
  /** The job server's Job API, `host:port`. */
  readonly jobEndpoint: string;
  readonly environment?: EnvironmentKind;
  /** `external`: the worker pool's address. */
  readonly workerPool?: string;
  /** `process`: the command the job server runs (Beam's boot flags are appended). */
  readonly harnessCommand?: string;
  /** `process`/`external`: the pipeline file to bundle and the option values it was built with. */
  readonly pipelineFile?: string;
  readonly pipelineOptions?: Readonly<Record<string, unknown>>;
  /** The pipeline as already translated (the CLI has it); translated here otherwise. */
  readonly portable?: PortablePipeline;
  readonly jobName?: string;
  /** How long to wait for the job server to answer at all (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** More pipeline options for the job server's runner (keys `beam:option:<name>:v1`), e.g. Flink's
   *  parallelism; merged into the submitted options. */
  readonly runnerOptions?: Readonly<Record<string, unknown>>;
  /** Session windows merged by the workers (runners/portable/sessions-in-workers.ts, combines
   *  pre-merged before the shuffle): the flink runner sets it where that is exact
   *  (runners/flink/execution-mode.ts). */
  readonly sessionsInWorkers?: boolean;
  /** With sessionsInWorkers, whether each worker pre-merges its share of a key's events before
   *  the shuffle (default) or the raw events cross it (submission.ts, SessionsOptions). */
  readonly premergeSessions?: boolean;
  /** Beam experiments (`--experiments=a,b`), sent as `beam:option:experiments:v1`: the harness
   *  reads `enable_data_sampling`, Beam's runners their own. */
  readonly experiments?: readonly string[];
  /** Where job messages go (default: warnings and errors to stderr). */
  readonly onMessage?: (text: string, importance: number) => void;
}

/** Bad runner settings (a missing --jobEndpoint, no pipeline file for a process environment). */
export class PortableSetupError extends TributaryError {}

export class PortableRunner implements PipelineRunner {
  readonly name: string = 'portable';
  constructor(readonly options: PortableRunnerOptions) {
    if (!options.jobEndpoint) {
      throw new PortableSetupError('the portable runner needs --jobEndpoint=host:port, the Job API of a Beam job server (for example Prism: "prism --job_port=8073")');
    }
  }

  run(pipeline: Pipeline): PipelineResult {
    const portable = this.options.portable ?? toPortable(pipeline);
    return new PortableResult(this.submit(portable), portable.proto, this.name, this.externalUi());
  }

  /** The engine's own web UI, for the job page to link to (Flink's dashboard). */
  protected externalUi(): string | undefined {
    return undefined;
  }

  /** The last change to the submitted pipeline, for what one job server needs (Flink: see
   *  runners/flink/test-stream-coders.ts); none here. */
  protected adaptSubmission(pipeline: beam.Pipeline): beam.Pipeline {
    return pipeline;
  }

  /** Submits an already translated pipeline; resolves once the job server accepted it. */
  async submit(portable: PortablePipeline): Promise<RunningJob> {
    const o = this.options;
    const kind = o.environment ?? 'loopback';
    let pool: WorkerPool | undefined;
    let choice: EnvironmentChoice;
    const artifacts: StagedFile[] = [];
    // Refused before anything starts or is bundled.
    checkPortable(portable.proto, this.name);
    if (kind === 'loopback') {
      pool = await startLoopbackPool(portable.userFns);
      choice = { kind: 'loopback', url: pool.endpoint };
    } else {
      if (!o.pipelineFile) throw new PortableSetupError(`--environment=${kind} stages the pipeline file for the workers: give the runner the pipeline file (tributary run <file> does)`);
      const bundle = await bundleProgram(o.pipelineFile);
      artifacts.push({ stagedName: ARTIFACT_NAMES.program, bytes: bundle.bytes, localPath: `${ARTIFACT_NAMES.program}#${bundle.sha256.slice(0, 16)}` });
      // The proto as the SDK built it: the worker's rebuild must give these very bytes.
      const built = encodePipeline(portable.proto);
      artifacts.push({ stagedName: ARTIFACT_NAMES.pipeline, bytes: built, localPath: `${ARTIFACT_NAMES.pipeline}#${bundle.sha256.slice(0, 16)}` });
      choice = kind === 'process' ? { kind, command: o.harnessCommand ?? DEFAULT_HARNESS_COMMAND } : { kind, url: requireUrl(o.workerPool) };
    }
    const deps = artifacts.map((a) => artifactInformation(a, ''));
    try {
      const { pipeline } = prepareSubmission(portable.proto, this.name, environmentProto(choice, deps), { sessionsInWorkers: o.sessionsInWorkers, premergeSessions: o.premergeSessions });
      const job = await submitJob({
        endpoint: o.jobEndpoint,
        pipeline: this.adaptSubmission(pipeline),
        // Beam Java reads only keys of the form beam:option:<name>:v1 (it cuts the affixes blindly).
        options: {
          ...o.runnerOptions,
          ...(o.experiments?.length ? { 'beam:option:experiments:v1': [...o.experiments] } : {}),
          [OPTIONS_KEY]: JSON.stringify(o.pipelineOptions ?? {}),
          'beam:option:job_name:v1': o.jobName ?? 'tributary',
        },
        jobName: o.jobName,
        artifacts,
        connectTimeoutMs: o.connectTimeoutMs,
        onMessage: (m) => (o.onMessage ?? defaultMessageSink)(m.messageText ?? '', m.importance ?? 0),
      });
      return { job, pool };
    } catch (e) {
      await pool?.stop();
      throw e;
    }
  }
}

function requireUrl(url: string | undefined): string {
  if (!url) throw new PortableSetupError('--environment=external needs --workerPool=host:port, the address of a running "tributary worker-pool"');
  return url;
}

function defaultMessageSink(text: string, importance: number): void {
  // JOB_MESSAGE_WARNING and JOB_MESSAGE_ERROR.
  if (importance >= 4 && text) process.stderr.write(`job server: ${text}\n`);
}

interface RunningJob {
  readonly job: SubmittedJob;
  readonly pool?: WorkerPool;
}

class PortableResult implements PipelineResult, Monitorable {
  private current: PipelineState = 'RUNNING';
  private metricResults = new MetricResults([], [], []);
  private readonly finished: Promise<PipelineState>;
  private running?: RunningJob;
  private cancelRequested = false;
  private watched?: MonitoredJob;
  private finalInfos?: Promise<beam.IMonitoringInfo[]>;

  constructor(
    submitted: Promise<RunningJob>,
    private readonly proto: beam.IPipeline,
    private readonly runnerName: string,
    private readonly externalUi: string | undefined,
  ) {
    this.finished = this.follow(submitted);
    // waitUntilFinish reports the failure; this keeps an unobserved failure from crashing.
    this.finished.catch(() => undefined);
  }

  get state(): PipelineState {
    return this.current;
  }

  private async follow(submitted: Promise<RunningJob>): Promise<PipelineState> {
    let running: RunningJob;
    try {
      running = await submitted;
    } catch (e) {
      this.current = 'FAILED';
      throw e;
    }
    this.running = running;
    if (this.cancelRequested) await running.job.cancel().catch(() => undefined);
    let final: JobStateName;
    try {
      final = await running.job.waitUntilFinish();
      try {
        const infos = await running.job.metrics();
        this.finalInfos = Promise.resolve(infos);
        this.metricResults = metricResultsFromMonitoringInfos(infos);
      } catch {
        // Metrics are best effort once the job has ended.
      }
    } finally {
      running.job.close();
      // The job server starts the loopback worker when the job starts; a job that ended first
      // (cancelled at once) may still ask for it.
      await running.pool?.stop({ awaitStarts: 1 });
    }
    this.current = final === 'DONE' ? 'DONE' : final === 'CANCELLED' ? 'CANCELLED' : 'FAILED';
    if (this.current === 'DONE') {
      try {
        checkReadsCompleted(this.runnerName, this.metricResults);
      } catch (e) {
        this.current = 'FAILED';
        throw e;
      }
    }
    if (this.current === 'FAILED') {
      const why = running.job.errors.length ? running.job.errors.slice(-3).join('\n') : 'the job server gave no error message';
      const jobError = new PortableJobError(`job ${running.job.jobId} on ${running.job.endpoint} ended ${final}: ${why}`);
      // User code that threw fails the job as on the direct runner: the harness's error text
      // carries the UserCodeError (transform, phase, message); what the job server said is its
      // cause's cause.
      throw userCodeErrorIn(running.job.errors, jobError) ?? jobError;
    }
    return this.current;
  }

  waitUntilFinish(): Promise<PipelineState> {
    return this.finished;
  }

  metrics(): MetricResults {
    return this.metricResults;
  }

  monitored(): MonitoredJob {
    this.watched ??= monitoredPortableJob({
      runner: this.runnerName,
      proto: this.proto,
      state: () => this.current,
      // After the end the job server may be gone: the final metrics stand in for it.
      monitoringInfos: () => (this.current === 'RUNNING' ? this.running?.job.metrics() : this.finalInfos),
      errors: () => this.running?.job.errors ?? [],
      externalUi: this.externalUi,
    });
    return this.watched;
  }

  async cancel(): Promise<void> {
    this.cancelRequested = true;
    await this.running?.job.cancel();
    await this.finished.catch(() => undefined);
  }
}

registerRunner('portable', 'submits the pipeline to a Beam job server (--jobEndpoint=host:port) whose workers run the Tributary harness', (options) =>
  new PortableRunner(options as unknown as PortableRunnerOptions),
);
