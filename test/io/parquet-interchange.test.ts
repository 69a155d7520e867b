/**
 * Our Parquet meets another implementation (parquetjs-lite, a separate code base from the
 * hyparquet libraries we write and read with): files we write, with every field type, nulls and
 * each codec both sides have, read back by parquetjs-lite with the same values and row-group
 * statistics it agrees with; and files parquetjs-lite writes (data pages v1 and v2, optional
 * fields, statistics) read by us, with row groups skipped by those statistics.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gt, lt, newReadStats, nullable, readParquetRows, writeParquet, type Compression, type RowSchema } from '../../io/parquet/index.js';

// parquetjs-lite ships no types; what the test uses of it is typed here.
interface LiteReader {
  getCursor(): { next(): Promise<Record<string, unknown> | null> };
  getSchema(): { fields: Record<string, { primitiveType?: string; originalType?: string; repetitionType?: string }> };
  metadata: {
    row_groups: Array<{
      num_rows: number | { toNumber(): number };
      columns: Array<{ meta_data: { path_in_schema: string[]; codec: number; statistics?: { min_value?: unknown; max_value?: unknown; null_count?: unknown } } }>;
    }>;
  };
  close(): Promise<void>;
}
interface LiteWriter {
  appendRow(row: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}
interface LiteFooter {
  version: number;
  schema: Array<{ name: string; converted_type?: number | null }>;
  row_groups: Array<{ columns: Array<{ meta_data: { path_in_schema: string[]; statistics?: unknown } }> }>;
}
interface ParquetjsLite {
  ParquetSchema: new (fields: Record<string, { type: string; optional?: boolean; compression?: string }>) => unknown;
  ParquetReader: { openFile(path: string, opts?: { metadata?: unknown }): Promise<LiteReader> };
  ParquetEnvelopeReader: { openFile(path: string): Promise<{ readHeader(): Promise<void>; readFooter(): Promise<LiteFooter>; close(): Promise<void> }> };
  ParquetWriter: { openFile(schema: unknown, path: string, opts?: Record<string, unknown>): Promise<LiteWriter> };
}
const lite = createRequire(import.meta.url)('parquetjs-lite') as ParquetjsLite;

const dir = mkdtempSync(join(tmpdir(), 'parquet-interchange-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** parquet.thrift ConvertedType.TIMESTAMP_MILLIS. */
const TIMESTAMP_MILLIS = 9;

/**
 * Two things of parquetjs-lite's own are stepped around, and nothing else:
 * - it refuses a footer whose format version is not 1; hyparquet-writer writes 2 (its data pages
 *   are v2, which parquetjs-lite itself writes and reads);
 * - it cannot turn a TIMESTAMP_MILLIS value into a Date (`new Date(+v)` on the BigInt its INT64
 *   decoder gives: it fails on a file it wrote itself), so those columns are handed over as the
 *   plain INT64 they are stored as (without their statistics), and `timestampColumns` says which
 *   ones the footer declared TIMESTAMP_MILLIS.
 * The footer is read with parquetjs-lite's envelope reader and handed to its reader; schema,
 * pages, codecs and statistics are parquetjs-lite's decoding.
 */
let timestampColumns = new Set<string>();

async function openLite(path: string): Promise<LiteReader> {
  const envelope = await lite.ParquetEnvelopeReader.openFile(path);
  let footer: LiteFooter;
  try {
    await envelope.readHeader();
    footer = await envelope.readFooter();
  } finally {
    await envelope.close();
  }
  expect(footer.version).toBe(2);
  timestampColumns = new Set(footer.schema.filter((e) => e.converted_type === TIMESTAMP_MILLIS).map((e) => e.name));
  for (const e of footer.schema) if (e.converted_type === TIMESTAMP_MILLIS) e.converted_type = null;
  for (const rg of footer.row_groups) for (const c of rg.columns) if (timestampColumns.has(c.meta_data.path_in_schema.join('.'))) delete c.meta_data.statistics;
  return lite.ParquetReader.openFile(path, { metadata: { ...footer, version: 1 } });
}

async function liteRows(path: string): Promise<Record<string, unknown>[]> {
  const reader = await openLite(path);
  try {
    const cursor = reader.getCursor();
    const out: Record<string, unknown>[] = [];
    for (let r = await cursor.next(); r; r = await cursor.next()) out.push(r);
    return out;
  } finally {
    await reader.close();
  }
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : typeof v === 'object' && v !== null && 'toNumber' in v ? (v as { toNumber(): number }).toNumber() : Number(v));

