// Shared message fixtures for the portability-proto tests.
import { Long, pipeline } from "../../portability-proto/index.js";

const te = new TextEncoder();
export const bytes = (s: string) => te.encode(s);

export const triggerTree: pipeline.ITrigger = {
  orFinally: {
    main: {
      repeat: {
        subtrigger: {
          afterEndOfWindow: {
            earlyFirings: {
              afterAny: {
                subtriggers: [
                  { elementCount: { elementCount: 100 } },
                  {
                    afterProcessingTime: {
                      timestampTransforms: [
                        { delay: { delayMillis: 5000 } },
                        { alignTo: { period: 60000, offset: 1000 } },
                      ],
                    },
                  },
                ],
              },
            },
            lateFirings: { afterAll: { subtriggers: [{ always: {} }, { elementCount: { elementCount: 2 } }] } },
          },
        },
      },
    },
    finally: {
      afterEach: {
        subtriggers: [{ never: {} }, { default: {} }, { afterSynchronizedProcessingTime: {} }],
      },
    },
  },
};

export const fixedWindows = pipeline.FixedWindowsPayload.encode({
  size: { seconds: 60, nanos: 0 },
  offset: { seconds: 5, nanos: 0 },
}).finish();
export const sessionWindows = pipeline.SessionWindowsPayload.encode({ gapSize: { seconds: 600 } }).finish();

export const rowSchema = pipeline.Schema.encode({
  id: "7c1d0a8e-0000-4000-8000-000000000001",
  fields: [
    { name: "user", type: { atomicType: pipeline.AtomicType.STRING } },
    { name: "score", type: { nullable: true, atomicType: pipeline.AtomicType.DOUBLE }, id: 1 },
    { name: "tags", type: { arrayType: { elementType: { atomicType: pipeline.AtomicType.STRING } } } },
    {
      name: "attrs",
      type: {
        mapType: {
          keyType: { atomicType: pipeline.AtomicType.STRING },
          valueType: { iterableType: { elementType: { atomicType: pipeline.AtomicType.INT64 } } },
        },
      },
    },
    {
      name: "ts",
      type: {
        logicalType: {
          urn: "beam:logical_type:millis_instant:v1",
          representation: { atomicType: pipeline.AtomicType.INT64 },
        },
      },
    },
    { name: "nested", type: { rowType: { schema: { id: "inner", fields: [{ name: "a", type: { atomicType: pipeline.AtomicType.BYTES } }] } } } },
  ],
  options: [{ name: "tributary:option:doc", type: { atomicType: pipeline.AtomicType.BOOLEAN } }],
}).finish();

export const parDo: pipeline.IParDoPayload = {
  doFn: { urn: "tributary:dofn:v1", payload: bytes("Score/ParDo(ScoreFn)") },
  sideInputs: {
    weights: {
      accessPattern: { urn: "beam:side_input:multimap:v1" },
      viewFn: { urn: "tributary:view_fn:as_map:v1" },
      windowMappingFn: { urn: "beam:window_mapping_fn:global:v1" },
    },
    threshold: {
      accessPattern: { urn: "beam:side_input:iterable:v1" },
      viewFn: { urn: "tributary:view_fn:singleton:v1", payload: bytes("default") },
      windowMappingFn: { urn: "beam:window_mapping_fn:fixed:v1" },
    },
  },
  stateSpecs: {
    count: { readModifyWriteSpec: { coderId: "c_varint" }, protocol: { urn: "beam:user_state:bag:v1" } },
    buffer: { bagSpec: { elementCoderId: "c_bytes" }, protocol: { urn: "beam:user_state:bag:v1" } },
    sum: {
      combiningSpec: { accumulatorCoderId: "c_varint", combineFn: { urn: "tributary:combinefn:v1", payload: bytes("sum") } },
      protocol: { urn: "beam:user_state:bag:v1" },
    },
    index: { mapSpec: { keyCoderId: "c_string", valueCoderId: "c_varint" }, protocol: { urn: "beam:user_state:multimap:v1" } },
    seen: { setSpec: { elementCoderId: "c_string" }, protocol: { urn: "beam:user_state:multimap:v1" } },
    sorted: { orderedListSpec: { elementCoderId: "c_bytes" } },
  },
  timerFamilySpecs: {
    flush: { timeDomain: pipeline.TimeDomain.Enum.EVENT_TIME, timerFamilyCoderId: "c_timer" },
    expire: { timeDomain: pipeline.TimeDomain.Enum.PROCESSING_TIME, timerFamilyCoderId: "c_timer" },
  },
  restrictionCoderId: "c_bytes",
  requestsFinalization: true,
  requiresTimeSortedInput: true,
  requiresStableInput: true,
  onWindowExpirationTimerFamilySpec: "flush",
};

