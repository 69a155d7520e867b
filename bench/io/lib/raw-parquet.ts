/**
 * The raw Parquet reader the benchmarks compare against: the whole file in memory, hyparquet
 * decoding one row group per call, each row handed to `onRow`. No storage layer, no pipeline.
 */
import { readFile } from 'node:fs/promises';
import { parquetMetadata, parquetRead } from 'hyparquet';
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