const SCHEMA = {
  i32: 'int32',
  i64: 'int64',
  f32: 'float',
  f64: 'double',
  flag: 'boolean',
  name: 'string',
  blob: 'bytes',
  ts: 'timestamp',
  maybe_i32: nullable('int32'),
  maybe_name: nullable('string'),
  maybe_ts: nullable('timestamp'),
} satisfies RowSchema;

function row(i: number) {
  return {
    i32: i * 3 - 50,
    i64: BigInt(i) * 1_000_000_007n,
    f32: i + 0.25,
    f64: i / 8,
    flag: i % 3 === 0,
    name: `név-${String(i).padStart(3, '0')}`,
    blob: new Uint8Array([i & 255, 7]),
    ts: 1_704_067_200_000 + i * 60_000,
    maybe_i32: i % 4 === 1 ? null : i,
    maybe_name: i % 5 === 2 ? null : `n${i}`,
    maybe_ts: i % 2 === 0 ? null : 1_704_067_200_000 + i,
  };
}

/** Parquet's codec enum (parquet.thrift CompressionCodec). */
const CODEC_ID: Record<Compression, number> = { uncompressed: 0, snappy: 1, gzip: 2, brotli: 4 };

describe('files we write, read by parquetjs-lite', () => {
  const rows = Array.from({ length: 30 }, (_, i) => row(i));

  it('parquetjs-lite, opened plainly, refuses our footer for its format version (2) alone', async () => {
    const path = join(dir, 'ours-version.parquet');
    await writeParquet(path, rows.slice(0, 3), { schema: SCHEMA });
    await expect(lite.ParquetReader.openFile(path)).rejects.toBe('invalid parquet version');
  });

  // brotli: parquetjs-lite's "lite" build has no brotli decoder (it says "Not Supported in Lite version").
  for (const compression of ['uncompressed', 'snappy', 'gzip'] as const) {
    it(`${compression}: the same values, nulls included, and the declared types`, async () => {
      const path = join(dir, `ours-${compression}.parquet`);
      await writeParquet(path, rows, { schema: SCHEMA, compression, rowGroupSize: 10 });
      const back = await liteRows(path);
      expect(back).toHaveLength(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const a = rows[i]!;
        const b = back[i]!;
        expect(b['i32']).toBe(a.i32);
        expect(BigInt(num(b['i64']))).toBe(a.i64);
        expect(b['f32']).toBe(a.f32);
        expect(b['f64']).toBe(a.f64);
        expect(b['flag']).toBe(a.flag);
        expect(b['name']).toBe(a.name);
        expect(new Uint8Array(b['blob'] as Buffer)).toEqual(a.blob);
        expect(num(b['ts'])).toBe(a.ts);
        // parquetjs-lite leaves a null optional field out of the record.
        expect(b['maybe_i32'] ?? null).toBe(a.maybe_i32);
        expect(b['maybe_name'] ?? null).toBe(a.maybe_name);
        expect(b['maybe_ts'] === undefined ? null : num(b['maybe_ts'])).toBe(a.maybe_ts);
      }
      const reader = await openLite(path);
      try {
        const f = reader.getSchema().fields;
        expect([f['i32']!.primitiveType, f['i64']!.primitiveType, f['f32']!.primitiveType, f['f64']!.primitiveType, f['flag']!.primitiveType]).toEqual(['INT32', 'INT64', 'FLOAT', 'DOUBLE', 'BOOLEAN']);
        expect([f['name']!.originalType, f['blob']!.primitiveType, f['ts']!.primitiveType]).toEqual(['UTF8', 'BYTE_ARRAY', 'INT64']);
        expect([...timestampColumns].sort()).toEqual(['maybe_ts', 'ts']);
        expect([f['i32']!.repetitionType, f['maybe_i32']!.repetitionType]).toEqual(['REQUIRED', 'OPTIONAL']);
        expect(reader.metadata.row_groups).toHaveLength(3);
        for (const rg of reader.metadata.row_groups) for (const c of rg.columns) expect(c.meta_data.codec).toBe(CODEC_ID[compression]);
      } finally {
        await reader.close();
      }
    });
  }

  it('row-group statistics that parquetjs-lite decodes to each group’s min, max and null count', async () => {
    const path = join(dir, 'ours-stats.parquet');
    await writeParquet(path, rows, { schema: SCHEMA, compression: 'snappy', rowGroupSize: 10 });
    const reader = await openLite(path);
    try {
      reader.metadata.row_groups.forEach((rg, g) => {
        const group = rows.slice(g * 10, g * 10 + 10);
        const stat = (name: string) => rg.columns.find((c) => c.meta_data.path_in_schema.join('.') === name)!.meta_data.statistics!;
        const i32 = stat('i32');
        expect([num(i32.min_value), num(i32.max_value)]).toEqual([Math.min(...group.map((r) => r.i32)), Math.max(...group.map((r) => r.i32))]);
        const maybe = stat('maybe_i32');
        const present = group.map((r) => r.maybe_i32).filter((v): v is number => v !== null);
        expect([num(maybe.min_value), num(maybe.max_value), num(maybe.null_count)]).toEqual([Math.min(...present), Math.max(...present), group.length - present.length]);
        const name = stat('name');
        expect([String(name.min_value), String(name.max_value)]).toEqual([group[0]!.name, group[group.length - 1]!.name]);
      });
    } finally {
      await reader.close();
    }
  });
});

