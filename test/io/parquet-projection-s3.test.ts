/**
 * What a projected read of a Parquet file fetches from the real S3-protocol server: the footer
 * (its length and magic, then exactly the footer — the first read used to take a fixed 64 KiB
 * tail, which holds column-chunk bytes of columns the projection excludes) and the column chunks
 * of the projected columns, nothing of the others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParquetReader, newReadStats } from '../../io/parquet/read.js';
import { writeParquet } from '../../io/parquet/write.js';
import { S3Storage } from '../../io/storage/index.js';
import { startS3Server, type S3TestServer } from '../servers/s3/server.js';

/** S3Storage recording each ranged read it sends. */
class RecordingS3 extends S3Storage {
  readonly ranges: Array<[number, number]> = [];
  override async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    this.ranges.push([offset, offset + length]);
    return super.readRange(path, offset, length);
  }
}

let srv: S3TestServer;
const PATH = 's3://projection/t/wide.parquet';
beforeAll(async () => {
  srv = await startS3Server({ buckets: ['projection'] });
  // a narrow column and a wide one, 4 row groups: the wide column's chunks dwarf the footer
  const rows = Array.from({ length: 400 }, (_, i) => ({ id: i, blob: `row ${i} `.repeat(40) + String(i * 7919) }));
  await writeParquet(PATH, rows, { schema: { id: 'int32', blob: 'string' }, rowGroupSize: 100, compression: 'uncompressed', storage: new S3Storage(srv.options) });
});
afterAll(async () => {
  await srv?.stop();
});

describe('a projected read of a Parquet file on S3', () => {
  it('fetches the footer exactly, then only the projected column chunks', async () => {
    const storage = new RecordingS3(srv.options);
    const size = (await storage.stat(PATH)).size;
    const stats = newReadStats();
    const reader = await ParquetReader.open(PATH, { storage, columns: ['id'], stats, size });
    const footerLength = new DataView((await storage.readRange(PATH, size - 8, 4)).buffer.slice(0)).getUint32(0, true);
    storage.ranges.pop(); // the test's own read of the length
    // Opening: 8 bytes (length + magic), then the footer and nothing before it.
    expect(storage.ranges).toEqual([
      [size - 8, size],
      [size - 8 - footerLength, size - 8],
    ]);
    const opened = storage.metrics.bytesRead - 4;
    expect(opened).toBe(8 + footerLength);

    let rows = 0;
    for await (const b of reader.batches()) rows += b.rows.length;
    expect(rows).toBe(400);
    const chunk = (name: string) =>
      reader.metadata.row_groups.map((rg) => {
        const m = rg.columns.find((c) => c.meta_data?.path_in_schema[0] === name)!.meta_data!;
        const start = Number(m.dictionary_page_offset ?? m.data_page_offset);
        return [start, start + Number(m.total_compressed_size)] as [number, number];
      });
    const wanted = chunk('id');
    const excluded = chunk('blob');
    const reads = storage.ranges.slice(2);
    // No byte of an excluded column chunk was fetched, first read included.
    for (const [s, e] of storage.ranges) for (const [bs, be] of excluded) expect(s < be && bs < e, `read [${s}, ${e}) overlaps blob [${bs}, ${be})`).toBe(false);
    // Every byte fetched after the footer lies in an `id` chunk, and together they are the `id` chunks.
    const fetched = reads.reduce((n, [s, e]) => n + (e - s), 0);
    expect(fetched).toBe(wanted.reduce((n, [s, e]) => n + (e - s), 0));
    for (const [s, e] of reads) expect(wanted.some(([ws, we]) => s >= ws && e <= we)).toBe(true);
    expect(stats.bytesFetched).toBe(8 + footerLength + fetched);
    const blobBytes = excluded.reduce((n, [s, e]) => n + (e - s), 0);
    expect(blobBytes).toBeGreaterThan(10 * fetched); // the projection saved the wide column
  });
});
