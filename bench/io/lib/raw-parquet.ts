/**
 * The raw Parquet reader the benchmarks compare against: the whole file in memory, hyparquet
 * decoding one row group per call, each row handed to `onRow`. No storage layer, no pipeline.
 */
import { open, readFile } from 'node:fs/promises';
import { parquetMetadata, parquetMetadataAsync, parquetRead, type AsyncBuffer } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

export async function readRawParquet(
  path: string,
  columns: readonly string[] | undefined,
  onRow: (row: Record<string, unknown>) => void,
  options: Pick<Parameters<typeof parquetRead>[0], 'parsers'> = {},
): Promise<void> {
  const buf = await readFile(path);
  const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  const metadata = parquetMetadata(file);
  let start = 0;
  for (const rg of metadata.row_groups) {
    const end = start + Number(rg.num_rows);
    await parquetRead({
      file,
      metadata,
      columns: columns ? [...columns] : undefined,
      rowStart: start,
      rowEnd: end,
      rowFormat: 'object',
      compressors,
      ...options,
      onComplete: (data) => {
        for (const row of data) onRow(row as Record<string, unknown>);
      },
    });
    start = end;
  }
}

/**
 * The fastest plain use of the raw reader for a column projection we found: each file opened
 * (the next one while this one decodes) and read by ranges, so only the footer and the projected
 * columns' chunks are read; one hyparquet call per file decoding only `columns` (all when
 * undefined); each column handed over as the array hyparquet decoded (typed for numbers) — no
 * row objects. (Reading whole files, even one ahead, was about 40% slower with 3 of 8 columns.)
 * Timestamp columns come as the INT64 values they are stored as (a BigInt64Array: the footer
 * handed to hyparquet has their timestamp annotation removed), because hyparquet's own conversion
 * makes a BigInt and an array slot per value whatever `parsers` say; `millisAt` reads them as
 * numbers. `onColumns` gets every row of a file, one aligned array per column (a column
 * hyparquet decoded in several chunks is joined), files in the order given.
 */
export async function readRawParquetColumns(
  paths: readonly string[],
  columns: readonly string[] | undefined,
  onColumns: (length: number, columns: Record<string, ArrayLike<unknown>>) => void,
): Promise<void> {
  let next = paths.length > 0 ? openRanged(paths[0]!) : undefined;
  for (let f = 0; f < paths.length; f++) {
    const file = await next!;
    next = f + 1 < paths.length ? openRanged(paths[f + 1]!) : undefined;
    const chunks = new Map<string, { start: number; data: ArrayLike<unknown> }[]>();
    let length: number;
    try {
      const footer = await parquetMetadataAsync(file);
      length = Number(footer.num_rows);
      const metadata = { ...footer, schema: footer.schema.map((e) => (e.type === 'INT64' && (e.converted_type?.startsWith('TIMESTAMP') || e.logical_type?.type === 'TIMESTAMP') ? { ...e, converted_type: undefined, logical_type: undefined } : e)) };
      await parquetRead({
        file,
        metadata,
        columns: columns ? [...columns] : undefined,
        compressors,
        onChunk: (c) => {
          let list = chunks.get(c.columnName);
          if (!list) chunks.set(c.columnName, (list = []));
          list.push({ start: c.rowStart, data: c.columnData as ArrayLike<unknown> });
        },
      });
    } finally {
      await file.close();
    }
    const out: Record<string, ArrayLike<unknown>> = {};
    for (const [name, list] of chunks) {
      if (list.length === 1) out[name] = list[0]!.data;
      else {
        const joined: unknown[] = new Array(length);
        for (const { start, data } of list) for (let i = 0; i < data.length; i++) joined[start + i] = data[i];
        out[name] = joined;
      }
    }
    onColumns(length, out);
  }
}

/** A file as hyparquet's AsyncBuffer: each slice one positioned read. */
async function openRanged(path: string): Promise<AsyncBuffer & { close(): Promise<void> }> {
  const handle = await open(path);
  const { size } = await handle.stat();
  return {
    byteLength: size,
    async slice(start: number, end = size): Promise<ArrayBuffer> {
      const bytes = Buffer.allocUnsafeSlow(end - start);
      await handle.read(bytes, 0, end - start, start);
      return bytes.buffer as ArrayBuffer;
    },
    close: () => handle.close(),
  };
}

/** An INT64 column's values as 32-bit halves, for `millisAt`. */
export function int64Halves(values: BigInt64Array): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.length * 2);
}

/** Value `i` of an INT64 column (its halves) as a number, without a BigInt: exact for |value| < 2^53, as epoch milliseconds are. */
export function millisAt(halves: Int32Array, i: number): number {
  return halves[2 * i + 1]! * 4294967296 + (halves[2 * i]! >>> 0);
}
