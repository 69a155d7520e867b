/**
 * A Fn API runner for tests, served over a real gRPC socket: the control, data, state and
 * logging services a Beam runner offers its workers, with no engine behind them. A test
 * registers a descriptor, runs bundles (elements and timers in, outputs and timers out) and
 * reads what the harness did, so the harness's planes are tested on the wire, exactly as a
 * runner talks to them.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll } from 'vitest';
import { fnExecution as fn, pipeline as beam } from '../../portability-proto/index.js';
import { startServer } from '../../runners/grpc/service.js';
import { startHarness, type RunningHarness } from '../../runners/harness/harness.js';
import { ArtifactRetrievalService, ControlService, DataService, LoggingService, ProvisionService, StateService } from '../../runners/harness/services.js';
import { jobManagement as jm } from '../../portability-proto/index.js';
import { ByteReader, ByteWriter, coderFromSpec, type Coder } from '../../sdk/coders/index.js';
import type { Pipeline } from '../../sdk/graph/pipeline.js';
import { toPortable } from '../../sdk/translate/to-proto.js';
import { expandWindowing } from '../../runners/portable/expand-windowing.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import type { Instant } from '../../sdk/time/instant.js';
import { NO_FIRING } from '../../sdk/values/pane.js';
import { GLOBAL_WINDOWS } from '../../sdk/window/bounded-window.js';

export interface BundleOutcome {
  readonly response: fn.InstructionResponse;
  /** Output bytes per sink transform id, concatenated. */
  readonly data: Map<string, Uint8Array>;
  /** Timer bytes per `transformId/family`. */
  readonly timers: Map<string, Uint8Array>;
}

export class TestFnApiRunner {
  readonly server = new grpc.Server();
  url = '';
  private control: grpc.ServerDuplexStream<fn.InstructionResponse, fn.IInstructionRequest> | undefined;
  private controlReady!: () => void;
  private readonly connected = new Promise<void>((r) => (this.controlReady = r));
  private data: grpc.ServerDuplexStream<fn.Elements, fn.IElements> | undefined;
  private dataReady!: () => void;
  /** The harness opens the data stream when it runs its first bundle. */
  private readonly dataConnected = new Promise<void>((r) => (this.dataReady = r));
  private readonly waiting = new Map<string, (r: fn.InstructionResponse) => void>();
  private readonly outputs = new Map<string, { data: Map<string, Buffer[]>; timers: Map<string, Buffer[]>; lasts: number; closed?: () => void; expected: number }>();
  private readonly logWaiters: Array<{ pred: (l: fn.LogEntry) => boolean; resolve: () => void }> = [];
  /** Output streams each registered descriptor closes per bundle (sinks and timer families). */
  private readonly expectedLasts = new Map<string, number>();
  /** Bag state by encoded state key (base64). */
  readonly bags = new Map<string, Buffer[]>();
  readonly stateRequests: fn.StateRequest[] = [];
  /** Iterable side-input values by `transform/sideInput/window(base64)`. */
  readonly sideInputs = new Map<string, Uint8Array>();
  /** Multimap side inputs by `transform/sideInput/window(base64)`: each element's encoded
   *  (nested) key and value, in order, served as keys and then each key's values. */
  readonly multimapSideInputs = new Map<string, Array<{ key: Uint8Array; value: Uint8Array }>>();
  readonly logs: fn.LogEntry[] = [];
  /** What GetProvisionInfo answers (endpoints default to this server). */
  provision: fn.IProvisionInfo = {};
  /** Staged files by their staged name, served by GetArtifact. */
  readonly artifacts = new Map<string, Uint8Array>();
  private nextId = 0;

