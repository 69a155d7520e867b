import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ParquetFileError,
  PredicateTypeError,
  canSkip,
  ge,
  ParquetReader,
  ParquetRowError,
  ParquetWriter,
  between,
  eq,
  gt,
  isIn,
  le,
  lt,
  newReadStats,
  nullable,
  readParquet,
  readParquetRows,
  writeParquet,
  type Row,
  type RowSchema,
} from '../../io/parquet/index.js';
import { LocalStorage, MemoryStorage, S3Storage } from '../../io/storage/index.js';
import { startS3Server, type S3TestServer } from '../servers/s3/server.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const AllTypes = {
  i32: 'int32',
  i64: 'int64',
  f32: 'float',
  f64: 'double',
  flag: 'boolean',
  name: 'string',
  blob: 'bytes',
  ts: 'timestamp',
  maybe_i32: nullable('int32'),
  maybe_i64: nullable('int64'),
  maybe_f64: nullable('double'),
  maybe_flag: nullable('boolean'),
  maybe_name: nullable('string'),
  maybe_blob: nullable('bytes'),
  maybe_ts: nullable('timestamp'),
} satisfies RowSchema;

function allTypesRow(i: number) {
  const odd = i % 2 === 1;
  return {
    i32: i === 0 ? -2147483648 : i === 1 ? 2147483647 : i * 7 - 100,
    i64: i === 0 ? -(2n ** 63n) : i === 1 ? 2n ** 63n - 1n : BigInt(i) * 10_000_000_000n,
    f32: i + 0.5,
    f64: i === 2 ? Number.MAX_VALUE : i / 3,
    flag: odd,
    name: i === 3 ? '' : `näme-${i}-✓`,
    blob: new Uint8Array([i, 255, 0, i % 7]),
    ts: 1704067200000 + i * 1234,
    maybe_i32: odd ? null : i,
    maybe_i64: odd ? null : BigInt(i),
    maybe_f64: odd ? null : i * 1.5,
    maybe_flag: odd ? null : i % 4 === 0,
    maybe_name: odd ? null : `n${i}`,
    maybe_blob: odd ? null : new Uint8Array([i]),
    maybe_ts: odd ? null : 1704067200000 - i,
  };
}

describe('parquet round trips', () => {
  it('round-trips every declared type, nullable or not, across row groups', async () => {
    const storage = new MemoryStorage();
    const rows = Array.from({ length: 25 }, (_, i) => allTypesRow(i));
    const res = await writeParquet('mem://t/all.parquet', rows, { schema: AllTypes, storage, rowGroupSize: 10 });
    expect(res).toMatchObject({ rows: 25, rowGroups: 3, badRows: 0 });
    const back = await collect(readParquetRows('mem://t/all.parquet', { storage }));
    expect(back.map((r) => ({ ...r, f32: Math.fround(r.f32 as number) }))).toEqual(rows.map((r) => ({ ...r, f32: Math.fround(r.f32) })));
    // 32-bit floats come back exactly as their float32 value
    expect(back[0]!.f32).toBe(0.5);
  });

  it('accepts Date for timestamps and numbers for int64 when writing', async () => {
    const storage = new MemoryStorage();
    await writeParquet('mem://t/d.parquet', [{ ts: new Date(1000), n: 5 }], { schema: { ts: 'timestamp', n: 'int64' }, storage });
    expect(await collect(readParquetRows('mem://t/d.parquet', { storage }))).toEqual([{ ts: 1000, n: 5n }]);
  });

  it('writes compressed files that read back (snappy, gzip, brotli, uncompressed)', async () => {
    const storage = new MemoryStorage();
    for (const compression of ['snappy', 'gzip', 'brotli', 'uncompressed'] as const) {
      const rows = Array.from({ length: 1000 }, (_, i) => ({ k: `key-${i % 10}`, v: i }));
      await writeParquet(`mem://t/${compression}.parquet`, rows, { schema: { k: 'string', v: 'int32' }, storage, compression });
      expect(await collect(readParquetRows(`mem://t/${compression}.parquet`, { storage }))).toEqual(rows);
    }
  });

  it('writes a zero-row file that reads as empty', async () => {
    const storage = new MemoryStorage();
    await writeParquet('mem://t/empty.parquet', [], { schema: { a: 'int32' }, storage });
    const reader = await ParquetReader.open('mem://t/empty.parquet', { storage });
    expect(reader.numRows).toBe(0);
    expect(await collect(reader.rows())).toEqual([]);
  });

  it('projects columns', async () => {
    const storage = new MemoryStorage();
    await writeParquet('mem://t/p.parquet', [allTypesRow(4)], { schema: AllTypes, storage });
    expect(await collect(readParquetRows('mem://t/p.parquet', { storage, columns: ['name', 'ts'] }))).toEqual([{ name: 'näme-4-✓', ts: 1704067200000 + 4 * 1234 }]);
  });
});

