/**
 * The HyperLogLog sketch behind ApproximateCountDistinct: its error stays within the documented
 * bound (about 1.04/√2^p) from one value to a million, duplicates do not count, merging equals
 * sketching the union, value types hash apart, and the transform agrees with the exact count.
 */
import { describe, expect, it } from 'vitest';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { ApproximateCountDistinct, Count, Create, Distinct, Map, Pipeline, Window, FixedWindows, kv, type KV, type Instant, Duration } from '../../sdk/index.js';
import { addToSketch, createSketch, estimate, mergeInto } from '../../sdk/sketch/hyperloglog.js';
import { PAssert } from '../../sdk/testing/passert.js';

const sketchOf = (values: Iterable<string | number | bigint>, precision = 12) => {
  const s = createSketch(precision);
  for (const v of values) addToSketch(s, v);
  return s;
};
const range = function* (n: number, prefix = 'user-') {
  for (let i = 0; i < n; i++) yield `${prefix}${i}`;
};
const relativeError = (est: number, n: number) => Math.abs(est - n) / n;

describe('HyperLogLog', () => {
  it('counts nothing as 0 and a handful of values exactly', () => {
    expect(estimate(createSketch())).toBe(0);
    for (const n of [1, 2, 5, 10, 50]) expect(estimate(sketchOf(range(n)))).toBe(n);
  });

  it('stays within three standard errors (3 × 1.04/√4096 = 4.9%) from 100 to a million distinct values', () => {
    for (const n of [100, 1_000, 10_000, 100_000, 1_000_000]) {
      const err = relativeError(estimate(sketchOf(range(n))), n);
      expect(err, `n = ${n}`).toBeLessThan(0.049);
    }
  });

  it('has the documented standard error: the root mean square error over 60 sketches is near 1.04/√m', () => {
    for (const precision of [8, 12]) {
      let squares = 0;
      const trials = 60;
      for (let t = 0; t < trials; t++) squares += relativeError(estimate(sketchOf(range(20_000, `t${t}-`), precision)), 20_000) ** 2;
      const rmse = Math.sqrt(squares / trials);
      const documented = 1.04 / Math.sqrt(2 ** precision);
      expect(rmse, `precision ${precision}`).toBeGreaterThan(documented * 0.6);
      expect(rmse, `precision ${precision}`).toBeLessThan(documented * 1.4);
    }
  });

  it('ignores duplicates and merges exactly: merged sketches equal the sketch of the union', () => {
    const once = sketchOf(range(5000));
    const thrice = sketchOf([...range(5000), ...range(5000), ...range(5000)]);
    expect(thrice).toEqual(once);
    const a = sketchOf(range(3000));
    const b = sketchOf([...range(5000)].slice(2000));
    expect(mergeInto(a, b)).toEqual(once);
    expect(() => mergeInto(createSketch(10), createSketch(12))).toThrow('different precisions');
  });

  it('hashes each type by its canonical form: 1, "1" and 1n are three values; -0 and 0 are one', () => {
    expect(estimate(sketchOf([1, '1', 1n]))).toBe(3);
    expect(estimate(sketchOf([0, -0, 1.0, 1]))).toBe(2);
    const bytes = createSketch();
    addToSketch(bytes, new Uint8Array([1, 2, 3]));
    addToSketch(bytes, new Uint8Array([1, 2, 3]));
    addToSketch(bytes, new Uint8Array([1, 2, 4]));
    expect(estimate(bytes)).toBe(2);
  });

  it('refuses a precision outside 4..18, saying what it means', () => {
    for (const p of [3, 19, 12.5]) expect(() => createSketch(p)).toThrow('a HyperLogLog precision is a whole number from 4 to 18');
    expect(() => ApproximateCountDistinct.globally({ precision: 2 })).toThrow(RangeError);
  });
});

describe('ApproximateCountDistinct on the direct runner', () => {
  it('per key and window, against the exact count of distinct values', async () => {
    const p = new Pipeline();
    // 2 keys × 2 one-minute windows; key b sees each user twice
    const events: KV<string, string>[] = [];
    const stamps: Instant[] = [];
    for (const [key, users, minute] of [['a', 3000, 0], ['a', 40, 1], ['b', 2000, 0], ['b', 7000, 1]] as const) {
      for (let i = 0; i < users; i++) {
        for (const _ of key === 'b' ? [0, 1] : [0]) {
          events.push(kv(key, `u${i}`));
          stamps.push((minute * 60_000 + (i % 60_000)) as Instant);
        }
      }
    }
    const windowed = p
      .apply(Create.timestamped(events.map((e, i) => ({ value: e, timestamp: stamps[i]! }))))
      .apply(Window.into<KV<string, string>>(FixedWindows.of(Duration.minutes(1))));
    const approx = windowed.apply(ApproximateCountDistinct.perKey<string, string>({ precision: 14 }));
    const exact = windowed.apply(Distinct.create<KV<string, string>>()).apply(Map.of((e: KV<string, string>) => e.key)).apply(Count.perElement<string>());
    PAssert.that(exact).containsInAnyOrder([kv('a', 3000), kv('a', 40), kv('b', 2000), kv('b', 7000)]);
    PAssert.that(approx).satisfies((got) => {
      const sorted = got.map((e) => [e.key, e.value] as const).sort((x, y) => x[0].localeCompare(y[0]) || x[1] - y[1]);
      const expected = [['a', 40], ['a', 3000], ['b', 2000], ['b', 7000]] as const;
      // precision 14: 3 × 0.81% ≈ 2.4%
      sorted.forEach(([k, v], i) => {
        if (k !== expected[i]![0] || Math.abs(v - expected[i]![1]) / expected[i]![1] > 0.024) throw new Error(`got ${JSON.stringify(sorted)}, expected about ${JSON.stringify(expected)}`);
      });
    });
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    expect(result.state).toBe('DONE');
  });

  it('accepts only values it can hash', () => {
    // @ts-expect-error records must be mapped to a string, number, bigint or bytes first
    ApproximateCountDistinct.globally<{ user: string }>();
    expect(true).toBe(true);
  });
});