  async start(): Promise<void> {
    this.server.addService(ControlService, {
      Control: (call: grpc.ServerDuplexStream<fn.InstructionResponse, fn.IInstructionRequest>) => {
        this.control = call;
        call.on('data', (r: fn.InstructionResponse) => {
          this.waiting.get(r.instructionId)?.(r);
          this.waiting.delete(r.instructionId);
        });
        this.controlReady();
      },
      GetProcessBundleDescriptor: (_: unknown, cb: grpc.sendUnaryData<fn.IProcessBundleDescriptor>) => cb({ code: grpc.status.NOT_FOUND, details: 'not registered' }),
    });
    this.server.addService(DataService, {
      Data: (call: grpc.ServerDuplexStream<fn.Elements, fn.IElements>) => {
        this.data = call;
        this.dataReady();
        call.on('data', (e: fn.Elements) => {
          for (const d of e.data) this.collect(d.instructionId ?? '', 'data', d.transformId ?? '', d.data ?? new Uint8Array(), d.isLast === true);
          for (const t of e.timers) this.collect(t.instructionId ?? '', 'timers', `${t.transformId}/${t.timerFamilyId}`, t.timers ?? new Uint8Array(), t.isLast === true);
        });
      },
    });
    this.server.addService(StateService, {
      State: (call: grpc.ServerDuplexStream<fn.StateRequest, fn.IStateResponse>) => {
        call.on('data', (r: fn.StateRequest) => {
          this.stateRequests.push(r);
          call.write(this.answerState(r));
        });
      },
    });
    this.server.addService(LoggingService, {
      Logging: (call: grpc.ServerDuplexStream<fn.LogEntry.List, fn.ILogControl>) => {
        call.on('data', (l: fn.LogEntry.List) => {
          this.logs.push(...(l.logEntries as fn.LogEntry[]));
          for (const w of [...this.logWaiters]) {
            if (this.logs.some(w.pred)) {
              this.logWaiters.splice(this.logWaiters.indexOf(w), 1);
              w.resolve();
            }
          }
        });
      },
    });
    this.server.addService(ProvisionService, {
      GetProvisionInfo: (_: unknown, cb: grpc.sendUnaryData<fn.IGetProvisionInfoResponse>) => {
        const here = { url: this.url };
        const dependencies = [...this.artifacts.keys()].map((name) => ({
          typeUrn: 'beam:artifact:type:file:v1',
          typePayload: beam.ArtifactFilePayload.encode({ path: name }).finish(),
          roleUrn: 'beam:artifact:role:staging_to:v1',
          rolePayload: beam.ArtifactStagingToRolePayload.encode({ stagedName: name }).finish(),
        }));
        cb(null, { info: { controlEndpoint: here, loggingEndpoint: here, artifactEndpoint: here, dependencies, ...this.provision } });
      },
    });
    this.server.addService(ArtifactRetrievalService, {
      ResolveArtifacts: (call: grpc.ServerUnaryCall<jm.ResolveArtifactsRequest, jm.IResolveArtifactsResponse>, cb: grpc.sendUnaryData<jm.IResolveArtifactsResponse>) => cb(null, { replacements: call.request.artifacts }),
      GetArtifact: (call: grpc.ServerWritableStream<jm.GetArtifactRequest, jm.IGetArtifactResponse>) => {
        const path = beam.ArtifactFilePayload.decode(call.request.artifact?.typePayload ?? new Uint8Array()).path;
        const bytes = this.artifacts.get(path);
        if (!bytes) return call.destroy(Object.assign(new Error(`no artifact ${path}`), { code: grpc.status.NOT_FOUND }));
        call.write({ data: bytes });
        call.end();
      },
    });
    const port = await startServer(this.server);
    this.url = `127.0.0.1:${port}`;
  }

  async instruct(req: fn.IInstructionRequest): Promise<fn.InstructionResponse> {
    await this.connected;
    for (const d of req.register?.processBundleDescriptor ?? []) {
      let n = 0;
      for (const t of Object.values(d.transforms ?? {})) {
        if (t.spec?.urn === 'beam:runner:sink:v1') n++;
        if (t.spec?.urn === 'beam:transform:pardo:v1') n += Object.keys(beam.ParDoPayload.decode(t.spec.payload ?? new Uint8Array()).timerFamilySpecs).length;
      }
      this.expectedLasts.set(d.id ?? '', n);
    }
    const id = req.instructionId ?? `i${++this.nextId}`;
    const done = new Promise<fn.InstructionResponse>((resolve) => this.waiting.set(id, resolve));
    this.control!.write({ ...req, instructionId: id });
    return done;
  }

