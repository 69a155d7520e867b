// Serialization is deterministic: the same message always encodes to the same bytes,
// whatever the insertion order of its map fields (build.mjs sorts map keys on encode).
import { describe, expect, it } from "vitest";
import { fnExecution, jobManagement, pipeline } from "../../portability-proto/index.js";
import { bytes, parDo, richPipeline } from "./fixtures.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Deep copy with the keys of every plain object in reverse insertion order. */
function reverseKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(reverseKeys) as T;
  if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).reverse()) out[k] = reverseKeys((v as Record<string, unknown>)[k]);
    return out as T;
  }
  return v;
}

describe("deterministic encoding", () => {
  it("encoding the same pipeline twice gives the same bytes", () => {
    const a = pipeline.Pipeline.encode(richPipeline()).finish();
    const b = pipeline.Pipeline.encode(richPipeline()).finish();
    expect(hex(a)).toBe(hex(b));
    expect(a.length).toBeGreaterThan(1000);
  });

  it("map insertion order does not change the bytes", () => {
    const forward = richPipeline();
    const reversed = reverseKeys(forward);
    expect(Object.keys(reversed.components!.transforms!)).not.toEqual(Object.keys(forward.components!.transforms!));
    expect(hex(pipeline.Pipeline.encode(reversed).finish())).toBe(hex(pipeline.Pipeline.encode(forward).finish()));
    expect(hex(pipeline.ParDoPayload.encode(reverseKeys(parDo)).finish())).toBe(hex(pipeline.ParDoPayload.encode(parDo).finish()));
  });

  it("map entries are emitted in sorted key order", () => {
    const t: pipeline.IPTransform = { uniqueName: "x", inputs: { b: "2", a: "1", "10": "ten", "9": "nine" } };
    const buf = Buffer.from(pipeline.PTransform.encode(t).finish());
    // Position of each map entry's key field (tag 0x0a, length, key bytes) on the wire.
    const at = (k: string) => buf.indexOf(Buffer.concat([Buffer.from([0x0a, k.length]), Buffer.from(k)]));
    const positions = ["10", "9", "a", "b"].map(at);
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
  });

  it("decode -> encode reproduces the bytes (canonical form is stable)", () => {
    const first = pipeline.Pipeline.encode(richPipeline()).finish();
    const again = pipeline.Pipeline.encode(pipeline.Pipeline.decode(first)).finish();
    expect(hex(again)).toBe(hex(first));
    const viaObject = pipeline.Pipeline.encode(pipeline.Pipeline.fromObject(pipeline.Pipeline.toObject(pipeline.Pipeline.decode(first)))).finish();
    expect(hex(viaObject)).toBe(hex(first));
  });

  it("Fn and Job API maps are sorted too", () => {
    const pbd = (order: string[]) => {
      const transforms: Record<string, pipeline.IPTransform> = {};
      for (const k of order) transforms[k] = { uniqueName: k };
      return fnExecution.ProcessBundleDescriptor.encode({ id: "s", transforms }).finish();
    };
    expect(hex(pbd(["z", "a", "m"]))).toBe(hex(pbd(["m", "z", "a"])));
    const opts = (order: string[]) => {
      const fields: Record<string, { stringValue: string }> = {};
      for (const k of order) fields[k] = { stringValue: k };
      return jobManagement.PrepareJobRequest.encode({ jobName: "j", pipelineOptions: { fields } }).finish();
    };
    expect(hex(opts(["runner", "mode", "b"]))).toBe(hex(opts(["b", "runner", "mode"])));
    const resp = (order: string[]) => {
      const monitoringData: Record<string, Uint8Array> = {};
      for (const k of order) monitoringData[k] = bytes(k);
      return fnExecution.ProcessBundleResponse.encode({ monitoringData }).finish();
    };
    expect(hex(resp(["2", "1", "x"]))).toBe(hex(resp(["x", "2", "1"])));
  });
});
