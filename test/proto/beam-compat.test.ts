// Wire-compatibility proof against Apache Beam's own generated code (npm apache-beam,
// protobuf-ts classes): messages encoded by Tributary decode with Beam's classes, key
// fields survive, and Beam's re-encoding decodes back with ours to the same message
// (and, because both encoders emit fields in number order, to the very same bytes).
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { fnExecution, jobManagement, Long, pipeline, protobuf } from "../../portability-proto/index.js";
import { bytes, parDo, richPipeline, rowSchema } from "./fixtures.js";

const require = createRequire(import.meta.url);

/** The part of a protobuf-ts MessageType these tests use. */
interface BeamType {
  fromBinary(bytes: Uint8Array): any; // eslint-disable-line @typescript-eslint/no-explicit-any
  toBinary(message: unknown): Uint8Array;
}
type BeamModule = Record<string, BeamType>;
const beamModule = (p: string): BeamModule =>
  require(`apache-beam/proto/org/apache/beam/model/${p}`) as BeamModule;
const B = beamModule("pipeline/v1/beam_runner_api");
const BSchema = beamModule("pipeline/v1/schema");
const BWin = beamModule("pipeline/v1/standard_window_fns");
const BFn = beamModule("fn_execution/v1/beam_fn_api");
const BJob = beamModule("job_management/v1/beam_job_api");


