// Structural proof of wire compatibility: every message and enum we declare in
// portability-proto/proto is compared, field by field, with the message types that
// Apache Beam itself generated (npm apache-beam, protobuf-ts). Same field numbers,
// names, wire kinds, scalar types, repeatedness, oneof membership and enum values.
import { createRequire } from "node:module";
import path from "node:path";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
const protoRoot = path.resolve(import.meta.dirname, "../../portability-proto/proto");

const ourFiles = [
  "org/apache/beam/model/pipeline/v1/beam_runner_api.proto",
  "org/apache/beam/model/pipeline/v1/endpoints.proto",
  "org/apache/beam/model/pipeline/v1/metrics.proto",
  "org/apache/beam/model/pipeline/v1/schema.proto",
  "org/apache/beam/model/pipeline/v1/standard_window_fns.proto",
  "org/apache/beam/model/fn_execution/v1/beam_fn_api.proto",
  "org/apache/beam/model/job_management/v1/beam_job_api.proto",
];

const beamModules = [
  "pipeline/v1/beam_runner_api",
  "pipeline/v1/endpoints",
  "pipeline/v1/metrics",
  "pipeline/v1/schema",
  "pipeline/v1/standard_window_fns",
  "fn_execution/v1/beam_fn_api",
  "job_management/v1/beam_job_api",
];

// Fields that newer Beam releases added after apache-beam 2.49.0 (the npm release we
// compare with). Their numbers follow Beam's current protos.
const NEWER_THAN_BEAM_2_49 = new Set([
  "org.apache.beam.model.pipeline.v1.StateSpec.multimap_spec",
  "org.apache.beam.model.fn_execution.v1.StateKey.ordered_list_user_state",
  "org.apache.beam.model.fn_execution.v1.InstructionRequest.sample_data",
  "org.apache.beam.model.fn_execution.v1.InstructionResponse.sample_data",
]);
const NEWER_TYPES = new Set([
  "org.apache.beam.model.pipeline.v1.MultimapStateSpec",
  "org.apache.beam.model.fn_execution.v1.OrderedListRange",
  "org.apache.beam.model.fn_execution.v1.StateKey.OrderedListUserState",
  "org.apache.beam.model.fn_execution.v1.SampleDataRequest",
  "org.apache.beam.model.fn_execution.v1.SampledElement",
  "org.apache.beam.model.fn_execution.v1.SampleDataResponse",
  "org.apache.beam.model.fn_execution.v1.SampleDataResponse.ElementList",
  "org.apache.beam.model.job_management.v1.DrainJobRequest",
  "org.apache.beam.model.job_management.v1.DrainJobResponse",
]);

// protobuf-ts ScalarType numbering.
const SCALAR: Record<string, number> = {
  double: 1, float: 2, int64: 3, uint64: 4, int32: 5, fixed64: 6, fixed32: 7, bool: 8,
  string: 9, bytes: 12, uint32: 13, sfixed32: 15, sfixed64: 16, sint32: 17, sint64: 18,
};

interface BeamField {
  no: number;
  name: string;
  kind: "scalar" | "message" | "enum" | "map";
  T?: number | (() => unknown);
  K?: number;
  V?: { kind: string; T: number | (() => unknown) };
  repeat?: number;
  oneof?: string;
  opt?: boolean;
}
interface BeamMessageType {
  typeName: string;
  fields: readonly BeamField[];
}

function loadBeamTypes(): Map<string, BeamMessageType> {
  const out = new Map<string, BeamMessageType>();
  for (const m of beamModules) {
    const mod = require(`apache-beam/proto/org/apache/beam/model/${m}`) as Record<string, unknown>;
    for (const v of Object.values(mod)) {
      const t = v as Partial<BeamMessageType> | null;
      if (t && typeof t === "object" && typeof t.typeName === "string" && Array.isArray(t.fields)) {
        out.set(t.typeName, t as BeamMessageType);
      }
    }
  }
  return out;
}

function loadOurRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) =>
    target.startsWith("google/protobuf/") ? target : path.join(protoRoot, target);
  root.loadSync(ourFiles, { keepCase: true });
  root.resolveAll();
  return root;
}

