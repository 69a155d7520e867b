/**
 * One run of a Kappa+ replay (`KappaReplayFn.process`): reads a step's partitions per source,
 * `fileConcurrency` files at once, paces rows through the throttles, keeps the restriction's
 * position in step with the output, and reports progress in order (`ProgressBook`).
 */
import { Instant, rowsOf, type ColumnBatch, type SplittableProcessContext } from '../../sdk/index.js';
import { ParquetReader, newReadStats, type ColumnSlice, type ParquetReadStats, type Row } from '../parquet/read.js';
import { SiblingSchema } from '../parquet/sibling-schema.js';
import type { Partition, PartitionFile } from '../warehouse/partitions.js';
import { RowPacer, TokenBucket, type ReplayClock } from './clock.js';
import type { KappaTable, ReplayProgress, Throttle } from './options.js';
import type { ReplayClaim, ReplayPosition, ReplayTracker } from './position.js';
import { KappaReplayError } from './errors.js';
import { ProgressBook } from './replay-progress.js';
import type { KappaReplayFn } from './replay-fn.js';
import type { Step } from './steps.js';

/**
 * Rows handed downstream at a time inside a row group, when they go out as row objects.
 * Delivering while the rows are young lets V8 collect them (and their WindowedValues) in a
 * scavenge; a whole row group of 50,000 held until its end gets promoted and costs full
 * collections.
 */
const DELIVER_EVERY = 4096;

/**
 * The same for column batches: a whole slice (up to the reader's `sliceRows`) at once. A batch
 * holds views of the decoded columns, nothing per row, so there is nothing young to keep young,
 * and each delivery is a runner turn (flush, finishBundle, progress, position): one per slice
 * instead of one per 4,096 rows. (Session 9 measured 65,536 at twice the CPU of 4,096; the cause
 * was the executor counting the read's buffer as state a watermark step released, and requesting
 * a full collection at every step — fixed in runners/direct/executor.ts `releasableElements`.)
 */
const DELIVER_BATCHES_EVERY = Infinity;

function bucket(rate: number | undefined, burst: number | undefined, clock: ReplayClock): TokenBucket | undefined {
  return rate ? new TokenBucket(rate, clock, burst) : undefined;
}

export class ReplayRun {
  readonly book: ProgressBook;
  private readonly startedAt: number;
  private lastProgressAt: number;
  private readonly pacers = new Map<string, RowPacer | undefined>();
  private readonly byteBuckets = new Map<string, TokenBucket[]>();
  /** Per source: the first file read sets the read columns' types for its siblings. */
  private readonly siblings = new Map<string, SiblingSchema>();
  /** Partitions of the current step not completed yet, over the whole group. */
  private pendingInStep = 0;
  /** The partition whose completion completed the step: reported after the step's watermark. */
  private stepCompletedBy: { source: string; partition: string } | undefined;

  constructor(
    private readonly fn: KappaReplayFn,
    private readonly ctx: SplittableProcessContext<Row, Record<string, Row>>,
    private readonly tracker: ReplayTracker,
    private readonly clock: ReplayClock,
    steps: readonly Step[],
  ) {
    const { options, sources } = fn.spec;
    const group: Throttle = options.throttle ?? {};
    const groupRows = bucket(group.rowsPerSecond, group.rowsBurst, clock);
    const groupBytes = bucket(group.bytesPerSecond, group.bytesBurst, clock);
    for (const { name, table } of sources) {
      const own: Throttle = table.throttle ?? {};
      const rows = [bucket(own.rowsPerSecond, own.rowsBurst, clock), groupRows].filter((b): b is TokenBucket => b !== undefined);
      this.pacers.set(name, rows.length > 0 ? new RowPacer(rows, clock) : undefined);
      this.byteBuckets.set(name, [bucket(own.bytesPerSecond, own.bytesBurst, clock), groupBytes].filter((b): b is TokenBucket => b !== undefined));
    }
    this.book = new ProgressBook(sources.map((s) => s.name), steps);
    this.startedAt = this.lastProgressAt = clock.now();
  }

