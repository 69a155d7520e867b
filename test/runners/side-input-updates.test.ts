// Side inputs that change while the job runs, on the direct runner: which value each main element
// saw. One TestStream carries both inputs (elements keyed `side` are the side input), so the
// processing order — and hence what each element reads — is the script's.
import { describe, expect, it } from 'vitest';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { AfterCount, DoFn, Duration, Filter, FixedWindows, GlobalWindows, Instant, Map, ParDo, PeriodicImpulse, Pipeline, Repeatedly, Values, View, Window, kv, type ImpulseClock, type KV, type PCollection, type PCollectionView, type ProcessContext } from '../../sdk/index.js';
import { PAssert } from '../../sdk/testing/passert.js';
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

describe('PeriodicImpulse', () => {
  it('emits start, start + interval, ... before stop, each timestamped with itself; instants already past at once', async () => {
    const p = new Pipeline();
    const out = p.apply(PeriodicImpulse.create({ start: at(0), stop: at(5), interval: Duration.seconds(1) })).apply(Map.of((t: Instant) => `${t}@${t}`));
    PAssert.that(out).containsInAnyOrder(['0@0', '1000@1000', '2000@2000', '3000@3000', '4000@4000']);
    await new DirectRunner().run(p).waitUntilFinish();
  });

  it('waits in processing time until each instant', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const clock: ImpulseClock = { now: () => now, sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    };
    const p = new Pipeline();
    p.apply(PeriodicImpulse.create({ start: at(0), stop: at(3), interval: Duration.seconds(1), clock }));
    await new DirectRunner().run(p).waitUntilFinish();
    expect(sleeps).toEqual([1000, 1000]);
  });

  it('as a windowed side input: each main element reads the impulse of the side window its window ends in, once that window is complete', async () => {
    seen.length = 0;
    const p = new Pipeline();
    const versions = p
      .apply(PeriodicImpulse.create({ start: at(0), stop: at(10), interval: Duration.seconds(2) }))
      .apply(Map.of((t: Instant) => `v${t / 1000}`))
      .apply('Every2s', Window.into<string>(FixedWindows.of(Duration.seconds(2))));
    p.apply(TestStream.create<KV<string, number>>().addElements(el('m', 1, 1), el('m', 2, 3.5), el('m', 3, 7)).advanceWatermarkToInfinity())
      .apply('Every1s', Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(1))))
      .apply('Read', ParDo.of(new Read<string>()).withSideInputs({ side: View.asSingleton(versions) }));
    await new DirectRunner().run(p).waitUntilFinish();
    expect([...seen].sort()).toEqual(['1:"v0"', '2:"v2"', '3:"v6"']);
  });
});
