/**
 * Crafted Parquet files whose footer or page headers lie (issue #19 items 1 and 2): each read ends
 * in a typed ParquetFileError (or a counted bad file with `onBadFile`), never an abort, a hang or
 * rows silently lost or made up.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ParquetFileError, newReadStats, readParquet, type ParquetReadOptions } from '../../../io/parquet/index.js';
import { MemoryStorage } from '../../../io/storage/index.js';
import { bombParquet, craftRows, parquetBytes, withFooter } from './crafted-parquet.js';

const dir = mkdtempSync(join(tmpdir(), 'tributary-claims-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Writes the bytes to a local file and reads it with a dead-letter: returns rows read and the bad files. */
async function readLocal(bytes: Uint8Array, options: ParquetReadOptions = {}) {
  const path = join(dir, `f${n++}.parquet`);
  writeFileSync(path, bytes);
  const stats = newReadStats();
  const bad: ParquetFileError[] = [];
  let rows = 0;
  for await (const batch of readParquet(path, { ...options, stats, onBadFile: (e) => bad.push(e) })) rows += batch.rows.length;
  expect(stats.badFiles).toBe(bad.length);
  return { rows, bad, stats };
}

const valid = await parquetBytes(craftRows(200));

describe('a footer that lies about byte ranges', () => {
  for (const claimed of [4_000_000_000n, 2_000_000_000n]) {
    it(`a column chunk claiming ${claimed} compressed bytes is a corrupt file (local disk, no allocation of the claim)`, async () => {
      const bytes = withFooter(valid, (m) => (m.row_groups[0]!.columns[0]!.meta_data!.total_compressed_size = claimed));
      expect(bytes.byteLength).toBeLessThan(4096);
      const { rows, bad } = await readLocal(bytes);
      expect(rows).toBe(0);
      expect(bad).toHaveLength(1);
      expect(bad[0]!.problem).toBe('corrupt');
      expect(bad[0]!.message).toMatch(/column "id" claims bytes .* outside the data section/);
    });
  }

  it('a chunk that starts past the end of the file, or before the magic, is a corrupt file', async () => {
    for (const offset of [1_000_000n, 0n]) {
      const bytes = withFooter(valid, (m) => {
        const meta = m.row_groups[0]!.columns[1]!.meta_data!;
        meta.dictionary_page_offset = undefined;
        meta.data_page_offset = offset;
      });
      const { bad } = await readLocal(bytes);
      expect(bad.map((e) => e.problem)).toEqual(['corrupt']);
      expect(bad[0]!.message).toContain('column "ts"');
    }
  });

  it('without onBadFile the same file throws the typed error', async () => {
    const path = join(dir, 'throws.parquet');
    writeFileSync(path, withFooter(valid, (m) => (m.row_groups[0]!.columns[2]!.meta_data!.total_compressed_size = 4_000_000_000n)));
    const err = await (async () => {
      for await (const _ of readParquet(path)) void _;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParquetFileError);
    expect((err as ParquetFileError).problem).toBe('corrupt');
  });
});

describe('a footer that lies about row counts', () => {
  it('more rows than maxRowsPerRowGroup is limit-exceeded before anything is decoded', async () => {
    const bytes = withFooter(valid, (m) => {
      m.num_rows = 50_000_000n;
      m.row_groups[0]!.num_rows = 50_000_000n;
    });
    const { rows, bad, stats } = await readLocal(bytes);
    expect(rows).toBe(0);
    expect(bad.map((e) => e.problem)).toEqual(['limit-exceeded']);
    expect(bad[0]!.message).toContain('maxRowsPerRowGroup');
    expect(stats.rowGroupsRead).toBe(0);
  });

  it('rows the pages do not hold are a corrupt file, not rows made up or lost', async () => {
    for (const claimed of [5_000n, 150n]) {
      const bytes = withFooter(valid, (m) => {
        m.num_rows = claimed;
        m.row_groups[0]!.num_rows = claimed;
      });
      const { rows, bad } = await readLocal(bytes);
      expect(rows).toBe(0);
      expect(bad.map((e) => e.problem)).toEqual(['corrupt']);
    }
  });

  it('row groups that do not add up to the file row count are a corrupt file', async () => {
    const { bad } = await readLocal(withFooter(valid, (m) => (m.num_rows = 7n)));
    expect(bad[0]!.message).toContain('claims 7 rows but its row groups hold 200');
  });

  it('limits are configurable: a lower maxRowsPerFile rejects the valid file', async () => {
    const { bad } = await readLocal(valid, { limits: { maxRowsPerFile: 100 } });
    expect(bad[0]!.problem).toBe('limit-exceeded');
    expect((await readLocal(valid)).rows).toBe(200);
  });
});

describe('page headers that lie', () => {
  it('a 5,000,000-value page in a few hundred bytes is limit-exceeded (maxValuesPerPage), checked before decoding', async () => {
    const bytes = bombParquet(5_000_000);
    expect(bytes.byteLength).toBeLessThan(1024);
    const { rows, bad } = await readLocal(bytes);
    expect(rows).toBe(0);
    expect(bad.map((e) => e.problem)).toEqual(['limit-exceeded']);
    expect(bad[0]!.message).toContain('claims 5000000 values, more than maxValuesPerPage 1048576');
  });

  it('a page claiming more uncompressed bytes than maxPageBytes is limit-exceeded', async () => {
    const { bad } = await readLocal(valid, { limits: { maxPageBytes: 16 } });
    expect(bad.map((e) => e.problem)).toEqual(['limit-exceeded']);
    expect(bad[0]!.message).toContain('maxPageBytes 16');
  });
});

describe('found by the fuzz script (bench/fuzz)', () => {
  it('a run of dictionary indices claiming 2^30 values in a 1,000-value page is corrupt (hyparquet would loop and grow an array)', async () => {
    const { rows, bad } = await readLocal(bombParquet(1000, ['a'], 1000, 2 ** 30));
    expect(rows).toBe(0);
    expect(bad.map((e) => e.problem)).toEqual(['corrupt']);
    expect(bad[0]!.message).toContain('dictionary indices: a run of 1073741824 values where 1000 are left');
  });

  it('a column chunk naming no schema column is corrupt (hyparquet would decode it unobserved)', async () => {
    const { bad } = await readLocal(
      withFooter(valid, (m) => {
        const meta = m.row_groups[0]!.columns[1]!.meta_data!;
        meta.statistics = undefined;
        meta.path_in_schema = ['nope'];
      }),
    );
    expect(bad.map((e) => e.problem)).toEqual(['corrupt']);
    expect(bad[0]!.message).toContain('do not match the schema');
  });
});

describe('large row groups are decoded in row slices', () => {
  it('batches of at most sliceRows rows, numbered by file row, fetching the chunk bytes once', async () => {
    const storage = new MemoryStorage();
    await storage.write('mem://s/f.parquet', await parquetBytes(craftRows(1000), undefined, { rowGroupSize: 600 }));
    const stats = newReadStats();
    const batches: { rowGroup: number; firstRow: number; n: number; firstId: bigint }[] = [];
    for await (const b of readParquet<{ id: bigint }>('mem://s/f.parquet', { storage, stats, limits: { sliceRows: 256 } })) {
      batches.push({ rowGroup: b.rowGroup, firstRow: b.firstRow, n: b.rows.length, firstId: b.rows[0]!.id });
    }
    expect(batches.map((b) => [b.rowGroup, b.firstRow, b.n])).toEqual([
      [0, 0, 256], [0, 256, 256], [0, 512, 88],
      [1, 600, 256], [1, 856, 144],
    ]);
    expect(batches.every((b) => b.firstId === BigInt(b.firstRow))).toBe(true);
    expect(stats.rowGroupsRead).toBe(2);
    expect(stats.bytesHeld).toBe(0);
    const unsliced = newReadStats();
    for await (const _ of readParquet('mem://s/f.parquet', { storage, stats: unsliced })) void _;
    expect(stats.bytesFetched).toBe(unsliced.bytesFetched);
  });

  it('a 1,000,000-row bomb reads in a 64 MB heap only because of slicing (child processes)', async () => {
    const child = fileURLToPath(new URL('./bounded-read-child.ts', import.meta.url));
    const run = (sliceRows: number) =>
      new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) => {
        const p = spawn(process.execPath, ['--max-old-space-size=64', '--import', 'tsx', child, '1000000', '50000', String(sliceRows)], {
          cwd: dirname(child),
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        let out = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.on('close', (code, signal) => resolve({ code, signal, out }));
      });
    const [sliced, whole] = await Promise.all([run(65_536), run(100_000_000)]);
    expect(sliced.code).toBe(0);
    expect(JSON.parse(sliced.out)).toEqual({ rows: 1_000_000, sum: 21_000_000 });
    // the same read holding the whole row group as objects exhausts the heap: the limit is real
    expect(whole.code === 0 && whole.signal === null).toBe(false);
  }, 120_000);
});
