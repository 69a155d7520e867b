import { describe, expect, it } from 'vitest';
import { rowMaker, rowOf, type ColumnBatch } from '../../sdk/values/column-batch.js';

/** A batch of `n` columns (`c0`, `c1`, ...: a typed, a plain and a string column in turn) of 3 rows. */
function batchOf(n: number): ColumnBatch<Record<string, unknown>> {
  const columns: Record<string, ArrayLike<unknown>> = {};
  for (let c = 0; c < n; c++) {
    columns[`c${c}`] = c % 3 === 0 ? Int32Array.of(c, c + 1, c + 2) : c % 3 === 1 ? [c * 0.5, null, undefined] : ['a', `b${c}`, ''];
  }
  return { length: 3, columns };
}

describe('rows of a column batch', () => {
  it('rowMaker makes the row of each index, fields in column order, for every column count', () => {
    for (let n = 0; n <= 11; n++) {
      const batch = batchOf(n);
      const make = rowMaker(batch);
      for (let i = 0; i < batch.length; i++) {
        const expected: Record<string, unknown> = {};
        for (let c = 0; c < n; c++) expected[`c${c}`] = (batch.columns[`c${c}`] as ArrayLike<unknown>)[i];
        const row = make(i) as Record<string, unknown>;
        expect(row).toStrictEqual(expected);
        expect(Object.keys(row)).toEqual(Object.keys(expected));
        expect(rowOf(batch, i)).toStrictEqual(expected);
      }
    }
  });

  it('each row is a new object: changing one changes no other row and no column', () => {
    const batch = batchOf(4);
    const make = rowMaker(batch);
    const a = make(1) as Record<string, unknown>;
    a.c0 = 99;
    expect((make(1) as Record<string, unknown>).c0).toBe(1);
    expect((batch.columns.c0 as Int32Array)[1]).toBe(1);
  });

  it('a column named like an integer or __proto__ is an own field of the row, as in the batch', () => {
    const batch: ColumnBatch<Record<string, unknown>> = { length: 1, columns: { b: [1], '7': [2], ['__proto__']: [3] } as Record<string, ArrayLike<unknown>> };
    const row = rowMaker(batch)(0) as Record<string, unknown>;
    expect(Object.keys(row)).toEqual(Object.keys(batch.columns));
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
  });
});