describe('parquet writer', () => {
  it('makes the file visible only when closed', async () => {
    const storage = new MemoryStorage();
    const w = ParquetWriter.open('mem://t/atomic.parquet', { schema: { a: 'int32' }, storage, rowGroupSize: 2 });
    for (let i = 0; i < 5; i++) await w.write({ a: i });
    expect(await storage.exists('mem://t/atomic.parquet')).toBe(false);
    await w.close();
    expect(await collect(readParquetRows('mem://t/atomic.parquet', { storage }))).toHaveLength(5);
  });

  it('leaves nothing behind when aborted', async () => {
    const storage = new MemoryStorage();
    const w = ParquetWriter.open('mem://t/aborted.parquet', { schema: { a: 'int32' }, storage, rowGroupSize: 2 });
    for (let i = 0; i < 5; i++) await w.write({ a: i });
    w.abort();
    await expect(w.close()).rejects.toThrow();
    expect(await storage.exists('mem://t/aborted.parquet')).toBe(false);
  });

  it('rejects a row that does not fit the schema, naming the file and column', async () => {
    const storage = new MemoryStorage();
    await expect(writeParquet('mem://t/bad.parquet', [{ a: 1, s: 'x' }, { a: 'two', s: 'y' }], { schema: { a: 'int32', s: 'string' }, storage })).rejects.toThrow(
      new ParquetRowError({ path: 'mem://t/bad.parquet', column: 'a', row: {}, detail: 'column "a" expects a 32-bit integer, got string two' }).message,
    );
    await expect(writeParquet('mem://t/bad.parquet', [{ a: null }], { schema: { a: 'int32' }, storage })).rejects.toThrow(
      'Parquet file mem://t/bad.parquet: row does not match the schema: column "a" expects a value (the column is required), got null',
    );
    expect(await storage.exists('mem://t/bad.parquet')).toBe(false);
  });

  it('routes bad rows to a dead-letter callback and counts them', async () => {
    const storage = new MemoryStorage();
    const dead: ParquetRowError[] = [];
    const res = await writeParquet('mem://t/dl.parquet', [{ a: 1 }, { a: 1.5 }, { a: 3 }, { b: 1 }], {
      schema: { a: 'int32' },
      storage,
      onBadRow: (e) => dead.push(e),
    });
    expect(res.rows).toBe(2);
    expect(res.badRows).toBe(2);
    expect(dead.map((e) => [e.column, e.row])).toEqual([['a', { a: 1.5 }], ['a', { b: 1 }]]);
    expect(await collect(readParquetRows('mem://t/dl.parquet', { storage }))).toEqual([{ a: 1 }, { a: 3 }]);
  });
});