function beamRefName(T: unknown): string {
  const r = typeof T === "function" ? (T as () => unknown)() : T;
  if (Array.isArray(r)) return String(r[0]); // enum: [typeName, enumObject, prefix?]
  return (r as { typeName: string }).typeName;
}

function ourTypeName(t: protobuf.ReflectionObject): string {
  return t.fullName.replace(/^\./, "");
}

describe("our .proto files match Apache Beam's generated descriptors", () => {
  const beam = loadBeamTypes();
  const ours = loadOurRoot();
  const ourTypes: protobuf.Type[] = [];
  const walk = (ns: protobuf.NamespaceBase) => {
    for (const o of ns.nestedArray) {
      if (o instanceof protobuf.Type) ourTypes.push(o);
      if (o instanceof protobuf.Namespace || o instanceof protobuf.Type) walk(o as protobuf.NamespaceBase);
    }
  };
  walk(ours.lookup("org.apache.beam.model") as protobuf.Namespace);

  it("declares the required subset", () => {
    const names = new Set(ourTypes.map(ourTypeName));
    for (const n of [
      "pipeline.v1.Pipeline", "pipeline.v1.Components", "pipeline.v1.PTransform", "pipeline.v1.PCollection",
      "pipeline.v1.Coder", "pipeline.v1.WindowingStrategy", "pipeline.v1.Trigger", "pipeline.v1.Trigger.OrFinally",
      "pipeline.v1.TimestampTransform.AlignTo", "pipeline.v1.Environment", "pipeline.v1.FunctionSpec",
      "pipeline.v1.ParDoPayload", "pipeline.v1.StateSpec", "pipeline.v1.TimerFamilySpec", "pipeline.v1.SideInput",
      "pipeline.v1.CombinePayload", "pipeline.v1.TestStreamPayload.Event", "pipeline.v1.WindowIntoPayload",
      "pipeline.v1.ReadPayload", "pipeline.v1.DisplayData", "pipeline.v1.ArtifactInformation",
      "pipeline.v1.Schema", "pipeline.v1.FieldType", "pipeline.v1.LogicalType", "pipeline.v1.Option",
      "pipeline.v1.FixedWindowsPayload", "pipeline.v1.SlidingWindowsPayload", "pipeline.v1.SessionWindowsPayload",
      "pipeline.v1.MonitoringInfo", "pipeline.v1.ApiServiceDescriptor",
      "fn_execution.v1.InstructionRequest", "fn_execution.v1.InstructionResponse", "fn_execution.v1.RegisterRequest",
      "fn_execution.v1.ProcessBundleDescriptor", "fn_execution.v1.ProcessBundleRequest",
      "fn_execution.v1.ProcessBundleResponse", "fn_execution.v1.ProcessBundleProgressRequest",
      "fn_execution.v1.FinalizeBundleRequest", "fn_execution.v1.Elements.Data", "fn_execution.v1.Elements.Timers",
      "fn_execution.v1.StateRequest", "fn_execution.v1.StateResponse", "fn_execution.v1.StateKey.BagUserState",
      "fn_execution.v1.StateKey.MultimapSideInput", "fn_execution.v1.StateKey.IterableSideInput",
      "fn_execution.v1.StateKey.MultimapKeysUserState", "fn_execution.v1.StateKey.OrderedListUserState",
      "fn_execution.v1.LogEntry", "fn_execution.v1.RemoteGrpcPort",
      "job_management.v1.PrepareJobRequest", "job_management.v1.PrepareJobResponse", "job_management.v1.RunJobRequest",
      "job_management.v1.RunJobResponse", "job_management.v1.GetJobStateRequest", "job_management.v1.JobStateEvent",
      "job_management.v1.CancelJobRequest", "job_management.v1.CancelJobResponse",
      "job_management.v1.GetJobMetricsRequest", "job_management.v1.GetJobMetricsResponse",
      "job_management.v1.JobMessagesRequest", "job_management.v1.JobMessage", "job_management.v1.JobMessagesResponse",
    ]) {
      expect(names.has(`org.apache.beam.model.${n}`), n).toBe(true);
    }
    for (const svc of [
      "fn_execution.v1.BeamFnControl", "fn_execution.v1.BeamFnData", "fn_execution.v1.BeamFnState",
      "fn_execution.v1.BeamFnLogging", "job_management.v1.JobService",
    ]) {
      expect(ours.lookup(`org.apache.beam.model.${svc}`), svc).toBeInstanceOf(protobuf.Service);
    }
  });

  it("every declared message exists in Beam with identical fields", () => {
    let compared = 0;
    const problems: string[] = [];
    for (const t of ourTypes) {
      const name = ourTypeName(t);
      if (NEWER_TYPES.has(name)) continue;
      const b = beam.get(name);
      if (!b) {
        problems.push(`${name}: not a Beam message`);
        continue;
      }
      compared++;
      const beamByNo = new Map(b.fields.map((f) => [f.no, f]));
      for (const f of t.fieldsArray) {
        const where = `${name}.${f.name}`;
        const bf = beamByNo.get(f.id);
        if (!bf) {
          // Tributary's own extension fields live at 50000+, far from Beam's numbers, and are
          // skipped by Beam's decoders as unknown fields.
          if (!NEWER_THAN_BEAM_2_49.has(where) && !(f.id >= 50000 && f.name.startsWith("tributary_")))
            problems.push(`${where} (#${f.id}): not in Beam`);
          continue;
        }
        beamByNo.delete(f.id);
        if (bf.name !== f.name) problems.push(`${where}: Beam calls #${f.id} ${bf.name}`);
        // protobuf-ts names a oneof by its camelCase local name.
        const oneof =
          f.partOf && !f.partOf.name.startsWith("_")
            ? f.partOf.name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())
            : undefined;
        if ((bf.oneof ?? undefined) !== oneof) problems.push(`${where}: oneof ${oneof} vs Beam ${bf.oneof}`);
        if (Boolean(bf.repeat) !== f.repeated) problems.push(`${where}: repeated ${f.repeated} vs Beam`);
        if (f instanceof protobuf.MapField) {
          if (bf.kind !== "map") problems.push(`${where}: map vs Beam ${bf.kind}`);
          else {
            if (bf.K !== SCALAR[f.keyType]) problems.push(`${where}: map key ${f.keyType}`);
            const v = bf.V!;
            if (f.resolvedType) {
              if (beamRefName(v.T) !== ourTypeName(f.resolvedType)) problems.push(`${where}: map value type`);
            } else if (v.T !== SCALAR[f.type]) problems.push(`${where}: map value ${f.type}`);
          }
          continue;
        }
        if (f.resolvedType instanceof protobuf.Type) {
          if (bf.kind !== "message" || beamRefName(bf.T) !== ourTypeName(f.resolvedType))
            problems.push(`${where}: message ${ourTypeName(f.resolvedType)} vs Beam ${bf.kind}`);
        } else if (f.resolvedType instanceof protobuf.Enum) {
          if (bf.kind !== "enum" || beamRefName(bf.T) !== ourTypeName(f.resolvedType))
            problems.push(`${where}: enum ${ourTypeName(f.resolvedType)} vs Beam ${bf.kind}`);
          else {
            const [, beamEnum, prefix] = (bf.T as () => [string, Record<string, number | string>, string?])();
            for (const [k, v] of Object.entries(f.resolvedType.values)) {
              // protobuf-ts may strip a common prefix from enum value names.
              const beamKey = Object.keys(beamEnum).find(
                (x) => x === k || (prefix !== undefined && prefix + x === k),
              );
              if (beamKey === undefined || beamEnum[beamKey] !== v)
                problems.push(`${where}: enum value ${k}=${v} differs in Beam`);
            }
          }
        } else if (bf.kind !== "scalar" || bf.T !== SCALAR[f.type]) {
          problems.push(`${where}: scalar ${f.type} vs Beam ${bf.kind}/${String(bf.T)}`);
        }
      }
      for (const bf of beamByNo.values()) problems.push(`${name}: Beam field #${bf.no} ${bf.name} missing here`);
    }
    expect(problems).toEqual([]);
    expect(compared).toBeGreaterThan(100);
  });
});
