/** The replay in the portable proto: a splittable ParDo (restriction coder, requirement) that survives the round trip. */
import { describe, expect, it } from 'vitest';
import { pipeline as beam } from '../../portability-proto/index.js';
import { KappaReplay } from '../../io/kappa/index.js';
import { Coders, Count, Impulse, OffsetRangeTracker, ParDo, Pipeline, SplittableDoFn, URN, encodePipeline, pipelineFromProto, toPortable, type OffsetRange } from '../../sdk/index.js';

/** A read whose restriction coder is registered nowhere else in the pipeline. */
class OddCoderRead extends SplittableDoFn<Uint8Array, number, OffsetRange, number> {
  initialRestriction(): OffsetRange {
    return { from: 0, to: 1 };
  }
  restrictionCoder() {
    return Coders.kv(Coders.varint(), Coders.double()) as never;
  }
  newTracker(r: OffsetRange) {
    return new OffsetRangeTracker(r);
  }
  async process(): Promise<void> {}
}

function replayPipeline(): Pipeline {
  const p = new Pipeline();
  const { a, b } = p.apply(KappaReplay.group({ a: { table: '/wh/a', timestampColumn: 'ts' }, b: { table: '/wh/b', timestampColumn: 'ts', layout: 'daily' } }));
  a.apply('CountA', Count.globally());
  b.apply('CountB', Count.globally());
  p.apply('Impulse2', Impulse.create()).apply('Odd', ParDo.of(new OddCoderRead()));
  return p;
}

describe('Kappa+ replay in the portable proto', () => {
  it('is a ParDo marked splittable by its restriction coder, and the pipeline requires splittable DoFns', () => {
    const { proto } = toPortable(replayPipeline());
    const replay = Object.values(proto.components!.transforms!).find((t) => t.uniqueName === 'KappaReplayGroup/Replay')!;
    expect(replay.spec!.urn).toBe(URN.PAR_DO);
    const payload = beam.ParDoPayload.decode(replay.spec!.payload!);
    expect(proto.components!.coders![payload.restrictionCoderId]).toBeDefined();
    expect(Object.keys(replay.outputs!).sort()).toEqual(['a', 'b', 'out']);
    expect(proto.requirements).toContain(URN.REQUIREMENT_SPLITTABLE_DOFN);
  });

  it('build → toProto → fromProto → toProto is byte-identical', () => {
    const first = toPortable(replayPipeline());
    const bytes = encodePipeline(first.proto);
    const rebuilt = pipelineFromProto(beam.Pipeline.decode(bytes), first.userFns);
    const again = toPortable(rebuilt.pipeline, rebuilt.userFns);
    expect(Buffer.from(encodePipeline(again.proto)).equals(Buffer.from(bytes))).toBe(true);
  });
});
