import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { pipeline as beam } from '../../portability-proto/index.js';
import {
  CoGroupByKey,
  Count,
  Create,
  DoFn,
  Filter,
  FlatMap,
  Flatten,
  GroupByKey,
  Instant,
  KeyedPCollectionTuple,
  Map,
  ParDo,
  Partition,
  PCollectionList,
  Pipeline,
  Reshuffle,
  Sum,
  Top,
  URN,
  View,
  encodePipeline,
  kv,
  pipelineFromProto,
  toPortable,
  type KV,
  type ProcessContext,
} from '../../sdk/index.js';
import { KNOWN_TRANSFORM_URNS } from '../../sdk/urns.js';

class JoinFn extends DoFn<string, string, { rejects: string }, { lookup: ReadonlyMap<string, number> }> {
  process(w: string, ctx: ProcessContext<string, { rejects: string }, { lookup: ReadonlyMap<string, number> }>): void {
    if (ctx.sideInput('lookup').has(w)) ctx.output(w);
    else ctx.outputTo('rejects', w);
  }
}

/** A pipeline touching every transform the SDK has. */
function richPipeline(): Pipeline {
  const p = new Pipeline();
  const lines = p.apply('Lines', Create.of(['a b', 'c a']));
  const words = lines.apply('Split', FlatMap.of((l: string) => l.split(' ')));
  const counts = words.apply('Count', Count.perElement<string>());
  const lookup = p.apply('Lookup', Create.of([kv('a', 1)]));
  const joined = words.apply('Join', ParDo.of(new JoinFn()).withSideInputs({ lookup: View.asMap(lookup) }).withOutputTags('rejects'));
  const all = PCollectionList.of([joined.main, joined.rejects]).apply('Both', Flatten.pCollections<string>());
  const [short] = all.apply('Parts', Partition.of<string>(2, (w) => (w.length > 1 ? 1 : 0)));
  short!.apply('Shuffle', Reshuffle.viaRandomKey<string>()).apply('Keep', Filter.by((w: string) => w !== 'z'));
  const sums = counts.apply('Sum', Sum.perKey<string>());
  KeyedPCollectionTuple.of({ counts, sums }).apply('Join2', CoGroupByKey.create());
  counts.apply('Values', Map.of((e: KV<string, number>) => e.value)).apply('Top', Top.largest<number>(3));
  counts.apply('Group', GroupByKey.create<string, number>());
  return p;
}

describe('portable proto translation', () => {
  it('build → toProto → fromProto → toProto is byte-identical', () => {
    const first = toPortable(richPipeline());
    const bytes = encodePipeline(first.proto);
    const rebuilt = pipelineFromProto(beam.Pipeline.decode(bytes), first.userFns);
    const again = toPortable(rebuilt.pipeline, rebuilt.userFns);
    expect(Buffer.from(encodePipeline(again.proto)).equals(Buffer.from(bytes))).toBe(true);
    expect([...again.userFns.keys()].sort()).toEqual([...first.userFns.keys()].sort());
  });

  it('a Reshuffle: input and output share one coder, key/value when the output is grouped (Flink batch passes the bytes through)', () => {
    const p = new Pipeline();
    const events = p.apply('Events', Create.timestamped([{ value: kv('a', 1), timestamp: Instant.ofEpochMillis(1) }, { value: kv('b', 2), timestamp: Instant.ofEpochMillis(2) }]));
    events.apply('Shuffle', Reshuffle.viaRandomKey<KV<string, number>>()).apply('Group', GroupByKey.create<string, number>());
    const proto = toPortable(p).proto;
    const c = proto.components!;
    const shuffle = Object.values(c.transforms!).find((t) => t.uniqueName === 'Shuffle')!;
    const coderIn = c.pcollections![Object.values(shuffle.inputs!)[0]!]!.coderId!;
    const coderOut = c.pcollections![Object.values(shuffle.outputs!)[0]!]!.coderId!;
    expect(coderOut).toBe(coderIn);
    expect(c.coders![coderIn]!.spec!.urn).toBe('beam:coder:kv:v1');
  });

  it('building the same program twice gives the same bytes (construction is deterministic)', () => {
    expect(Buffer.from(encodePipeline(toPortable(richPipeline()).proto)).equals(Buffer.from(encodePipeline(toPortable(richPipeline()).proto)))).toBe(true);
  });

  it('every transform URN is a standard Beam URN or a documented tributary: one', () => {
    const { proto } = toPortable(richPipeline());
    const urns = Object.values(proto.components!.transforms!).map((t) => t.spec?.urn).filter((u): u is string => !!u);
    expect(urns.length).toBeGreaterThan(10);
    for (const urn of urns) expect(KNOWN_TRANSFORM_URNS.has(urn), urn).toBe(true);
    expect(new Set(urns)).toEqual(
      new Set([URN.IMPULSE, URN.PAR_DO, URN.GROUP_BY_KEY, URN.FLATTEN, URN.COMBINE_PER_KEY, URN.COMBINE_GLOBALLY, URN.RESHUFFLE]),
    );
    for (const coder of Object.values(proto.components!.coders!)) expect(coder.spec!.urn).toMatch(/^(beam:coder:|tributary:coder:)/);
  });

  it("Beam's own generated classes (npm apache-beam) decode the pipeline without error", () => {
    const require = createRequire(import.meta.url);
    const { Pipeline: BeamPipeline } = require('apache-beam/proto/org/apache/beam/model/pipeline/v1/beam_runner_api') as {
      Pipeline: { fromBinary(b: Uint8Array): { rootTransformIds: string[]; components?: { transforms: Record<string, { uniqueName: string; spec?: { urn: string } }> } } };
    };
    const { proto } = toPortable(richPipeline());
    const decoded = BeamPipeline.fromBinary(encodePipeline(proto));
    expect(decoded.rootTransformIds).toEqual(proto.rootTransformIds);
    expect(decoded.components!.transforms['Count/Count']!.spec!.urn).toBe(URN.COMBINE_PER_KEY);
    expect(Object.keys(decoded.components!.transforms).sort()).toEqual(Object.keys(proto.components!.transforms!).sort());
  });

  it('a ParDo payload names the DoFn by id and its side inputs by access pattern', () => {
    const { proto, userFns } = toPortable(richPipeline());
    const join = proto.components!.transforms!['Join']!;
    const payload = beam.ParDoPayload.decode(join.spec!.payload!);
    expect(payload.doFn!.urn).toBe(URN.DOFN);
    expect(JSON.parse(Buffer.from(payload.doFn!.payload!).toString())).toMatchObject({ id: 'Join#dofn', class: 'JoinFn', outputTags: ['rejects'] });
    expect(userFns.get('Join#dofn')).toBeInstanceOf(JoinFn);
    expect(payload.sideInputs['side:lookup']!.accessPattern!.urn).toBe(URN.SIDE_INPUT_MULTIMAP);
    expect(join.environmentId).toBe('tributary');
    expect(Object.keys(join.outputs!).sort()).toEqual(['out', 'rejects']);
  });

  it('fromProto fails clearly when the program lacks a user function', () => {
    const { proto } = toPortable(richPipeline());
    const rebuilt = pipelineFromProto(proto, new globalThis.Map());
    expect(() => toPortable(rebuilt.pipeline, rebuilt.userFns)).toThrow(/this program has no user function "[^"]+#dofn": the pipeline was built by a different program/);
  });
});
