/**
 * The partition-growth warehouse of the Kappa+ memory benchmark: `partitions` equal hourly
 * partitions (Hive layout `dt=YYYY-MM-DD/hr=HH`, crossing days after 24), each `files` files of
 * `rowsPerFile` telemetry rows, timestamps inside their hour. Written once and reused: a
 * `ready.json` beside the table records what was written.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeParquet } from '../../../io/parquet/index.js';
import { STANDARD, TelemetrySchema, telemetryRows } from '../../io/lib/telemetry.js';

export interface PartitionWarehouse {
  readonly partitions: number;
  readonly files: number;
  readonly rowsPerFile: number;
}

export const GROWTH: PartitionWarehouse = { partitions: 64, files: 4, rowsPerFile: 25_000 };

export function hourLabel(hour: number): string {
  const d = new Date(STANDARD.day + hour * 3_600_000);
  return `dt=${d.toISOString().slice(0, 10)}/hr=${String(d.getUTCHours()).padStart(2, '0')}`;
}

/** The table root under `dir`, generating it first unless `ready.json` matches `spec`. */
export async function ensurePartitionWarehouse(dir: string, spec: PartitionWarehouse = GROWTH): Promise<string> {
  const table = join(dir, 'telemetry');
  const marker = join(dir, 'ready.json');
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === JSON.stringify(spec)) return table;
  await rm(dir, { recursive: true, force: true });
  const t0 = performance.now();
  for (let h = 0; h < spec.partitions; h++) {
    for (let f = 0; f < spec.files; f++) {
      await writeParquet(join(table, hourLabel(h), `part-${f}.parquet`), telemetryRows(h, f, spec.rowsPerFile), {
        schema: TelemetrySchema,
        compression: 'snappy',
        rowGroupSize: 25_000,
      });
    }
  }
  await writeFile(marker, JSON.stringify(spec));
  const rows = spec.partitions * spec.files * spec.rowsPerFile;
  console.error(`bench/kappa: wrote ${rows} rows in ${spec.partitions} partitions to ${table} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  return table;
}
