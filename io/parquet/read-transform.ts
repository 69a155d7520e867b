/**
 * `ParquetIO.read`: the Parquet source as a composite transform over `io/storage`, in the shape
 * of Beam Go's `parquetio.Read` — one step expands the path, glob or warehouse table into files
 * (checked when the pipeline starts), a second reads each file, streaming its row groups through
 * `readParquet` and emitting rows one at a time from an async generator (so the runner's
 * backpressure reaches the reader), and, with `timestampColumn`, a third gives each row its event
 * timestamp.
 *
 * Bad input never disappears: by default a bad file fails the job with the ParquetFileError
 * message naming the file; with `deadLetter: true` the output is `{ rows, deadLetter }` and the
 * bad file (or a row without a usable timestamp) goes to `deadLetter`, counted in
 * `parquetio/badFiles` (`parquetio/badRows`).
 */
import { DoFn, Impulse, Instant, Metrics, ParDo, PTransform, TransformOptionError, type PBegin, type PCollection, type ProcessContext } from '../../sdk/index.js';
import { ExpandFilesFn, FileMatchError, checkScheme, type DeadLetter, type FileRef } from '../warehouse/files.js';
import { hive, type Layout } from '../warehouse/layout.js';
import { discoverPartitions } from '../warehouse/partitions.js';
import { validate } from '../storage/index.js';
import { ParquetFileError, RowTimestampError } from './errors.js';
import type { Predicate, TimeRange } from './predicates.js';
import { newReadStats, readParquet, type ParquetReadStats, type Row } from './read.js';
import type { ParquetReadLimits } from './limits.js';
import type { RowSchema } from './schema.js';
import { SiblingSchema } from './sibling-schema.js';

export interface ParquetIOReadOptions {
  /** One file, a directory (every `.parquet` file below it) or a glob (`/data/t/dt=2024-01-*\/**\/*.parquet`). */
  path?: string;
  /** Several of the same. */
  paths?: string[];
  /** A warehouse table root; its partitions are discovered with `layout`, oldest first. */
  table?: string;
  /** The table's layout: `'hourly'`, `'daily'` or a `hive(...)` / `template(...)` layout (default `'hourly'`). */
  layout?: Layout | 'hourly' | 'daily';
  /** Partitions of the table to read, `[start, end)` epoch ms (default: `timeRange`, else all). */
  range?: { start: number; end: number };
  /** An expected partition of the table with no folder fails the job (default), or is ignored. */
  missingPartitions?: 'fail' | 'ignore';
  /** Columns to read (default: all). */
  columns?: string[];
  /** ANDed predicates: skip row groups by statistics, then filter rows. */
  predicates?: Predicate[];
  /** Keep rows with `start ≤ column < end`. */
  timeRange?: TimeRange;
  /** Column holding each row's event time (epoch ms): it becomes the element's timestamp. */
  timestampColumn?: string;
  /** The table's schema: a file whose schema differs is a `schema-mismatch`. */
  schema?: RowSchema;
  /** Row groups fetched ahead of the one being emitted, per file (default 1). */
  readAhead?: number;
  /** What a file may claim before decoding, and rows decoded at once (defaults: DEFAULT_READ_LIMITS); a file over them is a bad file. */
  limits?: Partial<ParquetReadLimits>;
  /** Route bad files and rows to a `deadLetter` output instead of failing the job. */
  deadLetter?: boolean;
}

export interface ParquetReadOutputs<R> {
  rows: PCollection<R>;
  deadLetter: PCollection<DeadLetter>;
}

type ReadConfig = Omit<ParquetIOReadOptions, 'layout'> & { layout: Layout };

function toLayout(layout: ParquetIOReadOptions['layout']): Layout {
  if (layout === undefined || layout === 'hourly') return hive({ granularity: 'hour' });
  if (layout === 'daily') return hive({ granularity: 'day' });
  return layout;
}

