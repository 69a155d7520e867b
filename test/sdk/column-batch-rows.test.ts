import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { closureRowMaker, rowMaker, rowOf, rowsOf, type ColumnBatch } from '../../sdk/values/column-batch.js';

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

  /** Names a generated literal must write as they are: quotes, backslashes, line terminators, integer-like, inherited names, empty. */
  const ODD = ['"', "'", '\\', 'a b', 'line\nbreak', 'u\u2028v', '`${x}`', '7', '-1', 'constructor', 'toString', 'hasOwnProperty', '__proto__', '', '🙂', '}; throw 1; ({'];

  it('rows from generated code are the rows a closure makes, for any field names', () => {
    // own fields, `__proto__` too (an assignment would set the prototype)
    const columns: Record<string, ArrayLike<unknown>> = Object.fromEntries(ODD.map((n, j) => [n, [j, `v${j}`]]));
    const batch: ColumnBatch<Record<string, unknown>> = { length: 2, columns };
    const names = Object.keys(columns);
    const byClosure = closureRowMaker(names, names.map((n) => columns[n]!));
    const rows = rowsOf(batch);
    for (let i = 0; i < 2; i++) {
      const row = rows.at(i);
      expect(row).toStrictEqual(byClosure(i));
      expect(Object.keys(row)).toEqual(names);
      expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(row, '__proto__')).toEqual({ value: (columns['__proto__'] as unknown[])[i], writable: true, enumerable: true, configurable: true });
    }
  });

  it('one generated class per column layout: batches of one layout share it, another order is another layout', () => {
    const a = rowsOf({ length: 1, columns: { x: [1], y: [2] } });
    const b = rowsOf({ length: 1, columns: { x: [3], y: [4] } });
    const c = rowsOf({ length: 1, columns: { y: [5], x: [6] } });
    expect(a.constructor).toBe(b.constructor);
    expect(c.constructor).not.toBe(a.constructor);
    expect([a.at(0), b.at(0), c.at(0)]).toStrictEqual([{ x: 1, y: 2 }, { x: 3, y: 4 }, { y: 5, x: 6 }]);
    expect(Object.keys(c.at(0))).toEqual(['y', 'x']);
  });

  it('where code cannot be generated (--disallow-code-generation-from-strings), rows are made the same way by closures', () => {
    const script = `
      import { rowsOf } from ${JSON.stringify(fileURLToPath(new URL('../../sdk/values/column-batch.ts', import.meta.url)))};
      const columns = Object.fromEntries(${JSON.stringify(ODD)}.map((n, j) => [n, [j, 'v' + j]]));
      const rows = rowsOf({ length: 2, columns });
      let generated = true;
      try { new Function('return 1'); } catch { generated = false; }
      const out = [0, 1].map((i) => { const r = rows.at(i); return { keys: Object.keys(r), values: Object.values(r), plain: Object.getPrototypeOf(r) === Object.prototype, expected: Object.keys(columns).map((n) => columns[n][i]) }; });
      console.log(JSON.stringify({ generated, out }));
    `;
    const stdout = execFileSync(process.execPath, ['--disallow-code-generation-from-strings', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    const got = JSON.parse(stdout.trim().split('\n').pop()!) as { generated: boolean; out: { keys: string[]; values: unknown[]; plain: boolean; expected: unknown[] }[] };
    expect(got.generated).toBe(false);
    // fields in the columns' order (integer-like names first, as in any object)
    const order = Object.keys(Object.fromEntries(ODD.map((n) => [n, 0])));
    for (let i = 0; i < 2; i++) {
      expect(got.out[i]!.keys).toEqual(order);
      expect(got.out[i]!.values).toEqual(got.out[i]!.expected);
      expect(got.out[i]!.values).toHaveLength(ODD.length);
      expect(got.out[i]!.plain).toBe(true);
    }
  });
});
