/**
 * A side input re-fired by a trigger, read by the harness over the state plane: the runner serves
 * every element so far (the submission reads such a side input from accumulating panes,
 * runners/portable/triggered-side-inputs.ts), and the view is the direct runner's — a singleton is
 * the latest element, a map each key's latest value — where it was an error ("a singleton view,
 * but the PCollection has 2 elements"; "key ... appears more than once"). On the Fn API wire with a
 * test runner.
 */
import { describe, expect, it } from 'vitest';
import { AfterCount, Coders, Create, DoFn, GlobalWindows, ParDo, Pipeline, Repeatedly, View, Window, kv, type KV, type PCollection, type ProcessContext } from '../../sdk/index.js';
import { ByteWriter } from '../../sdk/coders/index.js';
import { pipeline as beam } from '../../portability-proto/index.js';
import { decodeAll, encodeAll, inGlobalWindow, stageOnTheWire } from './fn-api-runner.js';

class ReadBoth extends DoFn<string, string, {}, { latest: number; rates: ReadonlyMap<string, number> }> {
  process(e: string, ctx: ProcessContext<string, {}, { latest: number; rates: ReadonlyMap<string, number> }>): void {
    ctx.output(`${e}:${ctx.sideInput('latest')}:${[...ctx.sideInput('rates')].map(([k, v]) => `${k}=${v}`).join(',')}`);
  }
}

const refired = <T>(pc: PCollection<T>) => pc.apply(Window.into<T>(GlobalWindows.of()).triggering(Repeatedly.forever(AfterCount.of(1))).discardingFiredPanes());

function nested<T>(coder: { encode(v: T, out: ByteWriter, nested: boolean): void }, v: T): Uint8Array {
  const out = new ByteWriter();
  coder.encode(v, out, true);
  return out.finish();
}

describe('the harness reads a re-fired side input as the direct runner does', () => {
  const wire = stageOnTheWire(
    () => {
      const p = new Pipeline();
      const latest = refired(p.apply('Versions', Create.of([1])).withCoder(Coders.varint()) as PCollection<number>);
      const rates = refired(p.apply('Rates', Create.of([kv('eur', 1)])).withCoder(Coders.kv(Coders.string(), Coders.varint())) as PCollection<KV<string, number>>);
      p.apply('Main', Create.of(['m'])).apply('Read', ParDo.of(new ReadBoth()).withSideInputs({ latest: View.asSingleton(latest), rates: View.asMap(rates) }));
      return p;
    },
    'Read',
    'read',
  );
  const { runner } = wire;

  it('a singleton is the latest element, a map holds each key its latest value', async () => {
    const stage = wire.stage;
    const id = stage.id('Read');
    const t = beam.PTransform.fromObject(stage.descriptor.transforms![id]!);
    const coderOf = (local: string) => stage.coder(stage.descriptor.pcollections![t.inputs[local]!]!.coderId!);
    // Every pane so far, in arrival order: versions 1, 2, 3; eur at 1 then 3, usd at 2.
    runner.sideInputs.set(`${id}/side:latest/`, encodeAll(coderOf('side:latest'), [1, 2, 3]));
    const [keyCoder, valueCoder] = coderOf('side:rates').components as [never, never];
    runner.multimapSideInputs.set(
      `${id}/side:rates/`,
      [kv('eur', 1), kv('usd', 2), kv('eur', 3)].map((e) => ({ key: nested(keyCoder, e.key), value: nested(valueCoder, e.value) })),
    );
    const input = stage.pcOf('Main');
    const out = await runner.bundle('read', { data: { [stage.source(input)]: encodeAll(stage.wire(input), [inGlobalWindow('m', 0)]) } });
    expect(out.response.error).toBe('');
    expect(decodeAll(stage.wire(stage.pcOf('Read')), out.data.get(stage.sink(stage.pcOf('Read')))).map((wv) => wv.value)).toEqual(['m:3:eur=3,usd=2']);
  });
});