  /** After a resume: the steps already done, and the files of the current step already read, count as done. */
  skipCompleted(steps: readonly Step[], start: ReplayPosition): void {
    const finished = new Set(start.finished);
    for (const step of steps) {
      if (step.index > start.step) break;
      for (const [source, partitions] of step.partitions) {
        for (const p of partitions) {
          if (step.index < start.step) this.book.partitionDone(source);
          for (const f of p.files) if (step.index < start.step || finished.has(f.path)) this.book.fileDone(source, f.size, false);
        }
      }
      if (step.index < start.step && step.watermark !== undefined) this.book.watermark = Instant.ofEpochMillis(step.watermark);
    }
  }

  startStep(step: Step): void {
    this.pendingInStep = [...step.partitions.values()].reduce((n, list) => n + list.length, 0);
    this.stepCompletedBy = undefined;
  }

  /** The step is complete for the group (its watermark, if any, already moved): report the partition that completed it. */
  endStep(): void {
    const last = this.stepCompletedBy;
    if (last) this.report('partition', last);
    this.stepCompletedBy = undefined;
  }

  async readSourceStep(source: string, table: KappaTable, step: Step, finished: ReadonlySet<string>): Promise<void> {
    const { options } = this.fn.spec;
    for (const partition of step.partitions.get(source) ?? []) {
      if (this.ctx.stopped) return;
      options.trace?.({ kind: 'open', source, partition: partition.label });
      const rows = await this.readPartition(source, table, step, partition, finished);
      if (this.ctx.stopped) return;
      options.trace?.({ kind: 'complete', source, partition: partition.label, rows });
      this.fn.count('partitionsRead', 1, source);
      this.book.partitionDone(source);
      if (--this.pendingInStep === 0) this.stepCompletedBy = { source, partition: partition.label };
      else this.report('partition', { source, partition: partition.label });
    }
  }

