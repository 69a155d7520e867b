/**
 * `ParquetIO.writePartitioned`: the partitioned Parquet sink as a composite transform, in Beam's
 * windowed-write style:
 *
 *   AssignTimestamps (from `timestampColumn`)
 *   → Window.into(FixedWindows.of(1 hour | 1 day))      one window per partition
 *   → AssignShards: key by (partition, shard)
 *   → GroupByKey                                          fires when the watermark passes the
 *                                                         partition's end: that is when a
 *                                                         partition's files are finalized
 *   → WriteFiles: writes the pane's rows to the partition's folder with the runner-independent
 *     `PartitionedParquetWriter` (atomic files, rolled by rows or bytes), Hive style
 *     `dt=YYYY-MM-DD/hr=HH/part-<shard>-<n>.parquet`, and outputs one `WrittenFile` per file.
 *
 * Late data (arriving after its partition was finalized, within `allowedLateness`) fires a LATE
 * pane; its rows are written as additional files `part-<shard>-late<pane>-<n>.parquet`, never
 * over the on-time files, and counted (`parquetio/latePanes`, `parquetio/lateRows`). Data later
 * than the allowed lateness is dropped by the GroupByKey and counted there (`droppedLate`).
 */
import {
  DoFn,
  Duration,
  FixedWindows,
  Flatten,
  GlobalWindows,
  PCollectionList,
  GroupByKey,
  Instant,
  Metrics,
  ParDo,
  PTransform,
  Window,
  kv,
  type IntervalWindow,
  type KV,
  type PCollection,
  type ProcessContext,
} from '../../sdk/index.js';
import { validate } from '../storage/index.js';
import { checkScheme, type DeadLetter } from '../warehouse/files.js';
import { hive, labelFor } from '../warehouse/layout.js';
import { PartitionedParquetWriter } from '../warehouse/sink.js';
import { RowTimestampError, type ParquetRowError } from './errors.js';
import type { Row } from './read.js';
import type { RowSchema } from './schema.js';
import { writeParquet, type Compression } from './write.js';
import { TwoPhaseWrite, type CommittedFile, type PendingFileFormat } from '../two-phase/two-phase-write.js';
import { TransformOptionError } from '../../sdk/errors.js';

export interface WritePartitionedOptions {
  /** Table root: `/data/clicks` or `s3://bucket/clicks`. */
  table: string;
  /** One folder per hour (`dt=…/hr=…`) or per day (`dt=…`). */
  layout: 'hourly' | 'daily';
  schema: RowSchema;
  /** Column holding each row's event time (epoch ms): it picks the partition. */
  timestampColumn: string;
  /** Roll to a new file after this many rows (default 1,000,000). */
  maxRowsPerFile?: number;
  /** Roll to a new file once this many encoded bytes were written (checked at row-group boundaries). */
  maxBytesPerFile?: number;
  /** Default snappy. */
  compression?: Compression;
  /** Rows per row group (default 50,000). */
  rowGroupSize?: number;
  /** Writers per partition, each with its own files (default 1). */
  numShards?: number;
  /** How long after a partition is finalized late rows are still written, as late files (default 7 days). */
  allowedLateness?: Duration;
  /** Route rows that do not fit the schema or have no usable event time to `deadLetter` instead of failing. */
  deadLetter?: boolean;
  /**
   * Exactly-once on a runner with checkpoints (io/two-phase): each bundle writes its rows, per
   * partition, to pending files under `<table>/_pending`, moved to
   * `<partition>/part-<token>.parquet` once a durable checkpoint holds them. Files are written as
   * rows arrive (no waiting for the partition's end: no late files, `allowedLateness`,
   * `numShards` and the roll sizes do not apply); rows that do not fit the schema fail the job.
   */
  twoPhaseCommit?: boolean;
}

/** One file written by the sink. */
export interface WrittenFile {
  path: string;
  /** The partition's label, e.g. `dt=2024-01-01/hr=05`. */
  partition: string;
  /** The partition's interval [start, end), epoch ms. */
  start: number;
  end: number;
  shard: number;
  rows: number;
  bytes: number;
  /** Which firing of the partition wrote it (0: on time). */
  pane: number;
  /** Written by a late pane, after the partition was finalized. */
  late: boolean;
}

export interface WritePartitionedOutputs {
  files: PCollection<WrittenFile>;
  deadLetter: PCollection<DeadLetter>;
}

interface ShardKey {
  partition: string;
  shard: number;
}