/** The files of a warehouse table's partitions in the range, oldest partition first. */
async function tableFiles(cfg: ReadConfig): Promise<FileRef[]> {
  const table = cfg.table!;
  await validate(table, 'read');
  const range = cfg.range ?? (cfg.timeRange ? { start: cfg.timeRange.start, end: cfg.timeRange.end } : undefined);
  const d = await discoverPartitions(table, { layout: cfg.layout, range });
  if (d.missingPartitions.length > 0 && cfg.missingPartitions !== 'ignore') {
    const shown = d.missingPartitions.slice(0, 5).map((p) => p.label);
    throw new FileMatchError(
      table,
      `${d.missingPartitions.length} expected partition(s) missing: ${shown.join(', ')}${d.missingPartitions.length > 5 ? ', ...' : ''}. ` +
        `Write them, narrow the range, or pass missingPartitions: 'ignore'`,
    );
  }
  if (d.partitions.length === 0) throw new FileMatchError(table, 'no partitions found (the table is empty or the layout does not match)');
  return d.partitions.flatMap((p) => p.files);
}

/** Expands a warehouse table into its files when the pipeline starts. */
class ExpandTableFn extends DoFn<Uint8Array, FileRef> {
  private files: FileRef[] | undefined;
  private readonly partitionFiles = Metrics.counter('parquetio', 'filesMatched');
  constructor(readonly cfg: ReadConfig) {
    super();
  }
  override async setup(): Promise<void> {
    this.files = await tableFiles(this.cfg);
  }
  async process(): Promise<FileRef[]> {
    const files = this.files ?? (await tableFiles(this.cfg));
    this.files = undefined;
    this.partitionFiles.inc(files.length);
    return files;
  }
}

/** Reads one file, one row group at a time, emitting its rows one by one. */
class ReadParquetFileFn extends DoFn<FileRef, Row, { deadLetter: DeadLetter }> {
  private readonly counters = {
    filesOpened: Metrics.counter('parquetio', 'filesOpened'),
    rowGroupsRead: Metrics.counter('parquetio', 'rowGroupsRead'),
    rowGroupsSkipped: Metrics.counter('parquetio', 'rowGroupsSkipped'),
    rows: Metrics.counter('parquetio', 'rows'),
    rowsFiltered: Metrics.counter('parquetio', 'rowsFiltered'),
    bytesFetched: Metrics.counter('parquetio', 'bytesFetched'),
    badFiles: Metrics.counter('parquetio', 'badFiles'),
    badRows: Metrics.counter('parquetio', 'badRows'),
  };
  /** Without a declared schema, the first file read sets the read columns' types for the rest. */
  private readonly siblings = new SiblingSchema();
  constructor(
    readonly cfg: ReadConfig,
    /** Columns actually read: the projection plus the timestamp column. */
    readonly columns: string[] | undefined,
  ) {
    super();
  }

  process(file: FileRef, ctx: ProcessContext<Row, { deadLetter: DeadLetter }>): AsyncGenerator<Row> {
    return this.rows(file, ctx);
  }

  private async *rows(file: FileRef, ctx: ProcessContext<Row, { deadLetter: DeadLetter }>): AsyncGenerator<Row> {
    const cfg = this.cfg;
    const stats = newReadStats();
    const reported = newReadStats();
    const report = () => this.report(stats, reported);
    const onBadFile = cfg.deadLetter
      ? (e: ParquetFileError) => {
          report();
          this.counters.badFiles.inc();
          ctx.outputTo('deadLetter', { path: e.path, problem: e.problem, message: e.message });
        }
      : undefined;
    const tsColumn = cfg.timestampColumn;
    try {
      for await (const batch of readParquet(file.path, {
        columns: this.columns,
        predicates: cfg.predicates,
        timeRange: cfg.timeRange,
        expectedSchema: cfg.schema,
        siblings: cfg.schema ? undefined : this.siblings,
        readAhead: cfg.readAhead,
        limits: cfg.limits,
        size: file.size,
        stats,
        onBadFile,
      })) {
        report();
        for (let i = 0; i < batch.rows.length; i++) {
          const row = batch.rows[i]!;
          if (tsColumn !== undefined && !validTimestamp(row[tsColumn])) {
            const message = `Parquet file ${file.path} (row group ${batch.rowGroup}): row ${batch.firstRow + i} has no usable event time in column "${tsColumn}" (got ${describe(row[tsColumn])}); expected epoch milliseconds`;
            if (!cfg.deadLetter) throw new RowTimestampError(file.path, tsColumn, row, message);
            this.counters.badRows.inc();
            ctx.outputTo('deadLetter', { path: file.path, problem: 'bad-timestamp', message, row });
            continue;
          }
          yield row;
        }
      }
    } finally {
      report();
    }
  }

