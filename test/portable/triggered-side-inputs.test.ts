// What the submission does to side inputs re-fired by a trigger (no engine; Flink runs them in
// test/runners/flink.test.ts and test/e2e/flink-examples.test.ts):
// - a portable runner serves a side input's latest pane, so such a side input is read from an
//   accumulating copy (a Flatten into a PCollection whose strategy accumulates);
// - on Flink, a stateful ParDo with side inputs gets a never-written output read by a GroupByKey,
//   so Flink's job graph reaches its stage (Beam 2.62 never adds it otherwise).
import { describe, expect, it } from 'vitest';
import { pipeline as beam } from '../../portability-proto/index.js';
import { ANCHOR_TAG, anchorKeyedSideInputStages } from '../../runners/flink/keyed-side-input-stages.js';
import { environmentProto } from '../../runners/portable/environments.js';
import { prepareSubmission } from '../../runners/portable/submission.js';
import { buildPipelineFile, loadPipelineFile } from '../../runners/worker/pipeline-file.js';
import { AfterCount, Create, DoFn, GlobalWindows, ParDo, Pipeline, Repeatedly, View, Window, type PCollection } from '../../sdk/index.js';
import { toPortable } from '../../sdk/translate/to-proto.js';
import { URN } from '../../sdk/urns.js';

const submitted = (proto: beam.IPipeline) => prepareSubmission(proto, 'portable', environmentProto({ kind: 'loopback', url: 'localhost:1' }, [])).pipeline;
const example = async (name: string) => (await buildPipelineFile(await loadPipelineFile(`examples/${name}.ts`), {})).portable.proto;
const byName = (p: beam.IPipeline, name: string) => Object.entries(p.components!.transforms!).find(([, t]) => t.uniqueName === name)!;

class Noop extends DoFn<number, never, {}, Record<string, unknown>> {
  process(): void {}
}

describe('a triggered side input is read from accumulating panes', () => {
  it('dynamic-rules: the rules side input comes from a Flatten into an accumulating copy with the same trigger; the original is untouched', async () => {
    const proto = await example('dynamic-rules');
    const [, apply] = byName(proto, 'Rules/Apply');
    const original = apply.inputs!['side:rules']!;
    const p = submitted(proto);
    const c = p.components!;
    const [, after] = byName(p, 'Rules/Apply');
    const copy = after.inputs!['side:rules']!;
    expect(copy).not.toBe(original);
    const flatten = Object.values(c.transforms!).find((t) => Object.values(t.outputs ?? {}).includes(copy))!;
    expect(flatten.spec!.urn).toBe(URN.FLATTEN);
    expect(Object.values(flatten.inputs!)).toEqual([original]);
    const ws = (pc: string) => c.windowingStrategies![c.pcollections![pc]!.windowingStrategyId!]!;
    expect(ws(copy).accumulationMode).toBe(beam.AccumulationMode.Enum.ACCUMULATING);
    expect(ws(original).accumulationMode).toBe(beam.AccumulationMode.Enum.DISCARDING);
    expect(ws(copy).trigger).toEqual(ws(original).trigger);
    expect(c.pcollections![copy]!.coderId).toBe(c.pcollections![original]!.coderId);
    // The map view is read whole, in arrival order (multimap access gives the runner's key order).
    expect(beam.ParDoPayload.decode(after.spec!.payload!).sideInputs['side:rules']!.accessPattern!.urn).toBe(URN.SIDE_INPUT_ITERABLE);
    expect(beam.ParDoPayload.decode(apply.spec!.payload!).sideInputs['side:rules']!.accessPattern!.urn).toBe(URN.SIDE_INPUT_MULTIMAP);
  });

  it('one copy for every reader of the PCollection; a side input under the default trigger is read as it is', () => {
    const p = new Pipeline();
    const refired = p.apply('Side', Create.of([1])).apply(Window.into<number>(GlobalWindows.of()).triggering(Repeatedly.forever(AfterCount.of(1))).discardingFiredPanes());
    const plain = p.apply('Plain', Create.of([2])) as PCollection<number>;
    const main = p.apply('Main', Create.of([0]));
    main.apply('A', ParDo.of(new Noop()).withSideInputs({ s: View.asList(refired), t: View.asList(plain) }));
    main.apply('B', ParDo.of(new Noop()).withSideInputs({ s: View.asList(refired) }));
    const proto = toPortable(p).proto;
    const after = submitted(proto);
    const [, a] = byName(after, 'A');
    const [, b] = byName(after, 'B');
    expect(a.inputs!['side:s']).toBe(b.inputs!['side:s']);
    expect(a.inputs!['side:s']).not.toBe(byName(proto, 'A')[1].inputs!['side:s']);
    expect(a.inputs!['side:t']).toBe(byName(proto, 'A')[1].inputs!['side:t']);
    expect(Object.values(after.components!.transforms!).filter((t) => t.spec?.urn === URN.FLATTEN)).toHaveLength(1);
  });
});

describe('flink: a stateful ParDo with side inputs is reached through an extra output', () => {
  it('dynamic-rules: Rules/Apply (stateful, side input) gets the output, read by a GroupByKey; stateless readers do not', async () => {
    const p = submitted(await example('dynamic-rules'));
    expect(anchorKeyedSideInputStages(p).map((id) => p.components!.transforms![id]!.uniqueName)).toEqual(['Rules/Apply']);
    const c = p.components!;
    const [, apply] = byName(p, 'Rules/Apply');
    const unwritten = apply.outputs![ANCHOR_TAG]!;
    const gbk = Object.values(c.transforms!).find((t) => Object.values(t.inputs ?? {}).includes(unwritten))!;
    expect(gbk.spec!.urn).toBe(URN.GROUP_BY_KEY);
    expect(c.coders![c.pcollections![unwritten]!.coderId!]!.spec!.urn).toBe('beam:coder:kv:v1');
    // identity-graph reads its specs in a stateless ParDo: Flink adds that stage itself.
    const ig = submitted(await example('identity-graph'));
    expect(anchorKeyedSideInputStages(ig)).toEqual([]);
  });
});