/** Gives each row the event time in its timestamp column; a row without one fails or goes to the dead letter. */
class EventTimeFn extends DoFn<Row, Row, { deadLetter: DeadLetter }> {
  override allowedTimestampSkew = Number.POSITIVE_INFINITY;
  private readonly badRows = Metrics.counter('parquetio', 'badRows');
  constructor(
    readonly table: string,
    readonly column: string,
    readonly deadLetter: boolean,
  ) {
    super();
  }
  process(row: Row, ctx: ProcessContext<Row, { deadLetter: DeadLetter }>): void {
    const v = row[this.column];
    const ms = typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.getTime() : v;
    if (typeof ms !== 'number' || !Number.isFinite(ms)) {
      const message = `warehouse table ${this.table}: row has no usable event time in column "${this.column}" (got ${v === null || v === undefined ? String(v) : `${typeof v} ${String(v).slice(0, 40)}`}); expected epoch milliseconds`;
      if (!this.deadLetter) throw new RowTimestampError(this.table, this.column, row, message);
      this.badRows.inc();
      ctx.outputTo('deadLetter', { path: this.table, problem: 'bad-timestamp', message, row });
      return;
    }
    ctx.outputWithTimestamp(row, Instant.ofEpochMillis(ms));
  }
}

/** Keys each row by its partition (its window) and a shard, round robin. */
class AssignShardsFn extends DoFn<Row, KV<ShardKey, Row>> {
  private next = 0;
  constructor(
    readonly granularity: 'hour' | 'day',
    readonly numShards: number,
  ) {
    super();
  }
  process(row: Row, ctx: ProcessContext<KV<ShardKey, Row>>): void {
    const w = ctx.window as IntervalWindow;
    const shard = this.next;
    this.next = (this.next + 1) % this.numShards;
    ctx.output(kv({ partition: labelFor(w.start, hive(), this.granularity), shard }, row));
  }
}

/** Writes one pane of one (partition, shard): its files, atomically, rolled by rows or bytes. */
class WritePartitionFn extends DoFn<KV<ShardKey, Row[]>, WrittenFile, { deadLetter: DeadLetter }> {
  private readonly counters = {
    files: Metrics.counter('parquetio', 'filesWritten'),
    rows: Metrics.counter('parquetio', 'rowsWritten'),
    bytes: Metrics.counter('parquetio', 'bytesWritten'),
    partitions: Metrics.counter('parquetio', 'partitionsFinalized'),
    latePanes: Metrics.counter('parquetio', 'latePanes'),
    lateRows: Metrics.counter('parquetio', 'lateRows'),
    lateFiles: Metrics.counter('parquetio', 'lateFiles'),
    badRows: Metrics.counter('parquetio', 'badRows'),
  };
  constructor(
    readonly options: WritePartitionedOptions,
    readonly granularity: 'hour' | 'day',
  ) {
    super();
  }

  override async setup(): Promise<void> {
    await validate(this.options.table, 'write');
  }

  async process(group: KV<ShardKey, Row[]>, ctx: ProcessContext<WrittenFile, { deadLetter: DeadLetter }>): Promise<void> {
    const o = this.options;
    const window = ctx.window as IntervalWindow;
    const pane = ctx.pane;
    const late = pane.timing === 'LATE' || pane.index > 0;
    const { shard } = group.key;
    const bad: ParquetRowError[] = [];
    const writer = new PartitionedParquetWriter<Row>({
      table: o.table,
      layout: hive({ granularity: this.granularity }),
      timestamp: o.timestampColumn,
      schema: o.schema,
      compression: o.compression,
      rowGroupSize: o.rowGroupSize,
      maxRowsPerFile: o.maxRowsPerFile,
      maxBytesPerFile: o.maxBytesPerFile,
      filePrefix: late ? `part-${shard}-late${pane.index}` : `part-${shard}`,
      onBadRow: o.deadLetter ? (e) => bad.push(e) : undefined,
    });
    for (const row of group.value) await writer.write(row);
    const finalized = await writer.close();
    for (const e of bad) ctx.outputTo('deadLetter', { path: e.path, problem: 'bad-row', message: e.message, row: e.row });
    this.counters.badRows.inc(bad.length);
    if (late) {
      this.counters.latePanes.inc();
      this.counters.lateRows.inc(writer.rowsWritten);
    } else this.counters.partitions.inc();
    for (const p of finalized) {
      for (const f of p.files) {
        this.counters.files.inc();
        this.counters.rows.inc(f.rows);
        this.counters.bytes.inc(f.bytes);
        if (late) this.counters.lateFiles.inc();
        ctx.output({ path: f.path, partition: p.label, start: window.start, end: window.end, shard, rows: f.rows, bytes: f.bytes, pane: pane.index, late });
      }
    }
  }
}

type PendingParquet = Omit<WrittenFile, 'path'>;

