/**
 * The flink runner's settings, checked, and the Beam pipeline options they become. Beam's Flink
 * runner reads its options from the submitted `pipeline_options` struct under Beam's portable
 * names (`beam:option:<snake_case>:v1`).
 */
import { TributaryError } from '../../sdk/errors.js';

/** Bad flink runner settings; the message names the flag and what it takes. */
export class FlinkSetupError extends TributaryError {}

export interface FlinkSettings {
  /** A running Beam Flink job server; when absent the runner starts one. */
  readonly jobEndpoint?: string;
  /** `[local]` (an embedded Flink, default) or `host:port` of a Flink cluster's REST endpoint. */
  readonly flinkMaster: string;
  readonly parallelism?: number;
  /** Milliseconds between Flink checkpoints; absent: no checkpointing. */
  readonly checkpointingInterval?: number;
  /** `--flinkBatch`: true asks for Flink's batch mode, false forces streaming; absent, the
   *  runner picks batch where it gives the streaming output (execution-mode.ts). */
  readonly batch?: boolean;
  /** Elements per bundle before Beam's Flink runner closes it; absent: Beam's default (1,000),
   *  or 1 for a pipeline with a TestStream (see beamFlinkOptions). */
  readonly maxBundleSize?: number;
  /**
   * `--premergeSessions` (default true): where the workers merge sessions (execution-mode.ts,
   * sessionsInWorkers), whether each pre-merges its share of a key's events into partial sessions
   * before the shuffle, or (false) the raw events cross it and the worker that owns a key merges
   * all of it. At parallelism 2 each worker pre-merges only half of a key's events, so the merge
   * after the shuffle has more partials to join; shuffling the raw events instead was measured in
   * alternating runs (bench/flink/cluster.ts `--variantFlags=--no-premergeSessions`, docs/runners.md
   * Benchmarks) and was no faster at parallelism 2 (0.92–1.18× of it) and 1.3–1.9× slower at 1.
   */
  readonly premergeSessions?: boolean;
}

const HOST_PORT = /^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/;

function positiveInteger(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new FlinkSetupError(`--${name} expects a whole number ≥ 1, got ${String(value)}`);
  return n;
}

export function flinkSettings(options: Record<string, unknown>): FlinkSettings {
  const jobEndpoint = options.jobEndpoint as string | undefined;
  if (jobEndpoint !== undefined && !HOST_PORT.test(jobEndpoint)) {
    throw new FlinkSetupError(`--jobEndpoint expects host:port of a Beam Flink job server's Job API, got "${jobEndpoint}"`);
  }
  const flinkMaster = String(options.flinkMaster ?? '[local]');
  if (flinkMaster !== '[local]' && flinkMaster !== '[auto]' && !HOST_PORT.test(flinkMaster)) {
    throw new FlinkSetupError(`--flinkMaster expects [local] (an embedded Flink) or host:port of a Flink JobManager's REST endpoint, got "${flinkMaster}"`);
  }
  return {
    jobEndpoint,
    flinkMaster,
    parallelism: positiveInteger('parallelism', options.parallelism),
    checkpointingInterval: positiveInteger('checkpointingInterval', options.checkpointingInterval),
    batch: options.flinkBatch === undefined ? undefined : Boolean(options.flinkBatch),
    maxBundleSize: positiveInteger('maxBundleSize', options.maxBundleSize),
    premergeSessions: options.premergeSessions === undefined ? undefined : Boolean(options.premergeSessions),
  };
}

/** The Beam pipeline options Flink reads, in the portable struct's key form; `pipeline.streaming`
 *  is the mode chosen for the pipeline (execution-mode.ts). */
export function beamFlinkOptions(s: FlinkSettings, pipeline: { testStream?: boolean; streaming?: boolean } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { 'beam:option:streaming:v1': pipeline.streaming ?? true };
  // A TestStream is one ordered stream, and its order is what the test states; at parallelism 2
  // (the embedded Flink's default on two cores) the stage after the source runs as two subtasks
  // whose outputs Flink merges in any order, so a key's elements could swap.
  const parallelism = s.parallelism ?? (pipeline.testStream ? 1 : undefined);
  if (parallelism !== undefined) out['beam:option:parallelism:v1'] = parallelism;
  // Beam's Flink runner forwards no watermark while a bundle is open, and holds a stateful
  // stage's input watermark at its value from before the bundle started; a bundle closes after
  // max_bundle_size elements or max_bundle_time_mills (1 s). Its TestStream source emits every
  // event at once, so a bundle swallowed many of the stream's watermark steps and the stateful
  // stages saw the watermark jump (to +inf for a short stream): every event-time timer fired at
  // the end. One element per bundle lets each watermark step pass between the elements it
  // separates, in the stream's order. A TestStream is a test: the round trip per element is
  // its price.
  const maxBundleSize = s.maxBundleSize ?? (pipeline.testStream ? 1 : undefined);
  if (maxBundleSize !== undefined) out['beam:option:max_bundle_size:v1'] = maxBundleSize;
  if (s.checkpointingInterval !== undefined) {
    out['beam:option:checkpointing_interval:v1'] = s.checkpointingInterval;
    // With checkpointing, Beam keeps idle sources (the Impulse every read starts from) running
    // forever so that checkpoints stay possible: their watermark never advances, no window
    // fires and a bounded job never ends. Finished tasks do not stop Flink's checkpoints.
    out['beam:option:shutdown_sources_after_idle_ms:v1'] = 1000;
    // By default Beam keeps a bundle open across checkpoints (its output buffered in the
    // checkpoint), so the stage chained to the Impulse released the read's element only when the
    // source shut down; the read's first residual (a processing-time timer) was then still pending
    // at the end of input, which Beam drops: the job ended DONE after one partition. Finishing
    // bundles before each checkpoint moves the read along while the source is alive.
    out['beam:option:finish_bundle_before_checkpointing:v1'] = true;
  }
  // With a job server of our own the master is its --flink-master; a given job server is told.
  if (s.jobEndpoint !== undefined && s.flinkMaster !== '[local]') out['beam:option:flink_master:v1'] = s.flinkMaster;
  return out;
}