  private async readPartition(source: string, table: KappaTable, step: Step, partition: Partition, finished: ReadonlySet<string>): Promise<number> {
    const files = partition.files.filter((f) => !finished.has(f.path));
    const concurrency = Math.max(1, this.fn.spec.options.fileConcurrency ?? 4);
    let next = 0;
    let rows = 0;
    const worker = async () => {
      while (next < files.length && !this.ctx.stopped) {
        const file = files[next++]!;
        const claim: ReplayClaim = { kind: 'file', step: step.index, source, path: file.path };
        if (!this.tracker.tryClaim(claim)) return;
        await this.fn.spec.options.beforeFile?.(source, partition.label, file.path);
        const emitted = await this.readFile(source, table, file);
        if (this.ctx.stopped) return;
        rows += emitted;
        this.tracker.finished(claim);
        this.book.fileDone(source, file.size);
        this.report('file', { source, partition: partition.label, file: file.path });
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
    return rows;
  }

  private siblingsOf(source: string): SiblingSchema {
    let s = this.siblings.get(source);
    if (!s) this.siblings.set(source, (s = new SiblingSchema()));
    return s;
  }

  private async readFile(source: string, table: KappaTable, file: PartitionFile): Promise<number> {
    const { options, mainOutput } = this.fn.spec;
    const path = file.path;
    const range = options.range;
    const tsColumn = table.timestampColumn;
    const stats: ParquetReadStats = newReadStats();
    const reader = await ParquetReader.open<Row>(path, {
      columns: table.columns ? [...new Set([...table.columns, tsColumn])] : undefined,
      predicates: table.predicates ? [...table.predicates] : undefined,
      // Row groups wholly outside the range are skipped by their statistics (their rows count as out of range).
      skipOutside: range ? { column: tsColumn, start: range.from, end: range.to } : undefined,
      readAhead: options.readAhead,
      stats,
      size: file.size,
      siblings: this.siblingsOf(source),
    });
    this.fn.count('filesOpened', 1, source);
    const counts = this.book.of(source);
    const pacer = this.pacers.get(source);
    const byteBuckets = this.byteBuckets.get(source)!;
    const afterRow = options.afterRow;
    let emitted = 0;
    let bytesSeen = 0;
    // Rows consumed from the file, in order; a resumed read skips those emitted before.
    let consumed = 0;
    const skip = this.tracker.emitted(path);
    // Without row predicates the file is decoded into columns — numbers for millisecond
    // timestamps, no BigInt per row — and goes out as column batches when the consumer takes
    // them (and no per-row hook waits), else as a row object per row made from the columns.
    // Predicates filter rows: the reader's row batches.
    const columnar = !table.predicates?.length;
    const batches = columnar && mainOutput && !afterRow ? this.ctx.batches : undefined;
    const slices = columnar ? reader.columnBatches() : reader.batches();
    for await (const slice of slices) {
      const rows = 'rows' in slice ? slice.rows : undefined;
      const columns = 'columns' in slice ? slice.columns : undefined;
      const length = rows ? rows.length : (slice as ColumnSlice).length;
      const tsValues = rows ? undefined : columns![tsColumn]!;
      const before = consumed;
      // The rows of the slice that go out: all of them in order (`picked` undefined, the common
      // case), or those indexes; their event times; the position after each.
      let picked: number[] | undefined;
      let times: ArrayLike<number>;
      let after: (i: number) => number;
      let outOfRange = 0;
      const millis = !rows && (slice as ColumnSlice).millis.has(tsColumn);
      if (before >= skip && tsValues instanceof Float64Array && ((millis && !range) || plainTimes(tsValues, range?.from, range?.to))) {
        // Every row goes out, the timestamp column is their event times as they are.
        times = tsValues;
        after = (i) => before + i;
        consumed += length;
      } else {
        picked = [];
        const kept: number[] = [];
        const positions: number[] = [];
        for (let r = 0; r < length; r++) {
          if (consumed < skip) {
            consumed++;
            continue;
          }
          consumed++;
          const ts = timestampOf(rows ? rows[r]![tsColumn] : tsValues![r], tsColumn, path);
          if (range && (ts < range.from || ts >= range.to)) {
            outOfRange++;
            continue;
          }
          picked.push(r);
          kept.push(ts);
          positions.push(consumed);
        }
        times = kept;
        after = (i) => positions[i - 1]!;
      }
      const count = picked ? picked.length : length;
      this.fn.count('outOfRange', outOfRange, source);
      counts.outOfRange += outOfRange;
      const picks = batches ? pickRows(columns!, length, picked) : undefined;
      // rows made from the columns by the layout's generated class (sdk/values/row-source.ts)
      const made = rows ? undefined : rowsOf(slice as ColumnSlice);
      // Deliveries: at most DELIVER_EVERY rows (a whole slice for batches), one row with an afterRow hook, and no more than
      // the throttles grant — no row goes out before its token.
      for (let i = 0; i < count; ) {
        const wanted = afterRow ? 1 : Math.min(count - i, picks ? DELIVER_BATCHES_EVERY : DELIVER_EVERY);
        const n = pacer ? await pacer.grant(wanted) : wanted;
        if (this.ctx.stopped) return emitted;
        if (picks) batches!.output(picks(i, i + n), timesOf(times, i, i + n));
        else {
          for (let j = i; j < i + n; j++) {
            const r = picked ? picked[j]! : j;
            const row = made ? made.at(r) : rows![r]!;
            if (mainOutput) this.ctx.outputWithTimestamp(row, times[j]! as Instant);
            else this.ctx.outputToWithTimestamp(source, row, times[j]! as Instant);
          }
        }
        i += n;
        // Output and position change together, with no await between: a checkpoint sees both.
        this.tracker.progress(path, i === count ? consumed : after(i));
        emitted += n;
        counts.rows += n;
        this.fn.count('rows', n, source);
        await this.ctx.flush();
        if (afterRow) await afterRow(source);
        this.report('tick');
      }
      if (count === 0) this.tracker.progress(path, consumed);
      const bytes = stats.bytesFetched - bytesSeen;
      bytesSeen = stats.bytesFetched;
      await Promise.all(byteBuckets.map((b) => b.take(bytes)));
      await this.ctx.flush();
      this.report('tick');
    }
    this.fn.count('rowGroupsSkipped', stats.rowGroupsSkipped, source);
    this.fn.count('bytesFetched', stats.bytesFetched, source);
    this.fn.count('outOfRange', stats.rowsSkippedOutside, source);
    counts.outOfRange += stats.rowsSkippedOutside;
    counts.rowGroupsSkipped += stats.rowGroupsSkipped;
    counts.bytesFetched += stats.bytesFetched;
    return emitted;
  }

  /** A progress event; a `tick` only when nothing was reported for a second of clock time. */
  report(kind: ReplayProgress['event'], where: { source?: string; partition?: string; file?: string } = {}): void {
    const now = this.clock.now();
    if (kind === 'tick' && now - this.lastProgressAt < 1000) return;
    this.lastProgressAt = now;
    const progress = this.book.event(kind, now - this.startedAt, where);
    this.fn.setProgressGauges(progress);
    this.fn.spec.options.onProgress?.(progress);
  }
}

/**
 * The picked rows [from, to) of a column slice as a batch: views of the columns when every row
 * of the slice goes out in order (`picked` undefined: nothing skipped or out of range), copies of
 * the picked values otherwise.
 */
function pickRows(columns: Record<string, ArrayLike<unknown>>, length: number, picked: readonly number[] | undefined): (from: number, to: number) => ColumnBatch<Row> {
  return (from, to) => {
    const out: Record<string, ArrayLike<unknown>> = {};
    for (const name in columns) {
      const c = columns[name]!;
      if (!picked) out[name] = from === 0 && to === length ? c : sliceOf(c, from, to);
      else {
        const copy: unknown[] = new Array(to - from);
        for (let j = from; j < to; j++) copy[j - from] = c[picked[j]!];
        out[name] = copy;
      }
    }
    return { length: to - from, columns: out };
  };
}

/** Event times [from, to) of a slice's picked rows (a view when they are the timestamp column itself). */
function timesOf(times: ArrayLike<number>, from: number, to: number): ArrayLike<number> {
  if (times instanceof Float64Array) return from === 0 && to === times.length ? times : times.subarray(from, to);
  return (times as number[]).slice(from, to);
}

/**
 * Whether every value is already an event time as `timestampOf` would make it (a finite integer:
 * millisecond timestamps decode so; a DOUBLE column may hold anything), inside [from, to) if given.
 */
function plainTimes(values: Float64Array, from = -Infinity, to = Infinity): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= from && v < to && v === Math.floor(v) && v - v === 0)) return false;
  }
  return true;
}

/** Values [from, to) of a column: a view of a typed array, a copy of a plain one. */
function sliceOf(c: ArrayLike<unknown>, from: number, to: number): ArrayLike<unknown> {
  if (ArrayBuffer.isView(c)) return (c as unknown as { subarray(a: number, b: number): ArrayLike<unknown> }).subarray(from, to);
  return Array.prototype.slice.call(c, from, to);
}

function timestampOf(v: unknown, column: string, path: string): number {
  let t: number | undefined;
  if (typeof v === 'number') t = v;
  else if (typeof v === 'bigint') t = Number(v);
  else if (v instanceof Date) t = v.getTime();
  else if (typeof v === 'string') t = Date.parse(v);
  if (t === undefined || !Number.isFinite(t)) {
    throw new KappaReplayError(`${path}: column "${column}" holds ${v === undefined ? 'no value' : JSON.stringify(String(v))}, not an event time; every row needs an epoch-ms number, a Parquet timestamp, a Date or an ISO string there`);
  }
  return Math.floor(t);
}
