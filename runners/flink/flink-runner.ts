/**
 * `--runner=flink`: the portable runner pointed at Beam's Flink job server. Without
 * `--jobEndpoint` the runner starts a job server itself (fetched on first use, see
 * engines/flink.ts) for `--flinkMaster` (`[local]`, an embedded Flink, by default; or a cluster's
 * REST `host:port`) and stops it when the job ends: one job server per run. The workers are
 * loopback (this process) for an embedded Flink, and `tributary harness` processes that Flink
 * starts (`beam:env:process:v1`) for a cluster, unless `--environment` says otherwise.
 */
import { requireJava, restGet, startFlinkJobServer } from '../../engines/flink.js';
import type { Pipeline } from '../../sdk/graph/pipeline.js';
import type { PipelineResult, PipelineRunner } from '../../sdk/runner-api.js';
import { toPortable } from '../../sdk/translate/to-proto.js';
import { PortableRunner, type PortableRunnerOptions } from '../portable/portable-runner.js';
import { registerRunner } from '../runner.js';
import { DeferredResult } from './deferred-result.js';
import { hasTestStream, testStreamCodersForJava } from './test-stream-coders.js';
import { chooseStreaming, sessionsInWorkers } from './execution-mode.js';
import { anchorKeyedSideInputStages } from './keyed-side-input-stages.js';
import { windowExpirationByHarness } from './window-expiration.js';
import { TIMERS_FIRST_EXPERIMENT } from '../harness/experiments.js';
import type { pipeline as beam } from '../../portability-proto/index.js';
import { beamFlinkOptions, FlinkSetupError, flinkSettings, type FlinkSettings } from './flink-options.js';

export type FlinkRunnerOptions = Partial<PortableRunnerOptions> & Readonly<Record<string, unknown>>;

/** PortableRunner under the name "flink" (refusals name it), with a link to Flink's dashboard,
 *  TestStream payloads Java can decode, window expiry timers the harness sets, and stateful
 *  stages with side inputs that Flink's job graph reaches (keyed-side-input-stages.ts). */
class FlinkPortableRunner extends PortableRunner {
  override readonly name = 'flink';
  constructor(options: PortableRunnerOptions, private readonly dashboard: string | undefined) {
    super(options);
  }
  protected override externalUi(): string | undefined {
    return this.dashboard;
  }
  protected override adaptSubmission(pipeline: beam.Pipeline): beam.Pipeline {
    const adapted = windowExpirationByHarness(testStreamCodersForJava(pipeline));
    anchorKeyedSideInputStages(adapted);
    return adapted;
  }
}

export class FlinkRunner implements PipelineRunner {
  readonly name = 'flink';
  readonly settings: FlinkSettings;

  constructor(private readonly options: FlinkRunnerOptions) {
    this.settings = flinkSettings(options);
  }

  run(pipeline: Pipeline): PipelineResult {
    const portable = this.options.portable ?? toPortable(pipeline);
    let stopJobServer = async (): Promise<void> => undefined;
    const s = this.settings;
    const start = (async (): Promise<PipelineResult> => {
      const streaming = chooseStreaming(portable.proto, { batch: s.batch, checkpointing: s.checkpointingInterval !== undefined });
      let jobEndpoint = s.jobEndpoint;
      if (jobEndpoint === undefined) {
        if (s.flinkMaster !== '[local]') await checkFlinkMaster(s.flinkMaster);
        requireJava("Beam's Flink job server");
        const server = await startFlinkJobServer({ flinkMaster: s.flinkMaster, heap: s.flinkMaster === '[local]' ? '768m' : '512m' });
        stopJobServer = () => server.stop();
        jobEndpoint = server.jobEndpoint;
      }
      const runner = new FlinkPortableRunner(
        {
          ...this.options,
          jobEndpoint,
          portable,
          environment: this.options.environment ?? (s.flinkMaster === '[local]' ? 'loopback' : 'process'),
          // Beam's Flink runner sends a bundle's timers before its elements (see the experiment).
          experiments: [...(this.options.experiments ?? []), TIMERS_FIRST_EXPERIMENT],
          runnerOptions: beamFlinkOptions(s, { testStream: hasTestStream(portable.proto), streaming }),
          sessionsInWorkers: sessionsInWorkers(portable.proto),
          premergeSessions: s.premergeSessions,
        },
        s.flinkMaster === '[local]' ? undefined : `http://${s.flinkMaster}`,
      );
      return runner.run(pipeline);
    })();
    return new DeferredResult(start, () => stopJobServer(), { runner: 'flink', pipeline: portable.proto });
  }
}

/** A Flink JobManager answers on its REST port, or the run stops here with what to check. */
async function checkFlinkMaster(master: string): Promise<void> {
  const at = master.lastIndexOf(':');
  const host = master.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(master.slice(at + 1));
  try {
    await restGet<unknown>(port, '/overview', host);
  } catch (e) {
    throw new FlinkSetupError(
      `--flinkMaster=${master}: no Flink JobManager answers there (${e instanceof Error ? e.message : String(e)}); give the REST address of a running cluster ("tributary flink-cluster start" prints it) or --flinkMaster=[local]`,
      { cause: e },
    );
  }
}

registerRunner(
  'flink',
  "Apache Flink through Beam's Flink job server: embedded (--flinkMaster=[local], default) or a cluster (--flinkMaster=host:port); started for the run unless --jobEndpoint names a running one",
  (options) => new FlinkRunner(options as FlinkRunnerOptions),
);
