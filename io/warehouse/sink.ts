/**
 * The core of the partitioned Parquet sink, independent of any runner: rows are routed by event
 * time into one folder per partition (hourly or daily, in the table's layout), each folder's
 * files are rolled by row count or size, and a partition's files are finalized (committed, so
 * they become visible) once the watermark passes the partition's end. A row that arrives for a
 * partition already finalized is late: it fails the write, or goes to `onLateRow` and is counted.
 *
 * The layout, keys and file prefix are checked when the writer is built (a `..` or an unknown
 * template field is a WarehouseLayoutError: nothing is ever written outside the table), and a row
 * whose event time is not a finite instant in years 0000-9999 is a bad row (`onBadRow`, counted
 * in `badRows`), never a `dt=0NaN-NaN-NaN` folder.
 */
import { InternalError, TributaryError } from '../../sdk/errors.js';
import { ParquetWriter, type Compression } from '../parquet/write.js';
import { ParquetRowError } from '../parquet/errors.js';
import type { RowSchema } from '../parquet/schema.js';
import { storageFor } from '../storage/index.js';
import { asDirectory, type Storage } from '../storage/storage.js';
import { checkPathPart, checkWritableLayout, intervalEnd, intervalStart, labelFor, type Layout } from './layout.js';

export interface PartitionedWriterOptions<R> {
  /** Table root: `/data/clicks` or `s3://bucket/clicks`. */
  table: string;
  layout: Layout;
  /** Partition length for Hive layouts (templates take it from their finest field). Default hour. */
  granularity?: 'hour' | 'day';
  /** Event time of a row, epoch ms (a Date or a bigint is accepted too): a column name or a function. */
  timestamp: (keyof R & string) | ((row: R) => number);
  schema: RowSchema;
  compression?: Compression;
  rowGroupSize?: number;
  /** Roll to a new file after this many rows (default 1,000,000). */
  maxRowsPerFile?: number;
  /** Roll to a new file once this many encoded bytes were written (checked at row-group boundaries). */
  maxBytesPerFile?: number;
  /** File names are `<prefix>-<n>.parquet` (default `part`); give each parallel writer its own prefix. */
  filePrefix?: string;
  storage?: Storage;
  /** Dead-letter for late rows; without it a late row throws. */
  onLateRow?: (row: R, partition: string) => void;
  /** Dead-letter for rows that do not fit the schema or have no usable event time; without it such a row throws. */
  onBadRow?: (error: ParquetRowError) => void;
}

/** 0000-01-01T00:00Z and 10000-01-01T00:00Z: partition labels have four-digit years. */
const MIN_TIME = -62_167_219_200_000;
const MAX_TIME = 253_402_300_800_000;

export interface FinalizedPartition {
  label: string;
  start: number;
  end: number;
  files: { path: string; rows: number; bytes: number }[];
}

export class LateRowError extends TributaryError {
  override readonly name = 'LateRowError';
  constructor(
    readonly table: string,
    readonly partition: string,
    readonly watermark: number,
  ) {
    super(`warehouse table ${table}: a row for partition ${partition} arrived after the watermark (${new Date(watermark).toISOString()}) passed its end; the partition is already finalized`);
  }
}

interface OpenPartition<R> {
  label: string;
  start: number;
  end: number;
  current: ParquetWriter<R> | undefined;
  currentRows: number;
  nextFile: number;
  closed: { path: string; rows: number; bytes: number }[];
}

export class PartitionedParquetWriter<R = Record<string, unknown>> {
  private readonly open = new Map<number, OpenPartition<R>>();
  private watermarkValue = Number.NEGATIVE_INFINITY;
  private readonly storage: Storage;
  private readonly granularity: 'minute' | 'hour' | 'day' | 'month' | 'year';
  private readonly ts: (row: R) => number;
  lateRows = 0;
  /** Rows without a usable event time (sent to `onBadRow`). */
  badTimestamps = 0;
  rowsWritten = 0;