  /** Runs one bundle: sends `inputs` (then is_last on every listed stream) and waits for the answer. */
  async bundle(descriptorId: string, inputs: { data?: Record<string, Uint8Array | Uint8Array[]>; timers?: Record<string, Record<string, Uint8Array>>; closeTimers?: Array<[string, string]> }, cacheTokens: fn.ProcessBundleRequest.ICacheToken[] = []): Promise<BundleOutcome> {
    await this.connected;
    const id = `b${++this.nextId}`;
    const out = { data: new Map<string, Buffer[]>(), timers: new Map<string, Buffer[]>(), lasts: 0, expected: this.expectedLasts.get(descriptorId) ?? 0, closed: undefined as (() => void) | undefined };
    // As a runner does: the bundle's output is complete once every output stream was closed.
    const allClosed = new Promise<void>((resolve) => (out.closed = resolve));
    if (out.expected === 0) out.closed!();
    this.outputs.set(id, out);
    const answer = this.instruct({ instructionId: id, processBundle: { processBundleDescriptorId: descriptorId, cacheTokens } });
    await this.dataConnected;
    const data: fn.Elements.IData[] = [];
    const timers: fn.Elements.ITimers[] = [];
    for (const [transformId, chunks] of Object.entries(inputs.data ?? {})) {
      for (const bytes of Array.isArray(chunks) ? chunks : [chunks]) data.push({ instructionId: id, transformId, data: bytes });
      data.push({ instructionId: id, transformId, isLast: true });
    }
    for (const [transformId, byFamily] of Object.entries(inputs.timers ?? {})) {
      for (const [timerFamilyId, bytes] of Object.entries(byFamily)) timers.push({ instructionId: id, transformId, timerFamilyId, timers: bytes });
    }
    for (const [transformId, timerFamilyId] of inputs.closeTimers ?? []) timers.push({ instructionId: id, transformId, timerFamilyId, isLast: true });
    this.data!.write({ data, timers });
    const response = await answer;
    if (!response.error) await allClosed;
    const join = (m: Map<string, Buffer[]>) => new Map([...m].map(([k, v]) => [k, new Uint8Array(Buffer.concat(v))]));
    return { response, data: join(out.data), timers: join(out.timers) };
  }

  /** Resolves once a log entry matching `pred` has arrived. */
  logged(pred: (l: fn.LogEntry) => boolean): Promise<void> {
    if (this.logs.some(pred)) return Promise.resolve();
    return new Promise((resolve) => this.logWaiters.push({ pred, resolve }));
  }

  async stop(): Promise<void> {
    this.control?.end();
    this.data?.end();
    this.server.forceShutdown();
  }

  private collect(instructionId: string, kind: 'data' | 'timers', key: string, bytes: Uint8Array, isLast: boolean): void {
    const out = this.outputs.get(instructionId);
    if (!out) return;
    if (isLast && ++out.lasts === out.expected) out.closed?.();
    const m = kind === 'data' ? out.data : out.timers;
    (m.get(key) ?? m.set(key, []).get(key)!).push(Buffer.from(bytes));
  }

