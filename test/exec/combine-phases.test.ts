/** The lifted Combine phases as units alone, on in-memory elements. */
import { describe, expect, it } from 'vitest';
import { CombineGroupedValuesUnit, ExtractOutputsUnit, MergeAccumulatorsUnit, PRECOMBINE_MAX_KEYS, PrecombineUnit } from '../../runners/exec/combine-phases.js';
import { groupingKeyFn } from '../../runners/exec/grouping-key.js';
import type { Receiver } from '../../runners/exec/unit.js';
import { Coders } from '../../sdk/coders/index.js';
import { MetricsContainer } from '../../sdk/metrics/container.js';
import { MeanFn, SumFn } from '../../sdk/transforms/combiners.js';
import { Instant } from '../../sdk/time/instant.js';
import { kv, type KV } from '../../sdk/values/kv.js';
import { NO_FIRING } from '../../sdk/values/pane.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import { IntervalWindow } from '../../sdk/window/bounded-window.js';
import { UserCodeError } from '../../sdk/errors.js';
import { Metrics } from '../../sdk/metrics/metrics.js';

const w1 = new IntervalWindow(0 as Instant, 10 as Instant);
const w2 = new IntervalWindow(10 as Instant, 20 as Instant);
const at = (value: unknown, ts: number, window = w1): WindowedValue<unknown> => ({ value, timestamp: ts as Instant, windows: [window], pane: NO_FIRING });

function sink(): Receiver & { got: WindowedValue<unknown>[] } {
  const got: WindowedValue<unknown>[] = [];
  return { got, receive: (wv) => void got.push(wv) };
}

describe('lifted combine phases', () => {
  it('precombine folds a bundle per key and window and emits at finishBundle, earliest timestamp kept', () => {
    const out = sink();
    const unit = new PrecombineUnit({ name: 'Sum/Precombine', fn: SumFn as never, output: out, metrics: new MetricsContainer('s'), keyOf: groupingKeyFn(Coders.string(), 'in') });
    unit.receive(at(kv('a', 1), 5));
    unit.receive(at(kv('a', 2), 3));
    unit.receive(at(kv('b', 7), 4));
    unit.receive(at(kv('a', 4), 12, w2));
    expect(out.got).toEqual([]);
    expect(unit.bufferedElements()).toBe(3);
    unit.finishBundle();
    const seen = out.got.map((wv) => [(wv.value as KV<string, number>).key, (wv.value as KV<string, number>).value, wv.timestamp, wv.windows[0]!.id]);
    expect(seen).toEqual([
      ['a', 3, 3, '0:10'],
      ['b', 7, 4, '0:10'],
      ['a', 4, 12, '10:20'],
    ]);
    expect(unit.bufferedElements()).toBe(0);
  });

  it('precombine flushes early when the table holds maxKeys keys', () => {
    const out = sink();
    const unit = new PrecombineUnit({ name: 'P', fn: SumFn as never, output: out, metrics: new MetricsContainer('s'), keyOf: groupingKeyFn(Coders.string(), 'in'), maxKeys: 2 });
    unit.receive(at(kv('a', 1), 1));
    expect(out.got.length).toBe(0);
    unit.receive(at(kv('b', 1), 1));
    expect(out.got.length).toBe(2);
  });

  it('by default, a bundle over 10,000 keys (the cluster bench) is sent once per key, not flushed every time all keys were seen', () => {
    const out = sink();
    const unit = new PrecombineUnit({ name: 'P', fn: SumFn as never, output: out, metrics: new MetricsContainer('s'), keyOf: groupingKeyFn(Coders.string(), 'in') });
    for (let i = 0; i < 50_000; i++) unit.receive(at(kv(`user${i % 10_000}`, 1), 1));
    expect(out.got.length).toBe(0);
    unit.finishBundle();
    expect(out.got.length).toBe(10_000);
    expect(out.got.every((wv) => (wv.value as KV<string, number>).value === 5)).toBe(true);
    expect(PRECOMBINE_MAX_KEYS).toBeGreaterThan(10_000);
  });

  it('precombine keeps each window apart when elements alternate windows, also across an early flush', () => {
    const out = sink();
    const unit = new PrecombineUnit({ name: 'P', fn: SumFn as never, output: out, metrics: new MetricsContainer('s'), keyOf: groupingKeyFn(Coders.string(), 'in'), maxKeys: 3 });
    unit.receive(at(kv('a', 1), 1, w1));
    unit.receive(at(kv('a', 2), 11, w2));
    unit.receive(at(kv('a', 4), 2, w1));
    unit.receive(at(kv('b', 8), 3, w1)); // the third partial: flushed early
    expect(out.got.map((wv) => [(wv.value as KV<string, number>).key, (wv.value as KV<string, number>).value, wv.windows[0]!.id])).toEqual([
      ['a', 5, '0:10'],
      ['b', 8, '0:10'],
      ['a', 2, '10:20'],
    ]);
    // Same window as the last element before the flush: it starts a partial of its own.
    unit.receive(at(kv('a', 16), 4, w1));
    unit.finishBundle();
    expect(out.got.slice(3).map((wv) => [(wv.value as KV<string, number>).key, (wv.value as KV<string, number>).value, wv.windows[0]!.id])).toEqual([['a', 16, '0:10']]);
  });

  it("precombine runs the CombineFn in its own transform's metrics container", () => {
    const metrics = new MetricsContainer('Sum/Precombine');
    const fn = { ...SumFn, addInput: (acc: number, v: number) => (Metrics.counter('test', 'added').inc(1), acc + v) };
    const unit = new PrecombineUnit({ name: 'Sum/Precombine', fn: fn as never, output: sink(), metrics, keyOf: groupingKeyFn(Coders.string(), 'in') });
    unit.receive(at(kv('a', 1), 1));
    unit.receive(at(kv('a', 1), 1));
    expect(metrics.counter('test', 'added').value).toBe(2);
  });

  it('merge, then extract, gives the combine of all values', () => {
    const extracted = sink();
    const extract = new ExtractOutputsUnit({ name: 'Mean/Extract', fn: MeanFn as never, output: extracted, metrics: new MetricsContainer('m') });
    const merge = new MergeAccumulatorsUnit({ name: 'Mean/Merge', fn: MeanFn as never, output: extract, metrics: new MetricsContainer('m') });
    merge.receive(at(kv('k', [{ sum: 6, count: 2 }, { sum: 4, count: 2 }]), 9));
    expect(extracted.got.map((wv) => wv.value)).toEqual([kv('k', 2.5)]);
    expect(extracted.got[0]!.timestamp).toBe(9);
  });

  it('combine grouped values folds an iterable of inputs', () => {
    const out = sink();
    const unit = new CombineGroupedValuesUnit({ name: 'C', fn: SumFn as never, output: out, metrics: new MetricsContainer('c') });
    unit.receive(at(kv('k', [1, 2, 3]), 0));
    expect(out.got.map((wv) => wv.value)).toEqual([kv('k', 6)]);
  });

  it('a failing CombineFn is a UserCodeError naming the transform and the phase', () => {
    const fn = { ...SumFn, addInput: () => { throw new Error('boom'); } };
    const unit = new PrecombineUnit({ name: 'Bad/Precombine', fn: fn as never, output: sink(), metrics: new MetricsContainer('b'), keyOf: groupingKeyFn(Coders.string(), 'in') });
    expect(() => unit.receive(at(kv('a', 1), 1))).toThrow(UserCodeError);
    expect(() => unit.receive(at(kv('a', 1), 1))).toThrow(/Bad\/Precombine.*addInput.*boom/);
  });
});