describe('row-group skipping and predicates', () => {
  const storage = new MemoryStorage();
  const T0 = Date.UTC(2024, 0, 1);
  // 10 row groups of 100 rows; row group g holds ts in [T0 + g h, T0 + (g+1) h), id = row index, kind = g % 3
  const rows = Array.from({ length: 1000 }, (_, i) => ({ id: i, ts: T0 + Math.floor(i / 100) * 3_600_000 + (i % 100) * 1000, kind: `k${Math.floor(i / 100) % 3}` }));
  beforeAll(async () => {
    await writeParquet('mem://t/skip.parquet', rows, { schema: { id: 'int32', ts: 'timestamp', kind: 'string' }, storage, rowGroupSize: 100 });
  });

  it('skips row groups outside a time range and counts them', async () => {
    const stats = newReadStats();
    const got = await collect(readParquetRows('mem://t/skip.parquet', { storage, stats, timeRange: { column: 'ts', start: T0 + 2 * 3_600_000 + 50_000, end: T0 + 4 * 3_600_000 } }));
    expect(got.map((r) => r.id)).toEqual(rows.slice(250, 400).map((r) => r.id));
    expect(stats.rowGroupsSkipped).toBe(8);
    expect(stats.rowGroupsRead).toBe(2);
    expect(stats.rowsFiltered).toBe(50);
  });

  it.each([
    ['eq', [eq('id', 555)], 9, [555]],
    ['lt', [lt('id', 150)], 8, rows.slice(0, 150).map((r) => r.id)],
    ['le', [le('id', 99)], 9, rows.slice(0, 100).map((r) => r.id)],
    ['gt', [gt('id', 899)], 9, rows.slice(900).map((r) => r.id)],
    ['in', [isIn('id', [5, 905, 2000])], 8, [5, 905]],
    ['between', [between('id', 420, 510)], 8, rows.slice(420, 511).map((r) => r.id)],
    ['string eq', [eq('kind', 'k9')], 10, []],
    ['and', [gt('id', 150), lt('id', 160)], 9, rows.slice(151, 160).map((r) => r.id)],
  ] as const)('%s', async (_name, predicates, skipped, ids) => {
    const stats = newReadStats();
    const got = await collect(readParquetRows('mem://t/skip.parquet', { storage, stats, predicates: [...predicates], columns: ['ts'] }));
    expect(stats.rowGroupsSkipped).toBe(skipped);
    expect(got).toEqual(ids.map((id) => ({ ts: rows[id]!.ts })));
  });

  it('can skip whole row groups only, leaving row filtering to the caller', async () => {
    const stats = newReadStats();
    const got = await collect(readParquetRows('mem://t/skip.parquet', { storage, stats, predicates: [eq('id', 555)], filterRows: false }));
    expect(got).toHaveLength(100);
    expect(stats.rowGroupsSkipped).toBe(9);
  });
});

describe('memory is bounded by row groups, not file size', () => {
  it('holds at most readAhead + 1 row groups of bytes and one row group of rows at a time', async () => {
    const storage = new MemoryStorage();
    const rowGroupSize = 2000;
    const groups = 40;
    const rows = Array.from({ length: rowGroupSize * groups }, (_, i) => ({ id: i, payload: `row ${i} ${'x'.repeat(i % 50)}`, v: Math.sin(i) }));
    await writeParquet('mem://t/big.parquet', rows, { schema: { id: 'int32', payload: 'string', v: 'double' }, storage, rowGroupSize });
    const fileSize = (await storage.stat('mem://t/big.parquet')).size;
    const reader = await ParquetReader.open('mem://t/big.parquet', { storage, readAhead: 1 });
    const largestGroup = Math.max(...reader.metadata.row_groups.map((rg) => Number(rg.total_compressed_size ?? 0n) || rg.columns.reduce((n, c) => n + Number(c.meta_data!.total_compressed_size), 0)));
    let count = 0;
    let maxBatch = 0;
    for await (const batch of reader.batches()) {
      count += batch.rows.length;
      maxBatch = Math.max(maxBatch, batch.rows.length);
    }
    expect(count).toBe(rows.length);
    expect(maxBatch).toBe(rowGroupSize);
    expect(reader.stats.peakBytesHeld).toBeGreaterThan(0);
    expect(reader.stats.peakBytesHeld).toBeLessThanOrEqual(2 * largestGroup + 64 * 1024);
    expect(reader.stats.peakBytesHeld).toBeLessThan(fileSize / 10);
    expect(reader.stats.bytesHeld).toBe(0);
  });
});

