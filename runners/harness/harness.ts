/**
 * The SDK harness: a worker a Beam runner drives over the Fn API. At start it asks the provision
 * service for its options and endpoints, fetches the user's program from the artifact service,
 * imports it, rebuilds the pipeline with the provisioned options and refuses at once if the graph
 * differs from the submitted one (the check of `runners/worker`). Then it connects the control
 * plane and executes the bundles the runner sends until the runner closes the stream.
 *
 * In loopback mode (an in-process worker pool in the submitting process) the program is already
 * loaded: the caller hands over its user functions and nothing is fetched.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fnExecution as fn, pipeline as beam } from '../../portability-proto/index.js';
import { encodePipeline } from '../../sdk/translate/to-proto.js';
import { buildPipelineFile, loadedFromModule } from '../worker/pipeline-file.js';
import { verifySameGraph } from '../worker/worker.js';
import { BundleProcessor } from './bundle-processor.js';
import { ControlChannel } from './control.js';
import { DataChannel } from './data.js';
import { DATA_SAMPLING_EXPERIMENT, HarnessDataSampler, samplingRequested, type DataSamplingOptions } from './data-sampling.js';
import { HarnessStartError } from './errors.js';
import { LoggingChannel, stderrLogger, type HarnessLogger } from './logging.js';
import { shortIds } from './monitoring.js';
import { getArtifact, getProvisionInfo } from './provision.js';
import { ARTIFACT_NAMES, optionsFromStruct } from './staging.js';
import { UnsupportedByHarnessError } from './errors.js';
import { experimentRequested, TIMERS_FIRST_EXPERIMENT } from './experiments.js';

export interface HarnessOptions {
  /** The worker id the runner gave (`--id`); sent with every stream. */
  readonly id?: string;
  readonly controlEndpoint?: string;
  readonly loggingEndpoint?: string;
  readonly provisionEndpoint?: string;
  readonly artifactEndpoint?: string;
  /** Where fetched artifacts are kept (`--semi_persist_dir`); a temporary folder otherwise. */
  readonly semiPersistDir?: string;
  /** How long to wait for the provision and artifact endpoints (default 30 s). */
  readonly connectTimeoutMs?: number;
  /** Keep samples of every PCollection for the runner's SampleDataRequests; by default on when
   *  the provisioned options carry the `enable_data_sampling` experiment. */
  readonly dataSampling?: boolean | DataSamplingOptions;
  /** Loopback: the submitting process's user functions (nothing is fetched or rebuilt). */
  readonly userFns?: ReadonlyMap<string, unknown>;
  /** When the program cannot be loaded (or its graph differs), connect anyway and fail each
   *  bundle with the reason, `done` rejecting with it at the end, instead of rejecting at once:
   *  for a harness a runner started, whose own output only the runner's log shows. */
  readonly failBundlesOnStartError?: boolean;
}

