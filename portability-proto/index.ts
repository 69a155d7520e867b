/**
 * Tributary's portable model: the protobuf messages of Apache Beam's portability
 * protos, generated with protobufjs from our own `.proto` files in ./proto
 * (wire-compatible with Beam; see docs/proto.md).
 *
 * Exports (each is a namespace: use it both as a value and as a type):
 *
 *   pipeline        = org.apache.beam.model.pipeline.v1        (Pipeline, Components, PTransform,
 *                     PCollection, Coder, WindowingStrategy, Trigger, ParDoPayload, Schema, FieldType,
 *                     FixedWindowsPayload, ApiServiceDescriptor, MonitoringInfo, ...)
 *   fnExecution     = org.apache.beam.model.fn_execution.v1    (InstructionRequest, ProcessBundleDescriptor,
 *                     Elements, StateRequest, LogEntry, ... and the BeamFn* service stubs)
 *   jobManagement   = org.apache.beam.model.job_management.v1  (PrepareJobRequest, JobStateEvent, JobState,
 *                     JobService, ...)
 *   protobuf        = google.protobuf                           (Timestamp, Duration, Struct, Value, ...)
 *   org             the full generated root, for fully-qualified access
 *   Long            the 64-bit integer class protobufjs uses for int64 fields
 *
 * Usage:
 *
 *   import { pipeline } from "../portability-proto/index.js";
 *   const p: pipeline.IPipeline = { rootTransformIds: ["t1"], components: { transforms: { t1: { uniqueName: "Read" } } } };
 *   const bytes: Uint8Array = pipeline.Pipeline.encode(p).finish();   // deterministic: map keys sorted
 *   const back: pipeline.Pipeline = pipeline.Pipeline.decode(bytes);
 *
 * Notes:
 *  - Field names are camelCase (`rootTransformIds`), as protobufjs generates them.
 *  - int64 fields accept `number | Long` on encode and decode to `Long` (use `Long.fromString`
 *    for values beyond 2^53 such as Beam's min/max timestamps; `.toNumber()` to read).
 *  - Decoding drops unknown fields (protobufjs's default). Tributary declares no fields of its own:
 *    its extensions travel in standard slots (URNs, payloads, display data), so Beam's own
 *    decoders read every pipeline Tributary writes (see docs/proto.md).
 *  - The generated code lives in ./generated (git-ignored) and is rebuilt by
 *    `node portability-proto/build.mjs` (run automatically by npm install / npm test).
 */
import Long from "long";
import { org, google } from "./generated/beam.js";

export { org, google, Long };

export import pipeline = org.apache.beam.model.pipeline.v1;
export import fnExecution = org.apache.beam.model.fn_execution.v1;
export import jobManagement = org.apache.beam.model.job_management.v1;
export import protobuf = google.protobuf;