describe('bad input', () => {
  const storage = new MemoryStorage();
  let good: Uint8Array;
  beforeAll(async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({ id: i, name: `name-${i}` }));
    await writeParquet('mem://bad/good.parquet', rows, { schema: { id: 'int32', name: 'string' }, storage, rowGroupSize: 1000, compression: 'uncompressed' });
    good = await storage.read('mem://bad/good.parquet');
  });

  async function failure(path: string, options: Parameters<typeof readParquet>[1] = {}): Promise<ParquetFileError> {
    const err = await collect(readParquet(path, { storage, ...options })).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ParquetFileError);
    return err as ParquetFileError;
  }

  it('empty file', async () => {
    await storage.write('mem://bad/empty.parquet', new Uint8Array(0));
    expect((await failure('mem://bad/empty.parquet')).message).toBe('Parquet file mem://bad/empty.parquet: truncated: the file is empty (0 bytes)');
  });

  it('truncated file', async () => {
    await storage.write('mem://bad/cut.parquet', good.subarray(0, good.byteLength - 100));
    const err = await failure('mem://bad/cut.parquet');
    expect(err.problem).toBe('truncated');
    expect(err.message).toBe(`Parquet file mem://bad/cut.parquet: truncated: no PAR1 magic at the end: the file (${good.byteLength - 100} bytes) was cut short or is still being written`);
  });

  it('not a Parquet file', async () => {
    await storage.write('mem://bad/text.parquet', new TextEncoder().encode('id,name\n1,a\n2,b\n3,c\n'));
    expect((await failure('mem://bad/text.parquet')).message).toBe('Parquet file mem://bad/text.parquet: corrupt: not a Parquet file (no PAR1 magic at the start)');
  });

  it('corrupt footer', async () => {
    const bytes = good.slice();
    const footerLength = new DataView(bytes.buffer).getUint32(bytes.byteLength - 8, true);
    bytes.fill(0xff, bytes.byteLength - 8 - footerLength, bytes.byteLength - 8 - footerLength + 40);
    await storage.write('mem://bad/footer.parquet', bytes);
    const err = await failure('mem://bad/footer.parquet');
    expect(err.problem).toBe('corrupt');
    expect(err.message).toMatch(/^Parquet file mem:\/\/bad\/footer\.parquet: corrupt: cannot decode the footer \(.+\)$/);
  });

  it('corrupt column data in one row group, after earlier row groups were emitted', async () => {
    const reader = await ParquetReader.open('mem://bad/good.parquet', { storage });
    const chunk = reader.metadata.row_groups[1]!.columns[1]!.meta_data!;
    const bytes = good.slice();
    bytes.fill(0xff, Number(chunk.data_page_offset), Number(chunk.data_page_offset) + 64);
    await storage.write('mem://bad/page.parquet', bytes);
    const seen: number[] = [];
    const err = await collect(
      (async function* () {
        for await (const b of readParquet('mem://bad/page.parquet', { storage, readAhead: 0 })) {
          seen.push(b.rowGroup);
          yield b;
        }
      })(),
    ).then(() => undefined, (e: unknown) => e as ParquetFileError);
    expect(seen).toEqual([0]);
    expect(err).toBeInstanceOf(ParquetFileError);
    expect(err!.problem).toBe('corrupt');
    expect(err!.rowGroup).toBe(1);
    // found by the page-header check before decoding, or by the decoder
    expect(err!.message).toMatch(/^Parquet file mem:\/\/bad\/page\.parquet \(row group 1\): corrupt: (cannot decode column data \(.+\)|column "name" page 0: .+)$/);
  });

  it('schema that differs from the expected one', async () => {
    const err = await failure('mem://bad/good.parquet', { expectedSchema: { id: 'int64', name: 'string', ts: 'timestamp' } });
    expect(err.message).toBe(
      'Parquet file mem://bad/good.parquet: schema-mismatch: column "id" is int32 in the file but int64 is expected; column "ts" is missing (expected timestamp)',
    );
    await writeParquet('mem://bad/nullable.parquet', [{ id: 1 }], { schema: { id: nullable('int32') }, storage });
    expect((await failure('mem://bad/nullable.parquet', { expectedSchema: { id: 'int32' } })).message).toBe(
      'Parquet file mem://bad/nullable.parquet: schema-mismatch: column "id" is nullable in the file but required in the expected schema',
    );
    expect((await failure('mem://bad/good.parquet', { columns: ['id', 'speed'] })).message).toBe('Parquet file mem://bad/good.parquet: schema-mismatch: column "speed" is missing');
  });

  it('unreadable object', async () => {
    expect((await failure('mem://bad/absent.parquet')).message).toBe(
      'Parquet file mem://bad/absent.parquet: unreadable: stat mem://bad/absent.parquet: no such object. Check that the path is spelled correctly and that the object was written',
    );
  });

  it('routes bad files to a dead-letter callback, counted, while good files are read', async () => {
    const stats = newReadStats();
    const dead: ParquetFileError[] = [];
    let rows = 0;
    for (const path of ['mem://bad/good.parquet', 'mem://bad/cut.parquet', 'mem://bad/text.parquet', 'mem://bad/absent.parquet', 'mem://bad/good.parquet']) {
      for await (const batch of readParquet(path, { storage, stats, onBadFile: (e) => dead.push(e) })) rows += batch.rows.length;
    }
    expect(rows).toBe(6000);
    expect(stats.badFiles).toBe(3);
    expect(dead.map((e) => [e.path, e.problem])).toEqual([
      ['mem://bad/cut.parquet', 'truncated'],
      ['mem://bad/text.parquet', 'corrupt'],
      ['mem://bad/absent.parquet', 'unreadable'],
    ]);
  });
});

