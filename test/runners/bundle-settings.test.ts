/** The direct runner's bundle settings do what they say (so the suites run under them test something). */
import { describe, expect, it } from 'vitest';
import { BundleOrder, cutBundles } from '../../runners/direct/bundle-settings.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { Coders, DoFn, GroupByKey, Metrics, ParDo, Pipeline, kv, type KV, type ProcessContext } from '../../sdk/index.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { Instant } from '../../sdk/time/instant.js';

/** Counts bundles seen by a ParDo (finishBundle calls) and records the order of its elements. */
class Observe extends DoFn<KV<string, number>, never> {
  static order: number[] = [];
  process(e: KV<string, number>, _ctx: ProcessContext<never>): void {
    Observe.order.push(e.value);
  }
  override finishBundle(): void {
    Metrics.counter('test', 'bundles').inc();
  }
}

async function run(options: ConstructorParameters<typeof DirectRunner>[0]) {
  Observe.order = [];
  const p = new Pipeline();
  const values = Array.from({ length: 10 }, (_, i) => i);
  p.apply(TestStream.create<KV<string, number>>(Coders.kv(Coders.string(), Coders.varint())).addElements(...values.map((v) => ({ value: kv('k', v), timestamp: Instant.ofEpochMillis(v) }))).advanceWatermarkToInfinity())
    .apply(ParDo.of(new Observe()));
  const result = new DirectRunner(options).run(p);
  await result.waitUntilFinish();
  return { bundles: result.metrics().counter('bundles', { namespace: 'test' }), order: [...Observe.order] };
}

describe('direct runner bundle settings', () => {
  it('bundleSize cuts a root bundle of 10 into bundles of at most that many', async () => {
    expect((await run({})).bundles).toBe(1);
    expect((await run({ bundleSize: 1 })).bundles).toBe(10);
    expect((await run({ bundleSize: 3 })).bundles).toBe(4);
  });

  it('orderSeed shuffles a bundle, the same way for the same seed', async () => {
    const plain = await run({});
    expect(plain.order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const a = await run({ orderSeed: 1 });
    const b = await run({ orderSeed: 1 });
    const c = await run({ orderSeed: 2 });
    expect(a.order).toEqual(b.order);
    expect(a.order).not.toEqual(plain.order);
    expect(a.order).not.toEqual(c.order);
    expect([...a.order].sort((x, y) => x - y)).toEqual(plain.order);
  });

  it('re-cuts and re-orders what reaches a grouping, without changing what it computes', async () => {
    for (const options of [{}, { bundleSize: 1, orderSeed: 3 }]) {
      const p = new Pipeline();
      const out: string[] = [];
      p.apply(TestStream.create<KV<string, number>>(Coders.kv(Coders.string(), Coders.varint())).addElements(...[1, 2, 3, 4].map((v) => ({ value: kv(v % 2 ? 'odd' : 'even', v), timestamp: Instant.ofEpochMillis(v) }))).advanceWatermarkToInfinity())
        .apply(GroupByKey.create<string, number>())
        .apply(ParDo.of(new (class extends DoFn<KV<string, Iterable<number>>, never> {
          process(e: KV<string, Iterable<number>>): void {
            out.push(`${e.key}=${[...e.value].sort().join(',')}`);
          }
        })()));
      await new DirectRunner(options).run(p).waitUntilFinish();
      expect(out.sort()).toEqual(['even=2,4', 'odd=1,3']);
    }
  });

  it('cuts and shuffles deterministically', () => {
    expect(cutBundles([1, 2, 3, 4, 5], { bundleSize: 2 }, undefined)).toEqual([[1, 2], [3, 4], [5]]);
    const once = cutBundles([1, 2, 3, 4, 5], { bundleSize: 5 }, new BundleOrder(9));
    expect(cutBundles([1, 2, 3, 4, 5], { bundleSize: 5 }, new BundleOrder(9))).toEqual(once);
  });

  it('refuses a bundle size that is not a whole number ≥ 1, naming it', () => {
    expect(() => new DirectRunner({ bundleSize: 0 })).toThrow(/bundleSize must be a whole number ≥ 1, got 0/);
    expect(() => new DirectRunner({ orderSeed: 1.5 })).toThrow(/orderSeed must be a whole number, got 1.5/);
  });
});
