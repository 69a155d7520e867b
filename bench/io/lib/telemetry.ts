/**
 * The standard benchmark warehouse: driving telemetry, 24 hourly partitions × 4 files × 50,000
 * rows (4.8M rows, snappy), Hive layout `dt=2024-01-01/hr=HH/part-N.parquet`. Deterministic.
 */
import type { RowSchema } from '../../../io/parquet/index.js';
import { prng } from '../../harness.js';

export const TelemetrySchema = {
  user_id: 'int32',
  session_id: 'string',
  ts: 'timestamp',
  lat: 'double',
  lon: 'double',
  speed: 'float',
  accel: 'float',
  event: 'string',
} satisfies RowSchema;

export interface Telemetry {
  user_id: number;
  session_id: string;
  ts: number;
  lat: number;
  lon: number;
  speed: number;
  accel: number;
  event: string;
}

export const STANDARD = { partitions: 24, filesPerPartition: 4, rowsPerFile: 50_000, day: Date.UTC(2024, 0, 1) };
const EVENTS = ['tick', 'tick', 'tick', 'tick', 'brake', 'accelerate', 'turn', 'stop'];

/** Rows of one file of hour `hour`, timestamps ascending inside the hour. */
export function* telemetryRows(hour: number, file: number, rows: number): Generator<Telemetry> {
  const rnd = prng(hour * 1000 + file + 1);
  const start = STANDARD.day + hour * 3_600_000;
  for (let i = 0; i < rows; i++) {
    const user = Math.floor(rnd() * 10_000);
    yield {
      user_id: user,
      session_id: `s${user}-${hour}-${Math.floor(rnd() * 4)}`,
      ts: start + Math.floor((i * 3_600_000) / rows) + Math.floor(rnd() * 50),
      lat: 37.7 + rnd() * 0.2,
      lon: -122.5 + rnd() * 0.2,
      speed: rnd() * 35,
      accel: (rnd() - 0.5) * 8,
      event: EVENTS[Math.floor(rnd() * EVENTS.length)]!,
    };
  }
}

export function partitionLabel(hour: number): string {
  // Past 24 partitions the warehouse runs into the following days (the long monitoring bench).
  const day = new Date(STANDARD.day + Math.floor(hour / 24) * 86_400_000).toISOString().slice(0, 10);
  return `dt=${day}/hr=${String(hour % 24).padStart(2, '0')}`;
}
