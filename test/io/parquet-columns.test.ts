/**
 * `ParquetReader.columnBatches()`: the rows of `batches()`, a column array per read column —
 * the same values at the same positions, whatever the types, row groups and slices.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ParquetReader, newReadStats, type ParquetReadOptions } from '../../io/parquet/read.js';
import { GroupBytes } from '../../io/parquet/group-bytes.js';
import { nullable, writeParquet, type Compression } from '../../io/parquet/index.js';
import { millisOf } from '../../io/parquet/column-batch.js';
import { rowOf } from '../../sdk/values/column-batch.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const SCHEMA = {
  id: 'int32',
  big: 'int64',
  ts: 'timestamp',
  maybeTs: nullable('timestamp'),
  speed: 'float',
  lat: 'double',
  name: 'string',
  note: nullable('string'),
  ok: 'boolean',
} as const;

async function file(rows: number, rowGroupSize: number, compression?: Compression): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'parquet-columns-'));
  dirs.push(dir);
  const path = join(dir, 'f.parquet');
  const t0 = Date.UTC(2024, 0, 1);
  const data = Array.from({ length: rows }, (_, i) => ({
    id: i,
    big: BigInt(i) * 1_000_000_007n - 5n,
    // before 1970 and far ahead too: the two 32-bit halves of negative and large values
    ts: i % 7 === 3 ? -86_400_123 - i : i % 11 === 5 ? 8_000_000_000_000_000 + i : t0 + i * 1000,
    maybeTs: i % 3 === 0 ? null : t0 - i,
    speed: i / 8,
    lat: 37.5 + i / 1e6,
    name: `n${i % 13}`,
    note: i % 4 === 0 ? null : `note ${i}`,
    ok: i % 2 === 0,
  }));
  await writeParquet(path, data, { schema: SCHEMA, rowGroupSize, compression });
  return path;
}

async function both(path: string, options: ParquetReadOptions = {}) {
  const rows: unknown[] = [];
  for await (const b of (await ParquetReader.open(path, options)).batches()) rows.push(...b.rows);
  const fromColumns: unknown[] = [];
  const firstRows: number[] = [];
  for await (const b of (await ParquetReader.open(path, options)).columnBatches()) {
    firstRows.push(b.firstRow);
    for (let i = 0; i < b.length; i++) fromColumns.push(rowOf({ length: b.length, columns: b.columns }, i));
  }
  return { rows, fromColumns, firstRows };
}

describe('ParquetReader.columnBatches', () => {
  it('gives the rows of batches(), every type, over several row groups', async () => {
    const path = await file(2_500, 1_000);
    const { rows, fromColumns, firstRows } = await both(path);
    expect(rows).toHaveLength(2_500);
    expect(fromColumns).toEqual(rows);
    expect(firstRows).toEqual([0, 1_000, 2_000]);
  });

  it('in slices of a row group, with a projection', async () => {
    const path = await file(1_000, 1_000);
    const { rows, fromColumns, firstRows } = await both(path, { columns: ['ts', 'id', 'note'], limits: { sliceRows: 300 } });
    expect(Object.keys(rows[0] as object)).toEqual(['id', 'ts', 'note']); // file order
    expect(fromColumns).toEqual(rows);
    expect(firstRows).toEqual([0, 300, 600, 900]);
  });

  it('in slices of an uncompressed row group (values decode as views of the fetched bytes)', async () => {
    const path = await file(1_000, 1_000, 'uncompressed');
    for (const columns of [['ts'], ['id', 'ts', 'speed'], undefined]) {
      const { rows, fromColumns } = await both(path, { columns, limits: { sliceRows: 300 } });
      expect(rows).toHaveLength(1_000);
      expect(fromColumns).toEqual(rows);
    }
  });

  it('converts INT64 milliseconds in place the same as into a new array', () => {
    const values = BigInt64Array.from([0n, 1n, -1n, 1_704_067_200_123n, -86_400_123n, 2n ** 53n + 2n, -(2n ** 60n), 2n ** 62n]);
    const expected = Array.from(values, (v) => Number(v));
    expect(Array.from(millisOf(values))).toEqual(expected);
    const inPlace = millisOf(values, true);
    expect(Array.from(inPlace)).toEqual(expected);
    expect(inPlace.buffer).toBe(values.buffer);
  });

  it('tells the fetched buffers (which decoded values must not be written over) from any other', async () => {
    const bytes = new Uint8Array(64).map((_, i) => i);
    const group = new GroupBytes({ byteLength: 64, slice: async (a, b = 64) => bytes.slice(a, b).buffer }, newReadStats(), () => {});
    const fetched = await group.slice(8, 40);
    expect(group.holds(fetched)).toBe(true);
    expect(group.holds(new ArrayBuffer(32))).toBe(false);
    expect(await group.slice(8, 40)).toBe(fetched); // fetched once, shared
    group.release();
    expect(group.holds(fetched)).toBe(false);
  });

  it('hands numeric columns over as typed arrays, millisecond timestamps as numbers', async () => {
    const path = await file(10, 10);
    for await (const b of (await ParquetReader.open(path, { columns: ['id', 'ts', 'speed'] })).columnBatches()) {
      expect(b.columns['id']).toBeInstanceOf(Int32Array);
      expect(b.columns['speed']).toBeInstanceOf(Float32Array);
      expect(b.columns['ts']).toBeInstanceOf(Float64Array);
      expect(b.columns['ts']![0]).toBe(Date.UTC(2024, 0, 1));
    }
  });

  it('refuses a read whose predicates filter rows (that is batches()’ job)', async () => {
    const path = await file(10, 10);
    const reader = await ParquetReader.open(path, { predicates: [{ column: 'id', op: 'gt', value: 3 }] });
    await expect(async () => {
      for await (const _ of reader.columnBatches()) void _;
    }).rejects.toThrow(/columnBatches\(\) does not filter rows/);
  });
});