describe('ranged reads on S3', () => {
  let server: S3TestServer;
  beforeAll(async () => {
    server = await startS3Server({ buckets: ['pq'] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('fetches only the footer and the projected column chunks of matching row groups', async () => {
    const s3 = new S3Storage(server.options);
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ id: i, a: Math.random(), b: Math.random(), c: `text ${Math.random()}` }));
    await writeParquet('s3://pq/t/f.parquet', rows, { schema: { id: 'int32', a: 'double', b: 'double', c: 'string' }, storage: s3, rowGroupSize: 5000 });
    const size = (await s3.stat('s3://pq/t/f.parquet')).size;
    const reader = await ParquetReader.open('s3://pq/t/f.parquet', { storage: s3 });
    const idChunks = reader.metadata.row_groups.map((rg) => Number(rg.columns[0]!.meta_data!.total_compressed_size));
    const footer = reader.stats.bytesFetched;

    const before = s3.metrics.bytesRead;
    const stats = newReadStats();
    const got = await collect(readParquetRows<Row>('s3://pq/t/f.parquet', { storage: s3, stats, columns: ['id'], predicates: [between('id', 5000, 5009)] }));
    expect(got.map((r) => r.id)).toEqual([5000, 5001, 5002, 5003, 5004, 5005, 5006, 5007, 5008, 5009]);
    expect(stats.rowGroupsSkipped).toBe(3);
    const fetched = s3.metrics.bytesRead - before;
    expect(fetched).toBe(stats.bytesFetched);
    // footer (same as above) + the id chunk of row group 1 only
    expect(fetched).toBeLessThanOrEqual(footer + idChunks[1]! + 64);
    expect(fetched).toBeLessThan(size / 5);
  });
});

describe('ParquetReader on local disk: one file handle per file, given back however the read ends', () => {
  /** This process's open descriptors on files of this test (other test files run in the same process). */
  const openFiles = () => openFilesUnder(root);
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'tributary-parquet-fd-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('read to the end, stopped after the first batch, or failed on a corrupt row group: no handle left open', async () => {
    const path = join(root, 'rows.parquet');
    const rows = Array.from({ length: 300 }, (_, i) => ({ id: i, name: `n${i}` }));
    await writeParquet(path, rows, { schema: { id: 'int32', name: 'string' }, rowGroupSize: 100 });
    const storage = new LocalStorage();
    const before = openFiles();
    expect(before).toBe(0);

    expect((await collect(readParquet(path, { storage }))).flatMap((b) => b.rows)).toHaveLength(300);
    expect(openFiles()).toBe(before);
    // one handle for the footer and every row group
    expect(storage.metrics.readRequests).toBeGreaterThanOrEqual(4);

    for await (const batch of readParquet(path, { storage, readAhead: 2 })) {
      expect(batch.rows).toHaveLength(100);
      break;
    }
    // a stopped read closes once its in-flight loads settle
    await vi.waitFor(() => expect(openFiles()).toBe(before));

    const corrupt = join(root, 'corrupt.parquet');
    const bytes = readFileSync(path);
    bytes.fill(0xff, 4, 200); // the first row group's pages
    writeFileSync(corrupt, bytes);
    await expect(collect(readParquet(corrupt, { storage }))).rejects.toBeInstanceOf(ParquetFileError);
    await vi.waitFor(() => expect(openFiles()).toBe(before));

    writeFileSync(join(root, 'short.parquet'), bytes.subarray(bytes.length - 20));
    await expect(collect(readParquet(join(root, 'short.parquet'), { storage }))).rejects.toBeInstanceOf(ParquetFileError);
    expect(openFiles()).toBe(before);
  });
});

