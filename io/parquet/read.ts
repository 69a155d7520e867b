/**
 * Streaming Parquet reader over the storage layer (hyparquet + hyparquet-compressors).
 *
 * - Reads the footer with ranged reads, then one row group at a time (plus `readAhead` row groups
 *   in flight), fetching only the byte ranges of the projected columns; memory holds a few row
 *   groups per open file, never the whole file.
 * - Skips row groups whose min/max statistics prove no row matches the predicates or the time
 *   range (`stats.rowGroupsSkipped`), then filters the rows of the groups it reads.
 * - Checks the footer's claims (row counts, chunk byte ranges, uncompressed sizes) against the
 *   file size and `limits` before decoding (limits.ts), and decodes a row group with more than
 *   `limits.sliceRows` rows in row slices, so memory stays bounded whatever a file claims.
 * - Bad input (truncated or corrupt file, schema different from the expected one, unreadable
 *   object, a claim over the limits) throws a ParquetFileError naming the file and the problem,
 *   or, with `onBadFile`, is handed to that dead-letter callback and counted in `stats.badFiles`.
 */
import { parquetMetadataAsync, parquetRead, type ColumnData, type Compressors, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { getMaxDefinitionLevel, getMaxRepetitionLevel, getSchemaPath } from 'hyparquet/src/schema.js';
import { storageFor } from '../storage/index.js';
import { StorageError } from '../storage/errors.js';
import { rangedReader, type ClosableRangedReader, type RangedReader, type Storage } from '../storage/storage.js';
import { ParquetFileError } from './errors.js';
import { InternalError } from '../../sdk/index.js';
import { checkFooterClaims, checkPages, chunkRange, columnLevels, guardedCompressors, PageClaimError, PageLimitError, readLimits, type ParquetReadLimits } from './limits.js';
import { matchesAll, rowGroupCanBeSkipped, rowGroupOutside, timeRangePredicates, type Predicate, type TimeRange } from './predicates.js';
import { describeFileSchema, schemaDifferences, type RowSchema } from './schema.js';
import type { SiblingSchema } from './sibling-schema.js';
import { columnPlan, joinChunks, millisOf, type ColumnChunk, type ColumnPlan, type ColumnSlice } from './column-batch.js';
import { GroupBytes } from './group-bytes.js';
import { classifyFooterError, unreadable } from './footer-errors.js';

export type { ColumnSlice } from './column-batch.js';

export type Row = Record<string, unknown>;

export interface ParquetReadStats {
  filesOpened: number;
  /** Files routed to `onBadFile` instead of failing the read. */
  badFiles: number;
  rowGroupsRead: number;
  rowGroupsSkipped: number;
  /** Rows decoded from the row groups that were read. */
  rowsRead: number;
  /** Rows dropped by the predicates or time range (after decoding). */
  rowsFiltered: number;
  /** Rows of the row groups skipped by `skipOutside` (never decoded). */
  rowsSkippedOutside: number;
  rowsEmitted: number;
  /** Bytes fetched from storage, footer included. */
  bytesFetched: number;
  /** Bytes of column chunks currently held by open readers, and the most ever held at once. */
  bytesHeld: number;
  peakBytesHeld: number;
}

export function newReadStats(): ParquetReadStats {
  return { filesOpened: 0, badFiles: 0, rowGroupsRead: 0, rowGroupsSkipped: 0, rowsRead: 0, rowsFiltered: 0, rowsSkippedOutside: 0, rowsEmitted: 0, bytesFetched: 0, bytesHeld: 0, peakBytesHeld: 0 };
}

export interface ParquetReadOptions {
  /** Columns to read (default: all). */
  columns?: string[];
  /** ANDed predicates: used to skip row groups by statistics and to filter rows. */
  predicates?: Predicate[];
  /** Keep rows with `start ≤ column < end`; skips row groups outside it. */
  timeRange?: TimeRange;
  /**
   * Skip row groups whose statistics prove every value of the column outside `[start, end)`
   * (numeric or timestamp statistics only), counting their rows in `stats.rowsSkippedOutside`;
   * the rows of the groups read are not filtered (the caller decides what an outside row is).
   */
  skipOutside?: TimeRange;
  /** Filter the rows of row groups that are read (default true). With false only whole row groups are skipped. */
  filterRows?: boolean;
  /** The table's declared schema: a file that differs is a `schema-mismatch` error. */
  expectedSchema?: RowSchema;
  /** Storage to read through (default: chosen by the path's scheme). */
  storage?: Storage;
  /** Counters; pass one object to several reads to sum them. */
  stats?: ParquetReadStats;
  /** Row groups fetched ahead of the one being consumed (default 1). */
  readAhead?: number;
  /** Dead-letter: bad files go here (and are counted) instead of failing the read. */
  onBadFile?: (error: ParquetFileError) => void;
  /** File size if already known (e.g. from a listing): saves a stat request. */
  size?: number;
  /** Shared by the reads of one table: a file whose read columns have other types than the first file's is a `schema-mismatch`. */
  siblings?: SiblingSchema;
  /** What a file may claim, and the rows decoded at once (defaults in limits.ts: DEFAULT_READ_LIMITS). */
  limits?: Partial<ParquetReadLimits>;
}

/** The rows of one row group, or of one slice of a row group larger than `limits.sliceRows`. */
export interface RowBatch<R = Row> {
  path: string;
  rowGroup: number;
  /** Index in the file of the batch's first row (before filtering). */
  firstRow: number;
  rows: R[];
}

const parsers = {
  timestampFromMilliseconds: (ms: bigint) => Number(ms),
  timestampFromMicroseconds: (us: bigint) => Number(us / 1000n),
  timestampFromNanoseconds: (ns: bigint) => Number(ns / 1000000n),
};

/** One open Parquet file: footer read and checked, row groups planned. */
export class ParquetReader<R = Row> {
  private constructor(
    readonly path: string,
    readonly metadata: FileMetaData,
    private readonly file: RangedReader,
    /** Releases the open object (a file handle) when the reader is done. */
    private readonly release: () => Promise<void>,
    private readonly options: ParquetReadOptions,
    readonly stats: ParquetReadStats,
    /** Columns decoded: the projection plus the predicate columns. */
    private readonly readColumns: string[] | undefined,
    /** Columns decoded only to evaluate predicates, removed from emitted rows. */
    private readonly extraColumns: string[],
    private readonly predicates: Predicate[],
    private readonly limits: ParquetReadLimits,
  ) {
    this.compressors = guardedCompressors(compressors, limits.maxPageBytes);
  }

  private readonly compressors: Compressors;

  static async open<R = Row>(path: string, options: ParquetReadOptions = {}): Promise<ParquetReader<R>> {
    const limits = readLimits(options.limits);
    const stats = options.stats ?? newReadStats();
    const storage = options.storage ?? storageFor(path);
    let file: ClosableRangedReader;
    let size: number;
    try {
      size = options.size ?? (await storage.stat(path)).size;
      file = await rangedReader(storage, path, { size });
    } catch (err) {
      throw unreadable(path, err);
    }
    try {
      return await ParquetReader.check<R>(path, file, size, options, limits, stats);
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  /** The footer read and checked against the file, the schema against what the caller expects. */
  private static async check<R>(path: string, file: ClosableRangedReader, size: number, options: ParquetReadOptions, limits: ParquetReadLimits, stats: ParquetReadStats): Promise<ParquetReader<R>> {
    stats.filesOpened++;
    const counted: RangedReader = {
      byteLength: file.byteLength,
      slice: async (s, e) => {
        const ab = await file.slice(s, e);
        stats.bytesFetched += ab.byteLength;
        return ab;
      },
    };
    if (size < 12) {
      throw new ParquetFileError({ path, problem: 'truncated', detail: size === 0 ? 'the file is empty (0 bytes)' : `the file is only ${size} bytes, shorter than a Parquet header and footer` });
    }
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(counted, { parsers, initialFetchSize: FOOTER_FETCH });
    } catch (err) {
      throw await classifyFooterError(path, counted, err);
    }
    const predicates = [...(options.predicates ?? []), ...(options.timeRange ? timeRangePredicates(options.timeRange) : [])];
    let fileSchema: ReturnType<typeof describeFileSchema>;
    try {
      fileSchema = describeFileSchema(metadata.schema);
    } catch (err) {
      // a schema list whose num_children point past its end
      throw new ParquetFileError({ path, problem: 'corrupt', detail: `the schema cannot be read (${(err as Error).message})`, cause: err });
    }
    const problems: string[] = [];
    if (options.expectedSchema) problems.push(...schemaDifferences(fileSchema, options.expectedSchema));
    if (options.siblings) problems.push(...options.siblings.check(path, fileSchema, options.columns ? [...options.columns, ...predicates.map((p) => p.column)] : undefined));
    const wanted = new Set([...(options.columns ?? []), ...predicates.map((p) => p.column)]);
    for (const c of wanted) {
      if (!fileSchema.has(c) && !problems.some((p) => p.startsWith(`column "${c}"`))) problems.push(`column "${c}" is missing`);
    }
    if (problems.length > 0) {
      throw new ParquetFileError({ path, problem: 'schema-mismatch', detail: problems.join('; ') });
    }
    let readColumns = options.columns;
    let extraColumns: string[] = [];
    if (readColumns && predicates.length > 0 && options.filterRows !== false) {
      extraColumns = [...new Set(predicates.map((p) => p.column))].filter((c) => !readColumns!.includes(c));
      readColumns = [...readColumns, ...extraColumns];
    }
    checkFooterClaims(path, metadata, size, readColumns, limits);
    return new ParquetReader<R>(path, metadata, counted, () => file.close(), options, stats, readColumns, extraColumns, predicates, limits);
  }

  /** Closes the file; `batches()` closes it too when it ends, however it ends. */
  close(): Promise<void> {
    return this.release();
  }

  get numRows(): number {
    return Number(this.metadata.num_rows);
  }

  /** Row groups to read and row groups that the statistics let us skip (by the predicates, or outside `skipOutside`). */
  plan(): { read: number[]; skipped: number[]; outside: number[] } {
    const read: number[] = [];
    const skipped: number[] = [];
    const outside: number[] = [];
    const range = this.options.skipOutside;
    this.metadata.row_groups.forEach((rg, i) => {
      if (Number(rg.num_rows) === 0) return;
      if (this.predicates.length > 0 && rowGroupCanBeSkipped(rg, this.predicates)) skipped.push(i);
      else if (range && rowGroupOutside(rg, range)) outside.push(i);
      else read.push(i);
    });
    return { read, skipped, outside };
  }

  /** One batch per row group read (per slice of a large row group), in file order. */
  async *batches(): AsyncIterable<RowBatch<R>> {
    for await (const { slice, data: rows } of this.loadSlices((slice) => this.loadSlice(slice))) {
      this.stats.rowsRead += rows.length;
      let out = rows;
      if (this.predicates.length > 0 && this.options.filterRows !== false) {
        out = rows.filter((r) => matchesAll(this.predicates, r));
        this.stats.rowsFiltered += rows.length - out.length;
        if (this.extraColumns.length > 0) {
          out = out.map((r) => {
            const copy: Row = {};
            for (const c of this.options.columns!) copy[c] = r[c];
            return copy;
          });
        }
      }
      this.stats.rowsEmitted += out.length;
      if (out.length > 0) yield { path: this.path, rowGroup: slice.group, firstRow: slice.first, rows: out as R[] };
    }
  }

  /**
   * The same rows as `batches()`, a column array per read column instead of a row object per row
   * (typed arrays for numeric columns, as hyparquet decodes them): the input of a column-batch
   * pipeline (sdk/values/column-batch.ts). Rows are not filtered here, so a read with predicates
   * that filter rows must use `batches()`.
   */
  async *columnBatches(): AsyncIterable<ColumnSlice> {
    if (this.predicates.length > 0 && this.options.filterRows !== false) {
      throw new InternalError(`${this.path}: columnBatches() does not filter rows; read with batches(), or with filterRows: false`);
    }
    for await (const { slice, data: columns } of this.loadSlices((slice) => this.loadColumns(slice))) {
      const length = slice.end - slice.first;
      this.stats.rowsRead += length;
      this.stats.rowsEmitted += length;
      yield { path: this.path, rowGroup: slice.group, firstRow: slice.first, length, columns, millis: this.columnPlan!.millis };
    }
  }

  /** Loads the slices of the row groups read, `readAhead` ahead, in file order; releases a group's bytes after its last slice. */
  private async *loadSlices<T>(load: (slice: Slice) => Promise<T>): AsyncIterable<{ slice: Slice; data: T }> {
    const { read, skipped, outside } = this.plan();
    this.stats.rowGroupsSkipped += skipped.length + outside.length;
    for (const i of outside) this.stats.rowsSkippedOutside += Number(this.metadata.row_groups[i]!.num_rows);
    const starts: number[] = [];
    let at = 0;
    for (const rg of this.metadata.row_groups) {
      starts.push(at);
      at += Number(rg.num_rows);
    }
    // slices in file order; the slices of one row group share its fetched bytes
    const slices: Slice[] = [];
    for (const group of read) {
      const rows = Number(this.metadata.row_groups[group]!.num_rows);
      const bytes = new GroupBytes(this.file, this.stats, (start, end, ab) => this.checkChunks(group, start, end, ab));
      const count = Math.ceil(rows / this.limits.sliceRows);
      for (let i = 0; i < count; i++) {
        const first = starts[group]! + i * this.limits.sliceRows;
        slices.push({ group, first, end: Math.min(first + this.limits.sliceRows, starts[group]! + rows), last: i === count - 1, bytes });
      }
    }
    const readAhead = Math.max(0, this.options.readAhead ?? 1);
    const inFlight: { slice: Slice; load: Promise<T> }[] = [];
    let next = 0;
    const startNext = () => {
      if (next >= slices.length) return;
      const slice = slices[next++]!;
      const loading = load(slice);
      loading.catch(() => {}); // observed when awaited below
      inFlight.push({ slice, load: loading });
    };
    for (let i = 0; i <= readAhead; i++) startNext();
    try {
      while (inFlight.length > 0) {
        const { slice, load: loading } = inFlight[0]!;
        const data = await loading;
        if (slice.last) this.stats.rowGroupsRead++;
        yield { slice, data };
        inFlight.shift();
        if (slice.last) slice.bytes.release();
        startNext();
      }
    } finally {
      // read to the end: nothing in flight, the file is closed before the read ends
      if (inFlight.length === 0) await this.release();
      // stopped early or failed: release each row group's bytes once its loads have settled
      const pending = new Set(inFlight.map((f) => f.slice.bytes));
      const loads = inFlight.map((f) => f.load);
      if (loads.length > 0) {
        void Promise.allSettled(loads).then(() => {
          pending.forEach((b) => b.release());
          return this.release();
        });
      }
    }
  }

  async *rows(): AsyncIterable<R> {
    for await (const batch of this.batches()) yield* batch.rows;
  }

  /** Checks the pages of every column chunk read from `group` that lies inside fetched bytes [start, end). */
  private checkChunks(group: number, start: number, end: number, fetched: ArrayBuffer): void {
    const wanted = this.readColumns ? new Set(this.readColumns) : undefined;
    for (const chunk of this.metadata.row_groups[group]!.columns) {
      const meta = chunk.meta_data!;
      if (wanted && !wanted.has(meta.path_in_schema[0]!)) continue;
      const range = chunkRange(meta);
      if (range.start < start || range.end > end) continue;
      try {
        const path = getSchemaPath(this.metadata.schema, meta.path_in_schema);
        const levels = columnLevels(getMaxRepetitionLevel(path), getMaxDefinitionLevel(path), meta.codec);
        checkPages(new Uint8Array(fetched, range.start - start, range.end - range.start), meta.path_in_schema.join('.'), Number(meta.num_values), levels, this.limits);
      } catch (err) {
        if (!(err instanceof PageClaimError)) throw err;
        throw new ParquetFileError({ path: this.path, problem: err.problem, rowGroup: group, detail: err.detail });
      }
    }
  }

  private async loadSlice(slice: Slice): Promise<Row[]> {
    let rows: Row[] = [];
    await this.decode(slice, { onComplete: (r) => (rows = r) });
    if (rows.length !== slice.end - slice.first) throw this.miscounted(slice, rows.length);
    return rows;
  }

  /** The slice's rows as one array per read column (chunks of a column joined, trimmed to the slice). */
  private async loadColumns(slice: Slice): Promise<Record<string, ArrayLike<unknown>>> {
    const chunks = new Map<string, ColumnChunk[]>();
    const plan = (this.columnPlan ??= columnPlan(this.metadata, this.readColumns));
    await this.decode(
      slice,
      {
        onChunk: (c) => {
          let list = chunks.get(c.columnName);
          if (!list) chunks.set(c.columnName, (list = []));
          list.push({ data: c.columnData as ArrayLike<unknown>, start: c.rowStart });
        },
      },
      plan.metadata,
    );
    const columns: Record<string, ArrayLike<unknown>> = {};
    for (const name of plan.names) {
      let column = joinChunks(chunks.get(name) ?? [], slice.first, slice.end);
      if (column.length !== slice.end - slice.first) throw this.miscounted(slice, column.length);
      // In place unless the values are a view of the fetched bytes (an uncompressed page).
      if (plan.millis.has(name) && column instanceof BigInt64Array) column = millisOf(column, !slice.bytes.holds(column.buffer));
      columns[name] = column;
    }
    return columns;
  }

  /** How `loadColumns` decodes (made on first use). */
  private columnPlan: ColumnPlan | undefined;

  /** hyparquet over the slice's rows; a failure becomes the ParquetFileError that explains it. */
  private async decode(slice: Slice, output: { onComplete?: (rows: Row[]) => void; onChunk?: (chunk: ColumnData) => void }, metadata = this.metadata): Promise<void> {
    try {
      await parquetRead({
        file: slice.bytes,
        metadata,
        columns: this.readColumns,
        rowStart: slice.first,
        rowEnd: slice.end,
        compressors: this.compressors,
        parsers,
        utf8: false,
        rowFormat: 'object',
        ...output,
      });
      if (slice.bytes.failure !== undefined) throw slice.bytes.failure;
    } catch (caught) {
      // a failed fetch or page check explains whatever hyparquet made of the empty range
      const err = slice.bytes.failure ?? caught;
      const group = slice.group;
      if (err instanceof ParquetFileError) throw err;
      if (err instanceof PageLimitError) {
        throw new ParquetFileError({ path: this.path, problem: 'limit-exceeded', rowGroup: group, detail: `${err.message}; raise the limit in the read options (\`limits\`) if the file is genuine`, cause: err });
      }
      const cause = (err as { cause?: unknown }).cause;
      if (err instanceof StorageError || cause instanceof StorageError) throw unreadable(this.path, err instanceof StorageError ? err : cause);
      throw new ParquetFileError({ path: this.path, problem: 'corrupt', rowGroup: group, detail: `cannot decode column data (${(err as Error).message})`, cause: err });
    }
  }

  /** The pages hold fewer (or more) values than the footer claims: rows would be silently lost or made up. */
  private miscounted(slice: Slice, decoded: number): ParquetFileError {
    return new ParquetFileError({ path: this.path, problem: 'corrupt', rowGroup: slice.group, detail: `rows ${slice.first}..${slice.end} decode to ${decoded} rows, not ${slice.end - slice.first}` });
  }
}

interface Slice {
  group: number;
  /** File row indexes [first, end). */
  first: number;
  end: number;
  /** The row group's last slice: its bytes are released once consumed. */
  last: boolean;
  bytes: GroupBytes;
}

/**
 * Bytes fetched first from the end of the file: the footer's length and the closing magic, then
 * exactly the footer. A larger first guess would save a request but fetch the tail of the last
 * row group's column chunks too — bytes of columns the projection may exclude, paid per file on S3.
 */
const FOOTER_FETCH = 8;

/**
 * Row batches of one file, one per row group read. A bad file throws ParquetFileError, or goes
 * to `options.onBadFile` (counted in `stats.badFiles`); rows already emitted before a bad row
 * group stay emitted, and the error says which row group failed.
 */
export async function* readParquet<R = Row>(path: string, options: ParquetReadOptions = {}): AsyncIterable<RowBatch<R>> {
  const stats = (options.stats ??= newReadStats());
  try {
    const reader = await ParquetReader.open<R>(path, options);
    yield* reader.batches();
  } catch (err) {
    const bad = err instanceof ParquetFileError ? err : undefined;
    if (!bad || !options.onBadFile) throw err;
    stats.badFiles++;
    options.onBadFile(bad);
  }
}

/** Rows of one file (see `readParquet`). */
export async function* readParquetRows<R = Row>(path: string, options: ParquetReadOptions = {}): AsyncIterable<R> {
  for await (const batch of readParquet<R>(path, options)) yield* batch.rows;
}