export const combine: pipeline.ICombinePayload = {
  combineFn: { urn: "tributary:combinefn:v1", payload: bytes("Sum.ofLongs") },
  accumulatorCoderId: "c_varint",
};

export const testStream: pipeline.ITestStreamPayload = {
  coderId: "c_bytes",
  events: [
    { elementEvent: { elements: [{ encodedElement: bytes("a"), timestamp: 1000 }, { encodedElement: bytes("b"), timestamp: -5 }] } },
    { watermarkEvent: { newWatermark: 2000 } },
    { processingTimeEvent: { advanceDuration: 30000 } },
    { elementEvent: { elements: [{ encodedElement: bytes("late"), timestamp: 1500 }], tag: "side" } },
    { watermarkEvent: { newWatermark: Long.fromString("9223371950454775"), tag: "side" } },
  ],
  endpoint: { url: "localhost:12345", authentication: { urn: "tributary:auth:none:v1" } },
};

export function richPipeline(): pipeline.IPipeline {
  const ws = (o: pipeline.IWindowingStrategy): pipeline.IWindowingStrategy => o;
  return {
    rootTransformIds: ["impulse", "events", "composite"],
    requirements: ["beam:requirement:pardo:stateful:v1", "beam:requirement:pardo:time_sorted_input:v1"],
    displayData: [{ urn: "beam:display_data:labelled:v1", payload: pipeline.LabelledPayload.encode({ label: "job", stringValue: "scores", key: "name", namespace: "tributary" }).finish() }],
    components: {
      transforms: {
        impulse: { uniqueName: "Impulse", spec: { urn: "beam:transform:impulse:v1" }, outputs: { out: "pc_impulse" } },
        events: {
          uniqueName: "Events",
          spec: { urn: "beam:transform:teststream:v1", payload: pipeline.TestStreamPayload.encode(testStream).finish() },
          outputs: { out: "pc_events", side: "pc_side" },
          environmentId: "env_ts",
        },
        composite: {
          uniqueName: "Score",
          subtransforms: ["window", "pardo", "combine"],
          inputs: { in: "pc_events" },
          outputs: { out: "pc_scores" },
          annotations: { "tributary:annotation:owner:v1": bytes("team-a") },
        },
        window: {
          uniqueName: "Score/Window",
          spec: { urn: "beam:transform:window_into:v1", payload: pipeline.WindowIntoPayload.encode({ windowFn: { urn: "beam:window_fn:fixed_windows:v1", payload: fixedWindows } }).finish() },
          inputs: { in: "pc_events" },
          outputs: { out: "pc_windowed" },
          environmentId: "env_ts",
        },
        pardo: {
          uniqueName: "Score/ParDo(ScoreFn)",
          spec: { urn: "beam:transform:pardo:v1", payload: pipeline.ParDoPayload.encode(parDo).finish() },
          inputs: { in: "pc_windowed", weights: "pc_side", threshold: "pc_side" },
          outputs: { out: "pc_kv", dead: "pc_dead" },
          environmentId: "env_ts",
          displayData: [{ urn: "beam:display_data:labelled:v1" }],
        },
        combine: {
          uniqueName: "Score/Sum",
          spec: { urn: "beam:transform:combine_per_key:v1", payload: pipeline.CombinePayload.encode(combine).finish() },
          inputs: { in: "pc_kv" },
          outputs: { out: "pc_scores" },
          environmentId: "env_ts",
        },
      },
      pcollections: {
        pc_impulse: { uniqueName: "Impulse.out", coderId: "c_bytes", isBounded: pipeline.IsBounded.Enum.BOUNDED, windowingStrategyId: "ws_global" },
        pc_events: { uniqueName: "Events.out", coderId: "c_bytes", isBounded: pipeline.IsBounded.Enum.UNBOUNDED, windowingStrategyId: "ws_global" },
        pc_side: { uniqueName: "Events.side", coderId: "c_kv", isBounded: pipeline.IsBounded.Enum.UNBOUNDED, windowingStrategyId: "ws_global" },
        pc_windowed: { uniqueName: "Score/Window.out", coderId: "c_bytes", isBounded: pipeline.IsBounded.Enum.UNBOUNDED, windowingStrategyId: "ws_fixed" },
        pc_kv: { uniqueName: "Score/ParDo.out", coderId: "c_kv", isBounded: pipeline.IsBounded.Enum.UNBOUNDED, windowingStrategyId: "ws_fixed" },
        pc_dead: { uniqueName: "Score/ParDo.dead", coderId: "c_row", isBounded: pipeline.IsBounded.Enum.UNBOUNDED, windowingStrategyId: "ws_sessions" },
        pc_scores: { uniqueName: "Score/Sum.out", coderId: "c_kv", isBounded: pipeline.IsBounded.Enum.UNBOUNDED, windowingStrategyId: "ws_fixed" },
      },
      windowingStrategies: {
        ws_global: ws({
          windowFn: { urn: "beam:window_fn:global_windows:v1" },
          mergeStatus: pipeline.MergeStatus.Enum.NON_MERGING,
          windowCoderId: "c_global_window",
          trigger: { default: {} },
          accumulationMode: pipeline.AccumulationMode.Enum.DISCARDING,
          outputTime: pipeline.OutputTime.Enum.END_OF_WINDOW,
          closingBehavior: pipeline.ClosingBehavior.Enum.EMIT_IF_NONEMPTY,
          allowedLateness: 0,
          onTimeBehavior: pipeline.OnTimeBehavior.Enum.FIRE_ALWAYS,
          assignsToOneWindow: true,
          environmentId: "env_ts",
        }),
        ws_fixed: ws({
          windowFn: { urn: "beam:window_fn:fixed_windows:v1", payload: fixedWindows },
          mergeStatus: pipeline.MergeStatus.Enum.NON_MERGING,
          windowCoderId: "c_interval_window",
          trigger: triggerTree,
          accumulationMode: pipeline.AccumulationMode.Enum.ACCUMULATING,
          outputTime: pipeline.OutputTime.Enum.EARLIEST_IN_PANE,
          closingBehavior: pipeline.ClosingBehavior.Enum.EMIT_ALWAYS,
          allowedLateness: 3_600_000,
          onTimeBehavior: pipeline.OnTimeBehavior.Enum.FIRE_IF_NONEMPTY,
          assignsToOneWindow: true,
          environmentId: "env_ts",
        }),
        ws_sessions: ws({
          windowFn: { urn: "beam:window_fn:session_windows:v1", payload: sessionWindows },
          mergeStatus: pipeline.MergeStatus.Enum.NEEDS_MERGE,
          windowCoderId: "c_interval_window",
          trigger: { repeat: { subtrigger: { afterEndOfWindow: {} } } },
          accumulationMode: pipeline.AccumulationMode.Enum.RETRACTING,
          outputTime: pipeline.OutputTime.Enum.LATEST_IN_PANE,
          allowedLateness: Long.fromString("9223372036854775"),
        }),
      },
      coders: {
        c_bytes: { spec: { urn: "beam:coder:bytes:v1" } },
        c_string: { spec: { urn: "beam:coder:string_utf8:v1" } },
        c_varint: { spec: { urn: "beam:coder:varint:v1" } },
        c_kv: { spec: { urn: "beam:coder:kv:v1" }, componentCoderIds: ["c_string", "c_varint"] },
        c_global_window: { spec: { urn: "beam:coder:global_window:v1" } },
        c_interval_window: { spec: { urn: "beam:coder:interval_window:v1" } },
        c_timer: { spec: { urn: "beam:coder:timer:v1" }, componentCoderIds: ["c_string", "c_interval_window"] },
        c_row: { spec: { urn: "beam:coder:row:v1", payload: rowSchema } },
      },
      environments: {
        env_ts: {
          urn: "beam:env:process:v1",
          payload: pipeline.ProcessPayload.encode({ os: "linux", arch: "amd64", command: "tributary worker", env: { B: "2", A: "1" } }).finish(),
          capabilities: ["beam:coder:bytes:v1", "beam:protocol:progress_reporting:v1", "tributary:protocol:graph_check:v1"],
          dependencies: [{ typeUrn: "beam:artifact:type:file:v1", typePayload: pipeline.ArtifactFilePayload.encode({ path: "/tmp/p.ts", sha256: "ab" }).finish(), roleUrn: "beam:artifact:role:staging_to:v1" }],
          resourceHints: { "beam:resources:min_ram_bytes:v1": bytes("1073741824") },
          displayData: [{ urn: "tributary:display_data:sdk:v1", payload: bytes("0.1.0") }],
        },
        env_ext: {
          urn: "beam:env:external:v1",
          payload: pipeline.ExternalPayload.encode({ endpoint: { url: "localhost:50000" }, params: { k: "v" } }).finish(),
        },
      },
    },
  };
}