  private report(stats: ParquetReadStats, reported: ParquetReadStats): void {
    const c = this.counters;
    const bump = (counter: { inc(n: number): void }, key: keyof ParquetReadStats, as: keyof ParquetReadStats = key) => {
      const d = stats[key] - reported[as];
      if (d !== 0) counter.inc(d);
      reported[as] = stats[key];
    };
    bump(c.filesOpened, 'filesOpened');
    bump(c.rowGroupsRead, 'rowGroupsRead');
    bump(c.rowGroupsSkipped, 'rowGroupsSkipped');
    bump(c.rows, 'rowsEmitted');
    bump(c.rowsFiltered, 'rowsFiltered');
    bump(c.bytesFetched, 'bytesFetched');
  }
}

function validTimestamp(v: unknown): boolean {
  return (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER));
}

function describe(v: unknown): string {
  return v === null || v === undefined ? String(v) : `${typeof v} ${String(v).slice(0, 40)}`;
}

/**
 * Gives each row the event time in `column` (epoch ms, a number or a bigint). Rows reach it with
 * the timestamp of the impulse (the minimum), so moving them later is always allowed; a row from
 * another source may be moved earlier too (`allowedTimestampSkew = Infinity`). Drops the column
 * when it was read only for this.
 */
export class AssignTimestampsFn extends DoFn<Row, Row> {
  override allowedTimestampSkew = Number.POSITIVE_INFINITY;
  constructor(
    readonly column: string,
    readonly drop: boolean,
  ) {
    super();
  }
  process(row: Row, ctx: ProcessContext<Row>): void {
    const v = row[this.column];
    const ts = Instant.ofEpochMillis(typeof v === 'bigint' ? Number(v) : (v as number));
    if (this.drop) {
      const copy: Row = {};
      for (const k in row) if (k !== this.column) copy[k] = row[k];
      ctx.outputWithTimestamp(copy, ts);
    } else ctx.outputWithTimestamp(row, ts);
  }
}

export class ParquetRead<R, Out> extends PTransform<PBegin, Out> {
  private readonly cfg: ReadConfig;
  constructor(options: ParquetIOReadOptions) {
    super('ParquetIO.read');
    const sources = [options.path !== undefined, options.paths !== undefined, options.table !== undefined].filter(Boolean).length;
    if (sources !== 1) throw new TransformOptionError('ParquetIO.read', 'path', 'ParquetIO.read: give exactly one of path, paths or table');
    if (options.paths?.length === 0) throw new TransformOptionError('ParquetIO.read', 'paths', 'ParquetIO.read: paths is empty');
    for (const p of options.paths ?? [options.path ?? options.table!]) checkScheme(p);
    this.cfg = { ...options, layout: toLayout(options.layout) };
  }

  expand(input: PBegin): Out {
    const cfg = this.cfg;
    const impulse = input.pipeline.apply('Impulse', Impulse.create());
    const files: PCollection<FileRef> = cfg.table
      ? impulse.apply('ExpandTable', ParDo.of(new ExpandTableFn(cfg)))
      : impulse.apply('ExpandFiles', ParDo.of(new ExpandFilesFn(cfg.paths ?? [cfg.path!], { extensions: ['.parquet'] })));
    const ts = cfg.timestampColumn;
    const readTs = ts !== undefined && cfg.columns !== undefined && !cfg.columns.includes(ts);
    const columns = readTs ? [...cfg.columns!, ts!] : cfg.columns;
    const readFn = new ReadParquetFileFn(cfg, columns);
    let rows: PCollection<Row>;
    let deadLetter: PCollection<DeadLetter> | undefined;
    if (cfg.deadLetter) {
      const out = files.apply('ReadFiles', ParDo.of(readFn).withOutputTags('deadLetter'));
      rows = out.main;
      deadLetter = out.deadLetter;
    } else {
      rows = files.apply('ReadFiles', ParDo.of(readFn));
    }
    if (ts !== undefined) rows = rows.apply('AssignTimestamps', ParDo.of(new AssignTimestampsFn(ts, readTs)));
    return (deadLetter ? { rows, deadLetter } : rows) as Out;
  }
}
