import { describe, expect, it } from "vitest";
import { pipeline, jobManagement } from "../../portability-proto/index.js";

describe("portability-proto facade", () => {
  it("encodes and decodes a pipeline", () => {
    const p: pipeline.IPipeline = { rootTransformIds: ["t1"], components: { transforms: { t1: { uniqueName: "Read" } } } };
    const back = pipeline.Pipeline.decode(pipeline.Pipeline.encode(p).finish());
    expect(back.components?.transforms?.["t1"]?.uniqueName).toBe("Read");
    expect(jobManagement.JobState.Enum.RUNNING).toBe(2);
  });
});