describe('files parquetjs-lite writes, read by us', () => {
  const liteSchema = (compression: string) =>
    new lite.ParquetSchema({
      id: { type: 'INT32', compression },
      big: { type: 'INT64', compression },
      ratio: { type: 'FLOAT', compression },
      score: { type: 'DOUBLE', compression },
      ok: { type: 'BOOLEAN', compression },
      label: { type: 'UTF8', compression },
      raw: { type: 'BYTE_ARRAY', compression },
      at: { type: 'TIMESTAMP_MILLIS', compression },
      note: { type: 'UTF8', optional: true, compression },
      maybe: { type: 'INT32', optional: true, compression },
    });
  const source = (i: number) => ({
    id: i,
    big: i * 1_000_003,
    ratio: i / 4,
    score: i * 1.5 - 10,
    ok: i % 2 === 0,
    label: `label-${i}`,
    raw: Buffer.from([i & 255, 1, 2]),
    at: new Date(1_704_067_200_000 + i * 1000),
    ...(i % 3 === 0 ? {} : { note: `note ${i} ✓` }),
    ...(i % 4 === 0 ? {} : { maybe: -i }),
  });
  const N = 40;

  for (const [compression, pageV2] of [
    ['UNCOMPRESSED', true],
    ['SNAPPY', true],
    ['GZIP', true],
    ['SNAPPY', false],
  ] as const) {
    it(`${compression}, data pages ${pageV2 ? 'v2' : 'v1'}: every value, nulls for absent optional fields`, async () => {
      const path = join(dir, `lite-${compression}-${pageV2 ? 'v2' : 'v1'}.parquet`);
      const writer = await lite.ParquetWriter.openFile(liteSchema(compression), path, { rowGroupSize: 10, pageIndex: false, useDataPageV2: pageV2 });
      for (let i = 0; i < N; i++) await writer.appendRow(source(i));
      await writer.close();

      const back = (await collect(readParquetRows(path))).sort((a, b) => (a['id'] as number) - (b['id'] as number));
      expect(back).toHaveLength(N);
      back.forEach((r, i) => {
        const s = source(i);
        expect(r['id']).toBe(i);
        expect(Number(r['big'])).toBe(s.big);
        expect(r['ratio']).toBe(s.ratio);
        expect(r['score']).toBe(s.score);
        expect(r['ok']).toBe(s.ok);
        expect(r['label']).toBe(s.label);
        expect(new Uint8Array(r['raw'] as Uint8Array)).toEqual(new Uint8Array(s.raw));
        // A timestamp reads as epoch milliseconds (as our own files do).
        expect(r['at'] instanceof Date ? (r['at'] as Date).getTime() : Number(r['at'])).toBe(s.at.getTime());
        expect(r['note'] ?? null).toBe(s.note ?? null);
        expect(r['maybe'] ?? null).toBe(s.maybe ?? null);
      });
    });
  }

  it('skips row groups by the statistics parquetjs-lite wrote', async () => {
    const path = join(dir, 'lite-stats.parquet');
    const writer = await lite.ParquetWriter.openFile(liteSchema('SNAPPY'), path, { rowGroupSize: 10, pageIndex: false });
    for (let i = 0; i < N; i++) await writer.appendRow(source(i));
    await writer.close();
    const stats = newReadStats();
    const rows = await collect(readParquetRows(path, { predicates: [gt('id', 24), lt('id', 28)], stats }));
    expect(rows.map((r) => r['id'])).toEqual([25, 26, 27]);
    // Four groups of ten ids; only [20, 30) can hold 24 < id < 28.
    expect(stats.rowGroupsRead).toBe(1);
    expect(stats.rowGroupsSkipped).toBe(3);
  });
});
