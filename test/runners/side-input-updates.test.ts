// Side inputs that change while the job runs, on the direct runner: which value each main element
// saw. One TestStream carries both inputs (elements keyed `side` are the side input), so the
// processing order — and hence what each element reads — is the script's.
import { describe, expect, it } from 'vitest';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { AfterCount, DoFn, Filter, GlobalWindows, Instant, ParDo, Pipeline, Repeatedly, Values, View, Window, kv, type KV, type PCollection, type PCollectionView, type ProcessContext } from '../../sdk/index.js';
import { TestStream } from '../../sdk/testing/test-stream.js';

const at = (s: number) => Instant.ofEpochMillis(s * 1000);
const el = (key: string, value: number, s: number) => ({ value: kv(key, value), timestamp: at(s) });

const seen: string[] = [];
class Read<V> extends DoFn<KV<string, number>, never, {}, { side: V }> {
  process(e: KV<string, number>, ctx: ProcessContext<never, {}, { side: V }>): void {
    seen.push(`${e.value}:${JSON.stringify(ctx.sideInput('side'))}`);
  }
}

async function run(stream: TestStream<KV<string, number>>, view: (side: PCollection<number>) => PCollectionView<unknown>): Promise<string[]> {
  seen.length = 0;
  const p = new Pipeline();
  const input = p.apply(stream);
  const side = input.apply('Side', Filter.by((e: KV<string, number>) => e.key === 'side')).apply(Values.create<number>());
  input.apply('Main', Filter.by((e: KV<string, number>) => e.key !== 'side')).apply('Read', ParDo.of(new Read()).withSideInputs({ side: view(side) }));
  await new DirectRunner().run(p).waitUntilFinish();
  return [...seen];
}

const refired = (side: PCollection<number>) => side.apply(Window.into<number>(GlobalWindows.of()).triggering(Repeatedly.forever(AfterCount.of(1))).discardingFiredPanes());

const script = () =>
  TestStream.create<KV<string, number>>()
    .addElements(el('m', 1, 1)) // before any side value: waits
    .addElements(el('side', 10, 2), el('m', 2, 3))
    .addElements(el('m', 3, 4), el('side', 20, 5), el('m', 4, 6))
    .advanceWatermarkTo(at(10))
    .addElements(el('side', 30, 11), el('m', 5, 12))
    .advanceWatermarkToInfinity();

describe('side inputs that change while the job runs (direct runner)', () => {
  it('a re-fired singleton: each element reads the latest value that arrived before it; the first waits for one', async () => {
    expect(await run(script(), (s) => View.asSingleton(refired(s)))).toEqual(['1:10', '2:10', '3:10', '4:20', '5:30']);
  });

  it('a re-fired list: every value received so far', async () => {
    expect(await run(script(), (s) => View.asList(refired(s)))).toEqual(['1:[10]', '2:[10]', '3:[10]', '4:[10,20]', '5:[10,20,30]']);
  });

  it('under the default trigger the global window is ready only at the end: every element reads every value', async () => {
    expect(await run(script(), (s) => View.asList(s))).toEqual(['1:[10,20,30]', '2:[10,20,30]', '3:[10,20,30]', '4:[10,20,30]', '5:[10,20,30]']);
  });
});