  private answerState(r: fn.StateRequest): fn.IStateResponse {
    const key = r.stateKey!;
    if (key.iterableSideInput) {
      const s = key.iterableSideInput;
      const v = this.sideInputs.get(`${s.transformId}/${s.sideInputId}/${Buffer.from(s.window ?? []).toString('base64')}`);
      return { id: r.id, get: { data: v ?? new Uint8Array() } };
    }
    const multimap = key.multimapKeysSideInput ?? key.multimapSideInput;
    if (multimap) {
      const entries = this.multimapSideInputs.get(`${multimap.transformId}/${multimap.sideInputId}/${Buffer.from(multimap.window ?? []).toString('base64')}`) ?? [];
      const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
      if (key.multimapKeysSideInput) return { id: r.id, get: { data: Buffer.concat([...new Map(entries.map((e) => [hex(e.key), e.key])).values()]) } };
      const wanted = hex(key.multimapSideInput!.key ?? new Uint8Array());
      return { id: r.id, get: { data: Buffer.concat(entries.filter((e) => hex(e.key) === wanted).map((e) => e.value)) } };
    }
    if (!key.bagUserState) return { id: r.id, error: `this test runner serves bag user state and side inputs only, not ${Object.keys(key).join(',')}` };
    const id = Buffer.from(fn.StateKey.encode(key).finish()).toString('base64');
    if (r.get) return { id: r.id, get: { data: Buffer.concat(this.bags.get(id) ?? []) } };
    if (r.append) (this.bags.get(id) ?? this.bags.set(id, []).get(id)!).push(Buffer.from(r.append.data ?? []));
    if (r.clear) this.bags.delete(id);
    return { id: r.id, ...(r.append ? { append: {} } : { clear: {} }) };
  }
}

export interface Cut {
  readonly descriptor: fn.IProcessBundleDescriptor;
  readonly userFns: ReadonlyMap<string, unknown>;
  /** Transform id by unique name; source / sink ids by PCollection id. */
  readonly id: (uniqueName: string) => string;
  readonly source: (pc: string) => string;
  readonly sink: (pc: string) => string;
  readonly wire: (pc: string) => Coder<WindowedValue<unknown>>;
  readonly pcOf: (uniqueName: string, tag?: string) => string;
  readonly coder: (id: string) => Coder<unknown>;
}

/** A descriptor holding the named transforms of `p`, with a data source for each input from
 *  outside them and a data sink for each output. */
export function cut(p: Pipeline, names: readonly string[], url: string, descriptorId: string, options: { expandWindowing?: boolean } = {}): Cut {
  const portable = toPortable(p);
  // As the portable runner submits it: groupings the runner cannot trigger become the harness's
  // GroupAlsoByWindow (named `<GroupByKey>/GroupAlsoByWindow`).
  if (options.expandWindowing) expandWindowing(portable.proto);
  const comps = portable.proto.components!;
  const transforms: Record<string, beam.IPTransform> = {};
  const byName = new Map(Object.entries(comps.transforms!).map(([id, t]) => [t.uniqueName!, id]));
  const picked = names.map((n) => byName.get(n)!);
  for (const id of picked) transforms[id] = comps.transforms![id]!;
  const produced = new Set(picked.flatMap((id) => Object.values(transforms[id]!.outputs ?? {})));
  const consumed = new Set(picked.flatMap((id) => Object.entries(transforms[id]!.inputs ?? {}).filter(([l]) => !l.startsWith('side:')).map(([, pc]) => pc)));
  const coders = { ...comps.coders };
  const wireId = (pc: string) => {
    const id = `wire:${pc}`;
    const ws = comps.windowingStrategies![comps.pcollections![pc]!.windowingStrategyId!]!;
    coders[id] = { spec: { urn: 'beam:coder:windowed_value:v1' }, componentCoderIds: [comps.pcollections![pc]!.coderId!, ws.windowCoderId!] };
    return id;
  };
  const port = (pc: string) => fn.RemoteGrpcPort.encode({ apiServiceDescriptor: { url }, coderId: wireId(pc) }).finish();
  for (const pc of consumed) if (!produced.has(pc)) transforms[`source:${pc}`] = { uniqueName: `source:${pc}`, spec: { urn: 'beam:runner:source:v1', payload: port(pc) }, outputs: { out: pc } };
  for (const pc of produced) if (!consumed.has(pc)) transforms[`sink:${pc}`] = { uniqueName: `sink:${pc}`, spec: { urn: 'beam:runner:sink:v1', payload: port(pc) }, inputs: { in: pc } };
  const descriptor: fn.IProcessBundleDescriptor = {
    id: descriptorId,
    transforms,
    pcollections: comps.pcollections,
    windowingStrategies: comps.windowingStrategies,
    coders,
    environments: comps.environments,
    stateApiServiceDescriptor: { url },
    timerApiServiceDescriptor: { url },
  };
  const coder = (id: string): Coder<unknown> => {
    const c = coders[id]!;
    return coderFromSpec(c.spec!.urn!, (c.componentCoderIds ?? []).map(coder), c.spec!.payload ?? undefined);
  };
  return {
    descriptor,
    userFns: portable.userFns,
    id: (n) => byName.get(n)!,
    source: (pc) => `source:${pc}`,
    sink: (pc) => `sink:${pc}`,
    wire: (pc) => coder(`wire:${pc}`) as Coder<WindowedValue<unknown>>,
    pcOf: (n, tag = 'out') => comps.transforms![byName.get(n)!]!.outputs![tag]!,
    coder,
  };
}