export interface RunningHarness {
  /** Resolves when the runner closes the control stream (the job is over for this worker). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export async function startHarness(opts: HarnessOptions): Promise<RunningHarness> {
  let info: fn.ProvisionInfo | undefined;
  if (opts.provisionEndpoint) info = await getProvisionInfo(opts.provisionEndpoint, opts.id, opts.connectTimeoutMs);
  const controlUrl = opts.controlEndpoint || info?.controlEndpoint?.url;
  if (!controlUrl) throw new HarnessStartError('no control endpoint: pass --control_endpoint=host:port, or --provision_endpoint of a runner that provides one');
  const loggingUrl = opts.loggingEndpoint || info?.loggingEndpoint?.url;
  const logger: HarnessLogger = loggingUrl ? new LoggingChannel(loggingUrl, opts.id) : stderrLogger;
  let userFns = opts.userFns;
  if (!userFns) {
    let program: LoadedProgram;
    try {
      program = await loadProgram(opts, info, logger);
    } catch (e) {
      logger.log('ERROR', `tributary harness ${opts.id ?? ''} cannot run the job: ${(e as Error).message}`, {}, (e as Error).stack);
      await logger.close();
      // A runner that started this process shows its output only in its own log, and may keep
      // the job RUNNING once its worker is gone (Prism does): answer the runner's bundles with
      // the reason instead, so the job fails with it and the submitter sees it.
      if (opts.failBundlesOnStartError) return failEveryBundle(controlUrl, opts.id, e);
      throw e;
    }
    if ('delegate' in program) {
      // The staged bundle carries its own Tributary: run its harness, so user code and the
      // classes it is checked against (DoFn, coders) are one copy.
      await logger.close();
      return program.delegate({ ...opts, provisionEndpoint: undefined, controlEndpoint: controlUrl, loggingEndpoint: loggingUrl ?? undefined, userFns: program.userFns });
    }
    userFns = program.userFns;
  }

  const timersFirst = experimentRequested(info?.pipelineOptions, TIMERS_FIRST_EXPERIMENT);
  const dataChannels = new Map<string, DataChannel>();
  const dataChannel = (url: string): DataChannel => {
    let c = dataChannels.get(url);
    if (!c) dataChannels.set(url, (c = new DataChannel(url, { workerId: opts.id, timersFirst })));
    return c;
  };
  let control!: ControlChannel;
  const sampling = opts.dataSampling ?? samplingRequested(info?.pipelineOptions);
  const sampler = sampling ? new HarnessDataSampler(sampling === true ? {} : sampling) : undefined;
  const processor = new BundleProcessor(userFns, dataChannel, (id) => control.descriptor(id), logger, opts.id, sampler);
  control = new ControlChannel(controlUrl, opts.id, (req) => handle(req, processor, logger));
  control.start();
  logger.log('INFO', `tributary harness ${opts.id ?? ''} connected to ${controlUrl}`);

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await processor.shutdown();
      for (const c of dataChannels.values()) c.close();
      control.close();
      await logger.close();
    })());
  // Over when the runner closes the control stream, or when this worker is stopped.
  let stoppedByUs!: () => void;
  const stopRequested = new Promise<void>((resolve) => (stoppedByUs = resolve));
  const done = Promise.race([control.done, stopRequested]).finally(stop);
  const stopAndWait = async () => {
    stoppedByUs();
    await stop();
  };
  return { done, stop: stopAndWait };
}

/**
 * A harness that could not load the job: it connects the control plane and fails each bundle the
 * runner sends with `why` (registration and progress are answered, so the failure is the bundle's,
 * with the text the submitter then reads). `done` rejects with `why` once the runner closes the
 * stream.
 */
function failEveryBundle(controlUrl: string, id: string | undefined, why: unknown): RunningHarness {
  const control = new ControlChannel(controlUrl, id, async (req) => {
    switch (req.request) {
      case 'register':
        return { register: {} };
      case 'processBundleProgress':
        return { processBundleProgress: {} };
      case 'processBundleSplit':
        return { processBundleSplit: {} };
      case 'monitoringInfos':
        return { monitoringInfos: {} };
      case 'harnessMonitoringInfos':
        return { harnessMonitoringInfos: { monitoringData: {} } };
      default:
        throw why;
    }
  });
  control.start();
  let stoppedByUs!: () => void;
  const stopRequested = new Promise<void>((resolve) => (stoppedByUs = resolve));
  const done = Promise.race([control.done, stopRequested]).then(() => {
    control.close();
    throw why;
  });
  return {
    done,
    stop: async () => {
      stoppedByUs();
      await done.catch(() => undefined);
    },
  };
}

async function handle(req: fn.InstructionRequest, processor: BundleProcessor, logger: HarnessLogger): Promise<fn.IInstructionResponse> {
  switch (req.request) {
    case 'register':
      processor.register(req.register!.processBundleDescriptor as fn.ProcessBundleDescriptor[]);
      return { register: {} };
    case 'processBundle':
      try {
        return { processBundle: await processor.process(req.instructionId, req.processBundle as fn.ProcessBundleRequest) };
      } catch (e) {
        logger.log('ERROR', `bundle ${req.instructionId} failed: ${(e as Error).message}`, { instructionId: req.instructionId }, (e as Error).stack);
        throw e;
      }
    case 'processBundleProgress':
      return { processBundleProgress: processor.progress(req.processBundleProgress!.instructionId ?? '') };
    case 'processBundleSplit':
      // Restrictions are not split on request (see plan/sdf.ts), nor channels: decline.
      return { processBundleSplit: {} };
    case 'finalizeBundle':
      // No DoFn of this SDK asks for bundle finalization: nothing to call back.
      return { finalizeBundle: {} };
    case 'monitoringInfos':
      return { monitoringInfos: { monitoringInfo: shortIds.metadata(req.monitoringInfos!.monitoringInfoId ?? []) } };
    case 'sampleData':
      if (!processor.sampler) throw new UnsupportedByHarnessError(`data sampling is off in this harness: submit the job with the experiment ${DATA_SAMPLING_EXPERIMENT} (--experiments=${DATA_SAMPLING_EXPERIMENT}) to turn it on`);
      return { sampleData: processor.sampler.take(req.sampleData!.pcollectionIds ?? []) };
    case 'harnessMonitoringInfos':
      return { harnessMonitoringInfos: { monitoringData: {} } };
    default:
      throw new UnsupportedByHarnessError(`this harness does not handle "${req.request ?? 'an empty'}" instructions`);
  }
}

/** What a staged program bundle exports besides the pipeline file's own exports. */
interface ProgramBundle {
  buildSubmission?(values: Record<string, unknown>): Promise<{ proto: Uint8Array; userFns: ReadonlyMap<string, unknown> }>;
  startHarness?(opts: HarnessOptions): Promise<RunningHarness>;
}

type LoadedProgram = { readonly userFns: ReadonlyMap<string, unknown> } | { readonly userFns: ReadonlyMap<string, unknown>; readonly delegate: (opts: HarnessOptions) => Promise<RunningHarness> };

/**
 * The user's program from the artifact service: written to the semi-persistent folder, imported,
 * built with the provisioned options, and checked against the submitted pipeline. A bundle
 * (`tributary-program.mjs` as the portable runner stages it) builds itself (`buildSubmission`)
 * and runs its own harness; a plain pipeline file is built here.
 */
async function loadProgram(opts: HarnessOptions, info: fn.ProvisionInfo | undefined, logger: HarnessLogger): Promise<LoadedProgram> {
  const artifactUrl = opts.artifactEndpoint || info?.artifactEndpoint?.url;
  if (!info || !artifactUrl) {
    throw new HarnessStartError(
      'the harness needs the user program: start it with --provision_endpoint and --artifact_endpoint (as a Beam runner does for beam:env:process:v1), ' +
        'or serve it in-process (loopback mode) from the submitting program',
    );
  }
  const deps = info.dependencies as beam.ArtifactInformation[];
  const program = findArtifact(deps, ARTIFACT_NAMES.program);
  if (!program) {
    throw new HarnessStartError(
      `the runner staged no "${ARTIFACT_NAMES.program}" artifact (staged: ${deps.map(stagedName).filter(Boolean).join(', ') || 'none'}): ` +
        'submit with --runner=portable, which stages the program as one bundled file',
    );
  }
  const programBytes = await getArtifact(artifactUrl, program, opts.connectTimeoutMs);
  if (programBytes.length === 0) throw new HarnessStartError(`the staged "${ARTIFACT_NAMES.program}" arrived empty from ${artifactUrl}: it was lost in staging; resubmit, and check that the submitter ends each staged file with an empty is_last message`);
  // Without a semi-persistent folder the program goes to a folder of this harness's own, removed
  // once the module is loaded: a worker started per job (Flink's process environment) would
  // otherwise leave a few MB in the temp folder for every job.
  const own = !opts.semiPersistDir;
  const dir = own ? mkdtempSync(join(tmpdir(), 'tributary-harness-')) : join(opts.semiPersistDir!, 'tributary');
  try {
    if (!own) mkdirSync(dir, { recursive: true });
    return await loadProgramFile(join(dir, ARTIFACT_NAMES.program), programBytes, artifactUrl, deps, info, opts, logger);
  } finally {
    if (own) rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the program where `loadProgram` chose, imports it, builds its graph and checks it against the submitted one. */
async function loadProgramFile(file: string, programBytes: Uint8Array, artifactUrl: string, deps: readonly beam.ArtifactInformation[], info: fn.ProvisionInfo, opts: HarnessOptions, logger: HarnessLogger): Promise<LoadedProgram> {
  writeFileSync(file, programBytes);
  const options = optionsFromStruct(info.pipelineOptions);
  let loaded;
  let bundle: ProgramBundle & Record<string, unknown>;
  try {
    // The staged program is one plain ES module (runners/portable/bundle.ts): imported as it is,
    // once. Through loadPipelineFile a harness running compiled passed it to the pipeline-file
    // compiler (esbuild) and then imported a second copy of all of it.
    bundle = (await import(pathToFileURL(file).href)) as ProgramBundle & Record<string, unknown>;
    loaded = loadedFromModule(bundle, file);
  } catch (e) {
    throw new HarnessStartError(`the staged program (${programBytes.length} bytes from ${artifactUrl}) does not load: ${(e as Error).message} (a syntax error in code that runs on the submitting side means the runner lost part of the file in staging)`, { cause: e });
  }
  // The whole module, not only the default and options exports: without the bundle's own
  // buildSubmission the graph was built with this harness's copy of the SDK, so `instanceof`
  // failed on the bundle's classes (a FixedWindows counted as a custom window fn).
  let proto: Uint8Array;
  let userFns: ReadonlyMap<string, unknown>;
  if (typeof bundle.buildSubmission === 'function') {
    ({ proto, userFns } = await bundle.buildSubmission(options));
  } else {
    const built = await buildPipelineFile(loaded, options, { source: 'the provisioned pipeline options' });
    proto = encodePipeline(built.portable.proto);
    userFns = built.portable.userFns;
  }
  const submitted = findArtifact(deps, ARTIFACT_NAMES.pipeline);
  if (submitted) {
    const submittedBytes = await getArtifact(artifactUrl, submitted, opts.connectTimeoutMs);
    if (submittedBytes.length === 0) throw new HarnessStartError(`the staged "${ARTIFACT_NAMES.pipeline}" arrived empty from ${artifactUrl}: it was lost in staging, so the rebuilt graph cannot be checked; resubmit`);
    verifySameGraph(submittedBytes, proto, 'the staged program');
  }
  else logger.log('WARN', `no "${ARTIFACT_NAMES.pipeline}" artifact was staged: the rebuilt graph cannot be checked against the submitted one`);
  if (typeof bundle.startHarness === 'function') return { userFns, delegate: bundle.startHarness };
  return { userFns };
}

function stagedName(a: beam.ArtifactInformation): string | undefined {
  if (a.roleUrn !== 'beam:artifact:role:staging_to:v1') return undefined;
  return beam.ArtifactStagingToRolePayload.decode(a.rolePayload).stagedName;
}

function findArtifact(deps: readonly beam.ArtifactInformation[], name: string): beam.ArtifactInformation | undefined {
  return deps.find((a) => stagedName(a) === name);
}