/** Parquet files for the two-phase-commit sink: one destination per partition. */
function parquetFormat(o: WritePartitionedOptions, granularity: 'hour' | 'day', size: number): PendingFileFormat<Row, PendingParquet> {
  return {
    suffix: '.parquet',
    pendingDir: `${o.table}/_pending`,
    destination: (_row, timestamp) => String(timestamp - (((timestamp % size) + size) % size)),
    finalPath: (start, token) => `${o.table}/${labelFor(Number(start), hive(), granularity)}/part-${token}.parquet`,
    async write(path, rows, start) {
      const result = await writeParquet(path, rows, { schema: o.schema, compression: o.compression, rowGroupSize: o.rowGroupSize });
      const from = Number(start);
      return { partition: labelFor(from, hive(), granularity), start: from, end: from + size, shard: 0, rows: result.rows, bytes: result.bytes, pane: 0, late: false };
    },
  };
}

class CommittedParquetFn extends DoFn<CommittedFile<PendingParquet>, WrittenFile> {
  private readonly files = Metrics.counter('parquetio', 'filesWritten');
  private readonly rows = Metrics.counter('parquetio', 'rowsWritten');
  process(file: CommittedFile<PendingParquet>): WrittenFile[] {
    this.files.inc();
    this.rows.inc(file.meta.rows);
    return [{ path: file.path, ...file.meta }];
  }
}

export class ParquetWritePartitioned<Out> extends PTransform<PCollection<Row>, Out> {
  private readonly granularity: 'hour' | 'day';
  constructor(private readonly options: WritePartitionedOptions) {
    super('ParquetIO.writePartitioned');
    if (options.layout !== 'hourly' && options.layout !== 'daily') {
      throw new TransformOptionError('ParquetIO.writePartitioned', 'layout', `ParquetIO.writePartitioned: layout must be 'hourly' or 'daily', got ${String(options.layout)}`);
    }
    if (!(options.timestampColumn in options.schema)) {
      throw new TransformOptionError('ParquetIO.writePartitioned', 'timestampColumn', `ParquetIO.writePartitioned: timestampColumn "${options.timestampColumn}" is not a column of the schema (${Object.keys(options.schema).join(', ')})`);
    }
    const shards = options.numShards ?? 1;
    if (!(Number.isInteger(shards) && shards > 0)) throw new TransformOptionError('ParquetIO.writePartitioned', 'numShards', `ParquetIO.writePartitioned: numShards must be a positive integer, got ${shards}`);
    checkScheme(options.table);
    this.granularity = options.layout === 'hourly' ? 'hour' : 'day';
  }

  expand(input: PCollection<Row>): Out {
    const o = this.options;
    const stamp = new EventTimeFn(o.table, o.timestampColumn, o.deadLetter === true);
    let stamped: PCollection<Row>;
    const dead: PCollection<DeadLetter>[] = [];
    if (o.deadLetter) {
      const out = input.apply('AssignTimestamps', ParDo.of(stamp).withOutputTags('deadLetter'));
      stamped = out.main;
      dead.push(out.deadLetter);
    } else stamped = input.apply('AssignTimestamps', ParDo.of(stamp));
    const size = this.granularity === 'hour' ? Duration.hours(1) : Duration.days(1);
    if (o.twoPhaseCommit) {
      const files = stamped
        .apply('TwoPhaseWrite', new TwoPhaseWrite(parquetFormat(o, this.granularity, size)))
        .apply('Files', ParDo.of(new CommittedParquetFn()));
      if (!o.deadLetter) return files as Out;
      return { files, deadLetter: dead[0]!.apply('DeadLetterGlobalWindow', Window.into<DeadLetter>(GlobalWindows.of())) } as Out;
    }
    const grouped = stamped
      .apply('Partition', Window.into<Row>(FixedWindows.of(size)).withAllowedLateness(o.allowedLateness ?? Duration.days(7)).discardingFiredPanes())
      .apply('AssignShards', ParDo.of(new AssignShardsFn(this.granularity, o.numShards ?? 1)))
      .apply('GroupByKey', GroupByKey.create<ShardKey, Row>());
    const write = new WritePartitionFn(o, this.granularity);
    if (!o.deadLetter) return grouped.apply('WriteFiles', ParDo.of(write)) as Out;
    const out = grouped.apply('WriteFiles', ParDo.of(write).withOutputTags('deadLetter'));
    dead.push(out.deadLetter.apply('DeadLetterGlobalWindow', Window.into<DeadLetter>(GlobalWindows.of())));
    const deadLetter = PCollectionList.of(dead).apply('DeadLetter', Flatten.pCollections<DeadLetter>());
    return { files: out.main, deadLetter } as Out;
  }
}
