import { describe, expect, it } from 'vitest';
import { Metrics, UserCodeError } from '../../sdk/index.js';
import { MetricsContainer } from '../../sdk/metrics/container.js';
import { withMetricsContainer } from '../../sdk/metrics/metrics.js';
import { addsRows, type RowCombineFn } from '../../sdk/transforms/combine-fn.js';
import { CountFn, maxFn, minFn, SumFn, toListFn } from '../../sdk/transforms/combiners.js';
import { guardedCombineFn } from '../../runners/exec/user-combine-fn.js';

const calls = Metrics.counter('fn', 'calls');

const counted: RowCombineFn<number, number, number> = {
  createAccumulator: () => (calls.inc(), 0),
  addInput: (acc, v) => (calls.inc(), acc + v),
  addRow: (acc, columns, row) => (calls.inc(), acc + (columns as unknown as number[])[row]!),
  mergeAccumulators: (accs) => (calls.inc(), [...accs].reduce((a, b) => a + b, 0)),
  extractOutput: (acc) => {
    calls.inc();
    if (acc < 0) throw new Error('negative total');
    return acc;
  },
};

describe('guardedCombineFn', () => {
  it("counts every call's metrics under the Combine's container, and puts back the caller's", () => {
    const combine = new MetricsContainer('Combine');
    const caller = new MetricsContainer('Caller');
    const fn = guardedCombineFn(counted, 'Combine', combine) as RowCombineFn<number, number, number>;
    const total = withMetricsContainer(caller, () => {
      const acc = fn.addRow(fn.addInput(fn.createAccumulator(), 2), [5] as never, 0);
      const out = fn.extractOutput(fn.mergeAccumulators([acc, 1]));
      calls.inc(); // the caller's own update, after the CombineFn's calls returned
      return out;
    });
    expect(total).toBe(8);
    expect(combine.counter('fn', 'calls').value).toBe(5);
    expect(caller.counter('fn', 'calls').value).toBe(1);
  });

  it('names the Combine and the call when the CombineFn throws', () => {
    const fn = guardedCombineFn(counted, 'Totals', new MetricsContainer('Totals'));
    let error: unknown;
    try {
      fn.extractOutput(-1);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserCodeError);
    expect((error as Error).message).toBe('transform "Totals" failed in extractOutput: negative total');
  });

  it('keeps addRow only where the CombineFn has it', () => {
    expect(addsRows(guardedCombineFn(counted, 'C', new MetricsContainer('C')) as never)).toBe(true);
    const { addRow: _, ...plain } = counted;
    expect(addsRows(guardedCombineFn(plain, 'C', new MetricsContainer('C')) as never)).toBe(false);
  });

  it("calls the SDK's own CombineFns that run no user code bare, and guards those given user code", () => {
    const m = new MetricsContainer('C');
    for (const fn of [SumFn, CountFn, toListFn(), minFn(), maxFn()]) expect(guardedCombineFn(fn as never, 'C', m)).toBe(fn);
    const byLength = minFn((a: string, b: string) => a.length - b.length);
    expect(guardedCombineFn(byLength, 'C', m)).not.toBe(byLength);
  });
});