  constructor(private readonly options: PartitionedWriterOptions<R>) {
    const compiled = checkWritableLayout(options.layout);
    checkPathPart('file prefix', options.filePrefix ?? 'part');
    this.storage = options.storage ?? storageFor(options.table);
    this.granularity = compiled ? compiled.granularity : options.layout.kind === 'hive' ? (options.layout.granularity ?? options.granularity ?? 'hour') : 'hour';
    const t = options.timestamp;
    this.ts = typeof t === 'function' ? t : (row: R) => (row as Record<string, unknown>)[t] as number;
  }

  /** The row's event time as epoch ms, or undefined when it is not an instant in years 0000-9999. */
  private eventTime(row: R): number | undefined {
    const v: unknown = this.ts(row);
    const t = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.getTime() : Number.NaN;
    return Number.isFinite(t) && t >= MIN_TIME && t < MAX_TIME ? t : undefined;
  }

  get watermark(): number {
    return this.watermarkValue;
  }

  async write(row: R): Promise<void> {
    const t = this.eventTime(row);
    if (t === undefined) {
      const column = typeof this.options.timestamp === 'string' ? this.options.timestamp : '(timestamp function)';
      const got: unknown = this.ts(row);
      const e = new ParquetRowError({
        path: this.options.table,
        column,
        row,
        detail: `event time in ${column} is ${typeof got === 'bigint' ? `${got}n` : String(got)}, not epoch milliseconds in years 0000-9999; the row cannot be placed in a partition`,
      });
      this.badTimestamps++;
      if (!this.options.onBadRow) throw e;
      this.options.onBadRow(e);
      return;
    }
    const start = intervalStart(t, this.granularity);
    const end = intervalEnd(start, this.granularity);
    const label = labelFor(start, this.options.layout, this.granularity);
    if (end <= this.watermarkValue) {
      this.lateRows++;
      if (!this.options.onLateRow) throw new LateRowError(this.options.table, label, this.watermarkValue);
      this.options.onLateRow(row, label);
      return;
    }
    let p = this.open.get(start);
    if (!p) this.open.set(start, (p = { label, start, end, current: undefined, currentRows: 0, nextFile: 0, closed: [] }));
    let writer = p.current;
    if (!writer) {
      const path = `${asDirectory(this.options.table)}${label}/${this.options.filePrefix ?? 'part'}-${String(p.nextFile++).padStart(5, '0')}.parquet`;
      writer = p.current = ParquetWriter.open<R>(path, {
        schema: this.options.schema,
        compression: this.options.compression,
        rowGroupSize: this.options.rowGroupSize,
        storage: this.storage,
        onBadRow: this.options.onBadRow,
      });
      p.currentRows = 0;
    }
    const before = writer.rowsWritten;
    await writer.write(row);
    if (writer.rowsWritten > before) {
      p.currentRows++;
      this.rowsWritten++;
    }
    const maxRows = this.options.maxRowsPerFile ?? 1_000_000;
    const maxBytes = this.options.maxBytesPerFile ?? Number.POSITIVE_INFINITY;
    if (p.currentRows >= maxRows || writer.bytesWritten >= maxBytes) await this.roll(p);
  }

  private async roll(p: OpenPartition<R>): Promise<void> {
    const w = p.current;
    if (!w) return;
    p.current = undefined;
    const res = await w.close();
    p.closed.push({ path: res.path, rows: res.rows, bytes: res.bytes });
  }

  /**
   * Moves the watermark to `w` and finalizes, oldest first, every open partition whose end is
   * ≤ w: its last file is committed. Returns the partitions finalized.
   */
  async advanceWatermark(w: number): Promise<FinalizedPartition[]> {
    if (w < this.watermarkValue) throw new InternalError(`the partitioned sink's watermark cannot move backwards (from ${this.watermarkValue} to ${w})`);
    this.watermarkValue = w;
    const done: FinalizedPartition[] = [];
    for (const start of [...this.open.keys()].sort((a, b) => a - b)) {
      const p = this.open.get(start)!;
      if (p.end > w) continue;
      await this.roll(p);
      this.open.delete(start);
      done.push({ label: p.label, start: p.start, end: p.end, files: p.closed });
    }
    return done;
  }

  /** End of input: finalizes every open partition. */
  async close(): Promise<FinalizedPartition[]> {
    return this.advanceWatermark(Number.POSITIVE_INFINITY);
  }
}