/** Our generated message class shape (static side). */
interface OurType<T> {
  encode(m: T): { finish(): Uint8Array };
  decode(b: Uint8Array): T;
  toObject(m: T, o?: object): Record<string, unknown>;
  fromObject(o: Record<string, unknown>): T;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const toObj = { longs: String, bytes: Array, defaults: false, arrays: true, objects: true, oneofs: true };

/** ours -> bytes -> Beam -> bytes -> ours; returns Beam's decoded message. */
function roundTrip<T>(ours: OurType<T>, beam: BeamType, message: T) {
  const ourBytes = ours.encode(message).finish();
  const beamMsg = beam.fromBinary(ourBytes);
  const beamBytes = beam.toBinary(beamMsg);
  const back = ours.decode(beamBytes);
  expect(ours.toObject(back, toObj)).toEqual(ours.toObject(ours.decode(ourBytes), toObj));
  // Beam emits fields in .proto declaration order, we emit them in field-number order,
  // so the raw bytes may differ; re-encoded by us they are identical again.
  expect(hex(ours.encode(back).finish())).toBe(hex(ourBytes));
  return beamMsg;
}

describe("pipeline v1 is wire-compatible with Apache Beam", () => {
  it("a rich Pipeline decodes with Beam's classes and round-trips", () => {
    const msg = pipeline.Pipeline.fromObject(richPipeline() as Record<string, unknown>);
    const beamP = roundTrip(pipeline.Pipeline, B.Pipeline!, msg);

    expect(beamP.rootTransformIds).toEqual(["impulse", "events", "composite"]);
    expect(beamP.requirements).toContain("beam:requirement:pardo:stateful:v1");
    const c = beamP.components;
    expect(Object.keys(c.transforms).sort()).toEqual(["combine", "composite", "events", "impulse", "pardo", "window"]);
    expect(c.transforms.pardo.uniqueName).toBe("Score/ParDo(ScoreFn)");
    expect(c.transforms.pardo.spec.urn).toBe("beam:transform:pardo:v1");
    expect(c.transforms.pardo.inputs).toEqual({ in: "pc_windowed", weights: "pc_side", threshold: "pc_side" });
    expect(c.transforms.composite.subtransforms).toEqual(["window", "pardo", "combine"]);
    expect(new TextDecoder().decode(c.transforms.composite.annotations["tributary:annotation:owner:v1"])).toBe("team-a");
    expect(c.pcollections.pc_events.isBounded).toBe(1); // UNBOUNDED
    expect(c.pcollections.pc_dead.windowingStrategyId).toBe("ws_sessions");
    expect(c.coders.c_kv.componentCoderIds).toEqual(["c_string", "c_varint"]);

    const wf = c.windowingStrategies.ws_fixed;
    expect(wf.allowedLateness).toBe(3_600_000n);
    expect(wf.accumulationMode).toBe(2);
    expect(wf.outputTime).toBe(3);
    expect(wf.closingBehavior).toBe(1);
    expect(wf.onTimeBehavior).toBe(2);
    expect(wf.mergeStatus).toBe(1);
    expect(wf.assignsToOneWindow).toBe(true);
    expect(wf.environmentId).toBe("env_ts");
    expect(wf.windowCoderId).toBe("c_interval_window");
    expect(c.windowingStrategies.ws_sessions.allowedLateness).toBe(9223372036854775n);
    expect(c.windowingStrategies.ws_sessions.mergeStatus).toBe(2);
    expect(c.windowingStrategies.ws_global.trigger.trigger.oneofKind).toBe("default");

    // The trigger tree, walked through Beam's oneof representation.
    const orFinally = wf.trigger.trigger;
    expect(orFinally.oneofKind).toBe("orFinally");
    const eow = orFinally.orFinally.main.trigger.repeat.subtrigger.trigger.afterEndOfWindow;
    const early = eow.earlyFirings.trigger.afterAny.subtriggers;
    expect(early[0].trigger.elementCount.elementCount).toBe(100);
    const tts = early[1].trigger.afterProcessingTime.timestampTransforms;
    expect(tts[0].timestampTransform.delay.delayMillis).toBe(5000n);
    expect(tts[1].timestampTransform.alignTo).toEqual({ period: 60000n, offset: 1000n });
    expect(eow.lateFirings.trigger.afterAll.subtriggers.map((t: { trigger: { oneofKind: string } }) => t.trigger.oneofKind)).toEqual(["always", "elementCount"]);
    expect(orFinally.orFinally.finally.trigger.afterEach.subtriggers.map((t: { trigger: { oneofKind: string } }) => t.trigger.oneofKind)).toEqual([
      "never",
      "default",
      "afterSynchronizedProcessingTime",
    ]);

    // Environments.
    const env = c.environments.env_ts;
    expect(env.urn).toBe("beam:env:process:v1");
    expect(B.ProcessPayload!.fromBinary(env.payload)).toEqual({ os: "linux", arch: "amd64", command: "tributary worker", env: { A: "1", B: "2" } });
    expect(env.capabilities).toHaveLength(3);
    expect(env.dependencies[0].roleUrn).toBe("beam:artifact:role:staging_to:v1");
    expect(B.ExternalPayload!.fromBinary(c.environments.env_ext.payload).endpoint.url).toBe("localhost:50000");

    // Payloads, decoded with Beam's payload classes.
    const bPardo = B.ParDoPayload!.fromBinary(c.transforms.pardo.spec.payload);
    expect(bPardo.doFn.urn).toBe("tributary:dofn:v1");
    expect(bPardo.sideInputs.weights.accessPattern.urn).toBe("beam:side_input:multimap:v1");
    expect(bPardo.sideInputs.threshold.windowMappingFn.urn).toBe("beam:window_mapping_fn:fixed:v1");
    expect(bPardo.stateSpecs.count.spec.oneofKind).toBe("readModifyWriteSpec");
    expect(bPardo.stateSpecs.sum.spec.combiningSpec.combineFn.urn).toBe("tributary:combinefn:v1");
    expect(bPardo.stateSpecs.index.spec.mapSpec).toEqual({ keyCoderId: "c_string", valueCoderId: "c_varint" });
    expect(bPardo.stateSpecs.seen.spec.oneofKind).toBe("setSpec");
    expect(bPardo.stateSpecs.sorted.spec.orderedListSpec.elementCoderId).toBe("c_bytes");
    expect(bPardo.timerFamilySpecs.expire).toEqual({ timeDomain: 2, timerFamilyCoderId: "c_timer" });
    expect(bPardo.requestsFinalization).toBe(true);
    expect(bPardo.requiresStableInput).toBe(true);
    expect(bPardo.requiresTimeSortedInput).toBe(true);
    expect(bPardo.restrictionCoderId).toBe("c_bytes");
    expect(bPardo.onWindowExpirationTimerFamilySpec).toBe("flush");
    roundTrip(pipeline.ParDoPayload, B.ParDoPayload!, pipeline.ParDoPayload.fromObject(parDo as Record<string, unknown>));

    const bCombine = B.CombinePayload!.fromBinary(c.transforms.combine.spec.payload);
    expect(bCombine.accumulatorCoderId).toBe("c_varint");
    expect(new TextDecoder().decode(bCombine.combineFn.payload)).toBe("Sum.ofLongs");

    const bTs = B.TestStreamPayload!.fromBinary(c.transforms.events.spec.payload);
    expect(bTs.coderId).toBe("c_bytes");
    expect(bTs.endpoint.url).toBe("localhost:12345");
    expect(bTs.events.map((e: { event: { oneofKind: string } }) => e.event.oneofKind)).toEqual([
      "elementEvent",
      "watermarkEvent",
      "processingTimeEvent",
      "elementEvent",
      "watermarkEvent",
    ]);
    expect(bTs.events[0].event.elementEvent.elements[1].timestamp).toBe(-5n);
    expect(bTs.events[1].event.watermarkEvent.newWatermark).toBe(2000n);
    expect(bTs.events[2].event.processingTimeEvent.advanceDuration).toBe(30000n);
    expect(bTs.events[3].event.elementEvent.tag).toBe("side");
    expect(bTs.events[4].event.watermarkEvent.newWatermark).toBe(9223371950454775n);

    const bWin = B.WindowIntoPayload!.fromBinary(c.transforms.window.spec.payload);
    const bFixed = BWin.FixedWindowsPayload!.fromBinary(bWin.windowFn.payload);
    expect(bFixed.size).toEqual({ seconds: 60n, nanos: 0 });
    expect(bFixed.offset).toEqual({ seconds: 5n, nanos: 0 });
    expect(BWin.SessionWindowsPayload!.fromBinary(c.windowingStrategies.ws_sessions.windowFn.payload).gapSize.seconds).toBe(600n);

    const schema = BSchema.Schema!.fromBinary(c.coders.c_row.spec.payload);
    expect(schema.fields.map((f: { name: string }) => f.name)).toEqual(["user", "score", "tags", "attrs", "ts", "nested"]);
    expect(schema.fields[1].type.nullable).toBe(true);
    expect(schema.fields[1].type.typeInfo).toEqual({ oneofKind: "atomicType", atomicType: 6 });
    expect(schema.fields[3].type.typeInfo.mapType.valueType.typeInfo.iterableType.elementType.typeInfo.atomicType).toBe(4);
    expect(schema.fields[4].type.typeInfo.logicalType.urn).toBe("beam:logical_type:millis_instant:v1");
    expect(schema.fields[5].type.typeInfo.rowType.schema.fields[0].name).toBe("a");
    roundTrip(pipeline.Schema, BSchema.Schema!, pipeline.Schema.decode(rowSchema));
  });

  it("a pipeline encoded by Beam decodes with ours", () => {
    const beamBytes = B.Pipeline!.toBinary(
      B.Pipeline!.fromBinary(pipeline.Pipeline.encode(pipeline.Pipeline.fromObject(richPipeline() as Record<string, unknown>)).finish()),
    );
    const ours = pipeline.Pipeline.decode(beamBytes);
    const ws = ours.components!.windowingStrategies!["ws_fixed"]!;
    expect(ws.trigger!.trigger).toBe("orFinally");
    expect(ws.trigger!.orFinally!.finally!.afterEach!.subtriggers!.map((t) => t.trigger)).toEqual(["never", "default", "afterSynchronizedProcessingTime"]);
    expect(Long.fromValue(ws.allowedLateness!).toNumber()).toBe(3_600_000);
    expect(ws.accumulationMode).toBe(pipeline.AccumulationMode.Enum.ACCUMULATING);
    expect(ours.components!.transforms!["pardo"]!.inputs).toEqual({ in: "pc_windowed", threshold: "pc_side", weights: "pc_side" });
  });

  it("fields newer than apache-beam 2.49 (multimap state, ordered list state keys) round-trip", () => {
    // apache-beam 2.49's generated readers cannot skip unknown fields (their `default:`
    // branch references an undeclared `wireType`), so these are checked on our side only.
    const withMultimap = pipeline.ParDoPayload.fromObject({
      doFn: { urn: "tributary:dofn:v1" },
      stateSpecs: { mm: { multimapSpec: { keyCoderId: "k", valueCoderId: "v" }, protocol: { urn: "beam:user_state:multimap:v1" } } },
    });
    const pd = pipeline.ParDoPayload.decode(pipeline.ParDoPayload.encode(withMultimap).finish());
    expect(pd.stateSpecs["mm"]!.spec).toBe("multimapSpec");
    expect(pd.stateSpecs["mm"]!.multimapSpec!.valueCoderId).toBe("v");
    // Field 8 of StateSpec carries the multimap spec on the wire.
    expect(hex(pipeline.StateSpec.encode({ multimapSpec: { keyCoderId: "k" } }).finish())).toBe("4203" + "0a016b");
    const sr = fnExecution.StateRequest.fromObject({
      id: "s1",
      instructionId: "i1",
      stateKey: { orderedListUserState: { transformId: "t", userStateId: "sorted", window: bytes("w"), key: bytes("k"), range: { start: 10, end: 20 } } },
      get: {},
    });
    const back = fnExecution.StateRequest.decode(fnExecution.StateRequest.encode(sr).finish());
    expect(back.stateKey!.type).toBe("orderedListUserState");
    expect(Long.fromValue(back.stateKey!.orderedListUserState!.range!.end!).toNumber()).toBe(20);
  });
});

// ---------------------------------------------------------------------------
// Fn API and Job API
// ---------------------------------------------------------------------------

describe("Fn API is wire-compatible with Apache Beam", () => {
  it("ProcessBundleDescriptor / RegisterRequest", () => {
    const rp = richPipeline().components!;
    const grpcPort = fnExecution.RemoteGrpcPort.encode({ apiServiceDescriptor: { url: "localhost:4001" }, coderId: "c_wv" }).finish();
    const pbd = fnExecution.ProcessBundleDescriptor.fromObject({
      id: "stage-1",
      transforms: {
        source: { uniqueName: "source", spec: { urn: "beam:runner:source:v1", payload: grpcPort }, outputs: { out: "pc_events" } },
        pardo: rp.transforms!["pardo"],
      },
      pcollections: { pc_events: rp.pcollections!["pc_events"], pc_kv: rp.pcollections!["pc_kv"] },
      windowingStrategies: rp.windowingStrategies,
      coders: rp.coders,
      environments: rp.environments,
      stateApiServiceDescriptor: { url: "localhost:4002" },
      timerApiServiceDescriptor: { url: "localhost:4001" },
    } as Record<string, unknown>);
    const b = roundTrip(fnExecution.ProcessBundleDescriptor, BFn.ProcessBundleDescriptor!, pbd);
    expect(b.id).toBe("stage-1");
    expect(b.stateApiServiceDescriptor.url).toBe("localhost:4002");
    expect(BFn.RemoteGrpcPort!.fromBinary(b.transforms.source.spec.payload)).toEqual({ apiServiceDescriptor: { url: "localhost:4001" }, coderId: "c_wv" });
    expect(b.windowingStrategies.ws_fixed.trigger.trigger.oneofKind).toBe("orFinally");

    const req = fnExecution.InstructionRequest.fromObject({ instructionId: "register-1", register: { processBundleDescriptor: [pbd.toJSON()] } });
    const breq = roundTrip(fnExecution.InstructionRequest, BFn.InstructionRequest!, fnExecution.InstructionRequest.decode(fnExecution.InstructionRequest.encode(req).finish()));
    expect(breq.request.oneofKind).toBe("register");
  });

  it("InstructionRequest / InstructionResponse variants", () => {
    const cases: fnExecution.IInstructionRequest[] = [
      {
        instructionId: "b1",
        processBundle: {
          processBundleDescriptorId: "stage-1",
          cacheTokens: [{ userState: {}, token: bytes("u") }, { sideInput: { transformId: "pardo", sideInputId: "weights" }, token: bytes("s") }],
          elements: { data: [{ instructionId: "b1", transformId: "source", data: bytes("xyz"), isLast: true }] },
        },
      },
      { instructionId: "p1", processBundleProgress: { instructionId: "b1" } },
      { instructionId: "f1", finalizeBundle: { instructionId: "b1" } },
      // (no allowed_split_points: apache-beam 2.49's reader of packed repeated fields is broken)
      { instructionId: "s1", processBundleSplit: { instructionId: "b1", desiredSplits: { source: { fractionOfRemainder: 0.5, estimatedInputElements: 10 } } } },
      { instructionId: "m1", monitoringInfos: { monitoringInfoId: ["1", "2"] } },
      { instructionId: "h1", harnessMonitoringInfos: {} },
    ];
    const kinds = cases.map((c) => roundTrip(fnExecution.InstructionRequest, BFn.InstructionRequest!, fnExecution.InstructionRequest.fromObject(c as Record<string, unknown>)).request.oneofKind);
    expect(kinds).toEqual(["processBundle", "processBundleProgress", "finalizeBundle", "processBundleSplit", "monitoringInfos", "harnessMonitoringInfos"]);

    const resp = fnExecution.InstructionResponse.fromObject({
      instructionId: "b1",
      processBundle: {
        residualRoots: [{ application: { transformId: "pardo", inputId: "in", element: bytes("e"), outputWatermarks: { out: { seconds: 12, nanos: 5 } }, isBounded: 2 }, requestedTimeDelay: { seconds: 1 } }],
        monitoringInfos: [{ urn: "beam:metric:element_count:v1", type: "beam:metrics:sum_int64:v1", payload: new Uint8Array([3]), labels: { PCOLLECTION: "pc_kv" }, startTime: { seconds: 100 } }],
        requiresFinalization: true,
        monitoringData: { "1": new Uint8Array([7]) },
      },
    });
    const br = roundTrip(fnExecution.InstructionResponse, BFn.InstructionResponse!, resp);
    expect(br.response.processBundle.monitoringInfos[0].labels).toEqual({ PCOLLECTION: "pc_kv" });
    expect(br.response.processBundle.residualRoots[0].application.outputWatermarks.out).toEqual({ seconds: 12n, nanos: 5 });
    const err = fnExecution.InstructionResponse.fromObject({ instructionId: "x", error: "boom" });
    expect(roundTrip(fnExecution.InstructionResponse, BFn.InstructionResponse!, err).error).toBe("boom");
  });

  it("Elements with data and timers", () => {
    const el = fnExecution.Elements.fromObject({
      data: [
        { instructionId: "b1", transformId: "source", data: bytes("abc") },
        { instructionId: "b1", transformId: "source", isLast: true },
      ],
      timers: [{ instructionId: "b1", transformId: "pardo", timerFamilyId: "flush", timers: bytes("t"), isLast: true }],
    });
    const b = roundTrip(fnExecution.Elements, BFn.Elements!, el);
    expect(b.data[1].isLast).toBe(true);
    expect(b.timers[0].timerFamilyId).toBe("flush");
  });

  it("StateRequest / StateResponse with every state key kind", () => {
    const w = bytes("window");
    const k = bytes("key");
    const keys: fnExecution.IStateKey[] = [
      { runner: { key: bytes("r") } },
      { bagUserState: { transformId: "pardo", userStateId: "buffer", window: w, key: k } },
      { multimapSideInput: { transformId: "pardo", sideInputId: "weights", window: w, key: k } },
      { iterableSideInput: { transformId: "pardo", sideInputId: "threshold", window: w } },
      { multimapKeysSideInput: { transformId: "pardo", sideInputId: "weights", window: w } },
      { multimapKeysUserState: { transformId: "pardo", userStateId: "index", window: w, key: k } },
      { multimapUserState: { transformId: "pardo", userStateId: "index", window: w, key: k, mapKey: bytes("mk") } },
    ];
    const reqs: fnExecution.IStateRequest[] = [
      { id: "1", instructionId: "b1", stateKey: keys[0], get: {} },
      { id: "2", instructionId: "b1", stateKey: keys[1], get: { continuationToken: bytes("tok") } },
      { id: "3", instructionId: "b1", stateKey: keys[2], append: { data: bytes("v") } },
      { id: "4", instructionId: "b1", stateKey: keys[3], clear: {} },
      { id: "5", instructionId: "b1", stateKey: keys[4], get: { continuationToken: bytes("t5") } },
      { id: "6", instructionId: "b1", stateKey: keys[5], get: {} },
      { id: "7", instructionId: "b1", stateKey: keys[6], get: {} },
    ];
    const kinds = reqs.map((r) => roundTrip(fnExecution.StateRequest, BFn.StateRequest!, fnExecution.StateRequest.fromObject(r as Record<string, unknown>)));
    expect(kinds.map((b) => b.stateKey.type.oneofKind)).toEqual([
      "runner", "bagUserState", "multimapSideInput", "iterableSideInput", "multimapKeysSideInput", "multimapKeysUserState", "multimapUserState",
    ]);
    expect(kinds.map((b) => b.request.oneofKind)).toEqual(["get", "get", "append", "clear", "get", "get", "get"]);
    expect(new TextDecoder().decode(kinds[4].request.get.continuationToken)).toBe("t5");
    // proto3 `optional` (newer Beam): an explicitly empty continuation token stays present.
    const empty = fnExecution.StateGetRequest.decode(fnExecution.StateGetRequest.encode({ continuationToken: new Uint8Array(0) }).finish());
    expect(empty.continuationToken).toBeInstanceOf(Uint8Array);
    expect(empty.continuationToken!.length).toBe(0);
    expect(fnExecution.StateGetRequest.decode(fnExecution.StateGetRequest.encode({}).finish()).continuationToken).toBeNull();

    const resp = fnExecution.StateResponse.fromObject({ id: "2", get: { continuationToken: bytes("next"), data: bytes("payload") } });
    const br = roundTrip(fnExecution.StateResponse, BFn.StateResponse!, resp);
    expect(new TextDecoder().decode(br.response.get.data)).toBe("payload");
    roundTrip(fnExecution.StateResponse, BFn.StateResponse!, fnExecution.StateResponse.fromObject({ id: "3", error: "no such state" }));
  });

  it("LogEntry.List", () => {
    const list = fnExecution.LogEntry.List.fromObject({
      logEntries: [
        { severity: fnExecution.LogEntry.Severity.Enum.WARN, timestamp: { seconds: 1700000000, nanos: 123 }, message: "slow", trace: "at x", instructionId: "b1", transformId: "pardo", logLocation: "fn.ts:1", thread: "main" },
      ],
    });
    const b = roundTrip(fnExecution.LogEntry.List, BFn.LogEntry_List!, list);
    expect(b.logEntries[0].severity).toBe(5);
    expect(b.logEntries[0].timestamp).toEqual({ seconds: 1700000000n, nanos: 123 });
  });
});

describe("Job API is wire-compatible with Apache Beam", () => {
  it("PrepareJobRequest with pipeline and Struct options", () => {
    const req = jobManagement.PrepareJobRequest.fromObject({
      pipeline: richPipeline(),
      jobName: "scores",
      pipelineOptions: {
        fields: {
          "beam:option:job_name:v1": { stringValue: "scores" },
          "tributary:option:mode:v1": { stringValue: "backfill" },
          parallelism: { numberValue: 4 },
          streaming: { boolValue: true },
          nothing: { nullValue: protobuf.NullValue.NULL_VALUE },
          list: { listValue: { values: [{ numberValue: 1 }, { stringValue: "two" }] } },
          nested: { structValue: { fields: { a: { boolValue: false } } } },
        },
      },
    } as Record<string, unknown>);
    const b = roundTrip(jobManagement.PrepareJobRequest, BJob.PrepareJobRequest!, req);
    expect(b.jobName).toBe("scores");
    expect(b.pipeline.components.transforms.pardo.uniqueName).toBe("Score/ParDo(ScoreFn)");
    expect(b.pipelineOptions.fields.parallelism.kind).toEqual({ oneofKind: "numberValue", numberValue: 4 });
    expect(b.pipelineOptions.fields.list.kind.listValue.values[1].kind.stringValue).toBe("two");
  });

  it("job lifecycle messages", () => {
    const pr = roundTrip(jobManagement.PrepareJobResponse, BJob.PrepareJobResponse!, jobManagement.PrepareJobResponse.fromObject({ preparationId: "prep-1", artifactStagingEndpoint: { url: "localhost:8098" }, stagingSessionToken: "tok" }));
    expect(pr.artifactStagingEndpoint.url).toBe("localhost:8098");
    expect(roundTrip(jobManagement.RunJobRequest, BJob.RunJobRequest!, jobManagement.RunJobRequest.fromObject({ preparationId: "prep-1", retrievalToken: "rt" })).retrievalToken).toBe("rt");
    expect(roundTrip(jobManagement.RunJobResponse, BJob.RunJobResponse!, jobManagement.RunJobResponse.fromObject({ jobId: "job-1" })).jobId).toBe("job-1");
    expect(roundTrip(jobManagement.GetJobStateRequest, BJob.GetJobStateRequest!, jobManagement.GetJobStateRequest.fromObject({ jobId: "job-1" })).jobId).toBe("job-1");
    const ev = roundTrip(jobManagement.JobStateEvent, BJob.JobStateEvent!, jobManagement.JobStateEvent.fromObject({ state: jobManagement.JobState.Enum.CANCELLING, timestamp: { seconds: 1700000000, nanos: 5 } }));
    expect(ev.state).toBe(10);
    expect(ev.timestamp.seconds).toBe(1700000000n);
    expect(roundTrip(jobManagement.CancelJobRequest, BJob.CancelJobRequest!, jobManagement.CancelJobRequest.fromObject({ jobId: "job-1" })).jobId).toBe("job-1");
    expect(roundTrip(jobManagement.CancelJobResponse, BJob.CancelJobResponse!, jobManagement.CancelJobResponse.fromObject({ state: jobManagement.JobState.Enum.CANCELLED })).state).toBe(5);
    expect(roundTrip(jobManagement.JobMessagesRequest, BJob.JobMessagesRequest!, jobManagement.JobMessagesRequest.fromObject({ jobId: "job-1" })).jobId).toBe("job-1");
    const msg = roundTrip(jobManagement.JobMessagesResponse, BJob.JobMessagesResponse!, jobManagement.JobMessagesResponse.fromObject({
      messageResponse: { messageId: "m1", time: "2024-01-01T00:00:00Z", importance: jobManagement.JobMessage.MessageImportance.JOB_MESSAGE_WARNING, messageText: "partition dt=2024-01-01 missing" },
    }));
    expect(msg.response.messageResponse.importance).toBe(4);
    const st = roundTrip(jobManagement.JobMessagesResponse, BJob.JobMessagesResponse!, jobManagement.JobMessagesResponse.fromObject({ stateResponse: { state: jobManagement.JobState.Enum.DONE } }));
    expect(st.response.stateResponse.state).toBe(3);
    expect(roundTrip(jobManagement.GetJobMetricsRequest, BJob.GetJobMetricsRequest!, jobManagement.GetJobMetricsRequest.fromObject({ jobId: "job-1" })).jobId).toBe("job-1");
    const metrics = roundTrip(jobManagement.GetJobMetricsResponse, BJob.GetJobMetricsResponse!, jobManagement.GetJobMetricsResponse.fromObject({
      metrics: {
        attempted: [{ urn: "beam:metric:user:sum_int64:v1", type: "beam:metrics:sum_int64:v1", payload: new Uint8Array([42]), labels: { PTRANSFORM: "pardo", NAMESPACE: "scores", NAME: "bad_rows" } }],
        committed: [{ urn: "beam:metric:user:sum_int64:v1", type: "beam:metrics:sum_int64:v1", payload: new Uint8Array([40]) }],
      },
    }));
    expect(metrics.metrics.attempted[0].labels.NAME).toBe("bad_rows");
    expect(metrics.metrics.committed).toHaveLength(1);
  });

  it("Beam's JobState enum values are ours", () => {
    expect(jobManagement.JobState.Enum.STOPPED).toBe(1);
    expect(jobManagement.JobState.Enum.RUNNING).toBe(2);
    expect(jobManagement.JobState.Enum.DONE).toBe(3);
    expect(jobManagement.JobState.Enum.FAILED).toBe(4);
    expect(jobManagement.JobState.Enum.STARTING).toBe(9);
    expect(jobManagement.JobState.Enum.UPDATING).toBe(11);
  });
});