export function encodeAll<T>(coder: Coder<T>, values: readonly T[]): Uint8Array {
  const out = new ByteWriter();
  for (const v of values) coder.encode(v, out, true);
  return out.finish();
}

export function decodeAll<T>(coder: Coder<T>, bytes: Uint8Array | undefined): T[] {
  const out: T[] = [];
  if (!bytes) return out;
  const r = new ByteReader(bytes);
  while (!r.atEnd()) out.push(coder.decode(r, true));
  return out;
}


/** `value` at event time `ts` in the global window, with no firing: an element as a source sends it. */
export function inGlobalWindow<T>(value: T, ts: number): WindowedValue<T> {
  return { value, timestamp: ts as Instant, windows: GLOBAL_WINDOWS, pane: NO_FIRING };
}

/** Cuts the stage `name` of `p` into a descriptor, starts a harness on `runner` with its user
 *  functions and registers the descriptor with it. With `provision`, the harness reads the job's
 *  provision info (`runner.provision`: its options and experiments) from the runner at start. */
export async function startStage(runner: TestFnApiRunner, p: Pipeline, name: string, descriptorId: string, options: { provision?: boolean; expandWindowing?: boolean } = {}): Promise<{ stage: Cut; harness: RunningHarness }> {
  const stage = cut(p, [name], runner.url, descriptorId, options);
  const harness = await startHarness({
    id: 'w1',
    controlEndpoint: runner.url,
    loggingEndpoint: runner.url,
    ...(options.provision ? { provisionEndpoint: runner.url } : {}),
    userFns: stage.userFns,
  });
  const registered = await runner.instruct({ register: { processBundleDescriptor: [stage.descriptor] } });
  if (registered.error) throw new Error(`registering ${descriptorId} failed: ${registered.error}`);
  return { stage, harness };
}

/**
 * One stage of one pipeline on its own runner and harness for a describe block: both started
 * before its tests and stopped after them. `stage` is the cut stage, read inside a test. With
 * `provision`, the runner serves that provision info and the harness reads it at start.
 */
export function stageOnTheWire(
  build: () => Pipeline,
  name: string,
  descriptorId: string,
  options: { provision?: fn.IProvisionInfo; expandWindowing?: boolean } = {},
): { readonly runner: TestFnApiRunner; readonly stage: Cut } {
  const runner = new TestFnApiRunner();
  let harness: RunningHarness | undefined;
  let stage: Cut | undefined;
  beforeAll(async () => {
    await runner.start();
    if (options.provision) runner.provision = options.provision;
    ({ stage, harness } = await startStage(runner, build(), name, descriptorId, { provision: options.provision !== undefined, expandWindowing: options.expandWindowing }));
  });
  afterAll(async () => {
    await harness?.stop();
    await runner.stop();
  });
  return {
    runner,
    get stage(): Cut {
      if (!stage) throw new Error(`stage ${name} is read before it started`);
      return stage;
    },
  };
}
