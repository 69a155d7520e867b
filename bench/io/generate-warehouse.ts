/**
 * Writes the standard benchmark warehouse with Tributary's Parquet writer.
 *
 *   npx tsx bench/io/generate-warehouse.ts [dir] [--partitions=24] [--files=4] [--rows=50000]
 *
 * Default dir: out/bench-warehouse (git-ignored). Prints one JSON line with rows/s.
 */
import { resolve } from 'node:path';
import { writeParquet } from '../../io/parquet/index.js';
import { joinPath } from '../../io/storage/index.js';
import { STANDARD, TelemetrySchema, partitionLabel, telemetryRows } from './lib/telemetry.js';
import { arg } from '../args.js';

export interface GenerateOptions {
  dir: string;
  partitions?: number;
  files?: number;
  rows?: number;
  rowGroupSize?: number;
}

export async function generateWarehouse(o: GenerateOptions): Promise<{ rows: number; seconds: number; bytes: number }> {
  const partitions = o.partitions ?? STANDARD.partitions;
  const files = o.files ?? STANDARD.filesPerPartition;
  const rows = o.rows ?? STANDARD.rowsPerFile;
  const t0 = performance.now();
  let bytes = 0;
  for (let h = 0; h < partitions; h++) {
    for (let f = 0; f < files; f++) {
      const path = joinPath(o.dir, partitionLabel(h), `part-${f}.parquet`);
      const res = await writeParquet(path, telemetryRows(h, f, rows), { schema: TelemetrySchema, compression: 'snappy', rowGroupSize: o.rowGroupSize ?? 50_000 });
      bytes += res.bytes;
    }
  }
  return { rows: partitions * files * rows, seconds: (performance.now() - t0) / 1000, bytes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = resolve(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'out/bench-warehouse');
  const res = await generateWarehouse({
    dir,
    partitions: arg('partitions') ? Number(arg('partitions')) : undefined,
    files: arg('files') ? Number(arg('files')) : undefined,
    rows: arg('rows') ? Number(arg('rows')) : undefined,
  });
  console.log(JSON.stringify({ case: 'io.generate-warehouse', dir, rows: res.rows, seconds: +res.seconds.toFixed(2), elementsPerSec: Math.round(res.rows / res.seconds), megabytes: +(res.bytes / 1e6).toFixed(1) }));
}