describe('predicates of another kind than the column', () => {
  it('statistics of another kind prove nothing: a number never skips a string column\'s row groups', () => {
    const strings = { min: '2024-01-01T00:00:00Z', max: '2024-01-01T23:59:59Z', allNull: false };
    for (const p of [lt('ts', 1704067200000), le('ts', 0), gt('ts', 0), ge('ts', 9e15), eq('ts', 5), between('ts', 1, 2), isIn('ts', [1, 2])]) {
      expect(canSkip(p, strings), `${p.op}`).toBe(false);
    }
    // same kinds still skip
    expect(canSkip(lt('ts', '2023'), strings)).toBe(true);
    expect(canSkip(ge('n', 10n), { min: 1, max: 5, allNull: false })).toBe(true);
  });

  it('a time range on a column of ISO strings fails, naming the column, instead of reading nothing', async () => {
    const storage = new MemoryStorage();
    const rows = Array.from({ length: 50 }, (_, i) => ({ ts: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(), n: i }));
    await writeParquet('mem://t/iso.parquet', rows, { schema: { ts: 'string', n: 'int32' }, storage, rowGroupSize: 10 });
    const err = await collect(readParquet('mem://t/iso.parquet', { storage, timeRange: { column: 'ts', start: Date.UTC(2024, 0, 1), end: Date.UTC(2024, 0, 2) } })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PredicateTypeError);
    expect((err as Error).message).toBe(
      'a predicate on column "ts" compares a number with the column\'s string values (e.g. "2024-01-01T00:00:00.000Z"): give the predicate a string, or store the column as a timestamp or integer (a time range needs epoch milliseconds)',
    );
  });
});

function openFilesUnder(dir: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir)) n++;
    } catch {
      // closed while we looked
    }
  }
  return n;
}
