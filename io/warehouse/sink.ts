/**
 * The core of the partitioned Parquet sink, independent of any runner: rows are routed by event
 * time into one folder per partition (hourly or daily, in the table's layout), each folder's
 * files are rolled by row count or size, and a partition's files are finalized (committed, so
 * they become visible) once the watermark passes the partition's end. A row that arrives for a
 * partition already finalized is late: it fails the write, or goes to `onLateRow` and is counted.
 */
import { ParquetWriter, type Compression } from '../parquet/write.js';
import type { ParquetRowError } from '../parquet/errors.js';
import type { RowSchema } from '../parquet/schema.js';
import { storageFor } from '../storage/index.js';
import { asDirectory, type Storage } from '../storage/storage.js';
import { intervalEnd, intervalStart, labelFor, type Layout } from './layout.js';

export interface PartitionedWriterOptions<R> {
  /** Table root: `/data/clicks` or `s3://bucket/clicks`. */
  table: string;
  layout: Layout;
  /** Partition length for Hive layouts (templates take it from their finest field). Default hour. */
  granularity?: 'hour' | 'day';
  /** Event time of a row, epoch ms: a column name or a function. */
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
  onBadRow?: (error: ParquetRowError) => void;
}

export interface FinalizedPartition {
  label: string;
  start: number;
  end: number;
  files: { path: string; rows: number; bytes: number }[];
}

export class LateRowError extends Error {
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
  rowsWritten = 0;

  constructor(private readonly options: PartitionedWriterOptions<R>) {
    this.storage = options.storage ?? storageFor(options.table);
    if (options.layout.kind === 'hive') {
      this.granularity = options.layout.granularity ?? options.granularity ?? 'hour';
    } else {
      const finest = /\{mm\}/.test(options.layout.template) ? 'minute' : /\{HH\}/.test(options.layout.template) ? 'hour' : /\{dd\}/.test(options.layout.template) ? 'day' : /\{MM\}/.test(options.layout.template) ? 'month' : 'year';
      this.granularity = finest;
    }
    const t = options.timestamp;
    this.ts = typeof t === 'function' ? t : (row: R) => (row as Record<string, unknown>)[t] as number;
  }

  get watermark(): number {
    return this.watermarkValue;
  }

  async write(row: R): Promise<void> {
    const t = this.ts(row);
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
    if (w < this.watermarkValue) throw new Error(`watermark cannot move backwards (from ${this.watermarkValue} to ${w})`);
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
