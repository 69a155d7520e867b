/**
 * The Kappa+ replay as a splittable DoFn: its restriction is the replay position (a step, and the
 * files already finished inside it), its watermark estimator moves at each step completion. It
 * discovers every source, plans the steps (`steps.ts`), then replays step by step: within a step
 * each source reads its partitions one at a time, oldest first, `fileConcurrency` files at once;
 * the next step starts only when the whole group finished this one (KAPPA.md rules 3–7).
 */
import { Coders, Instant, Metrics, SplittableDoFn, type RestrictionTracker, type SplittableProcessContext } from '../../sdk/index.js';
import { ParquetReader, newReadStats, type ParquetReadStats, type Row } from '../parquet/read.js';
import { SiblingSchema } from '../parquet/sibling-schema.js';
import { validate } from '../storage/index.js';
import { hive, type Layout } from '../warehouse/layout.js';
import { discoverPartitions, type Partition } from '../warehouse/partitions.js';
import { systemClock, TokenBucket, type ReplayClock } from './clock.js';
import { ReplayPosition, ReplayTracker, type ReplayClaim } from './position.js';
import type { KappaReplayOptions, KappaTable, ReplayProgress } from './options.js';
import { NoPartitionsError } from './errors.js';
import { iso, planSteps, readInterval, type Step } from './steps.js';
import { TributaryError } from '../../sdk/errors.js';

export class KappaReplayError extends TributaryError {
  override readonly name = 'KappaReplayError';
}

export interface ReplaySpec {
  /** Sources in group order; their names are the output tags (or the main output for one). */
  readonly sources: ReadonlyArray<{ readonly name: string; readonly table: KappaTable }>;
  readonly options: KappaReplayOptions;
  /** One source read through `KappaReplay.read`: rows go to the main output. */
  readonly mainOutput: boolean;
}

interface Planned {
  readonly steps: Step[];
  readonly partitionsTotal: number;
}

const COUNTER_NAMES = ['outOfRange', 'partitionsRead', 'missingPartitions', 'unrecognizedPaths', 'filesOpened', 'rowGroupsSkipped', 'rows', 'bytesFetched'] as const;

export class KappaReplayFn extends SplittableDoFn<Uint8Array, Row, ReplayPosition, ReplayClaim, Record<string, Row>> {
  private readonly counters = Object.fromEntries(COUNTER_NAMES.map((n) => [n, Metrics.counter('kappa', n)])) as Record<(typeof COUNTER_NAMES)[number], ReturnType<typeof Metrics.counter>>;
  private readonly gauges = {
    partitionsCompleted: Metrics.gauge('kappa', 'partitionsCompleted'),
    partitionsTotal: Metrics.gauge('kappa', 'partitionsTotal'),
    rowsPerSecond: Metrics.gauge('kappa', 'rowsPerSecond'),
    watermark: Metrics.gauge('kappa', 'watermark'),
    etaSeconds: Metrics.gauge('kappa', 'etaSeconds'),
  };

  constructor(readonly spec: ReplaySpec) {
    super();
  }

  initialRestriction(): ReplayPosition {
    return ReplayPosition.START;
  }

  /** A restored position must be one this replay could have reported (issue #19.5). */
  override checkRestriction(position: ReplayPosition): string | undefined {
    const p = position as Partial<ReplayPosition> | null;
    if (typeof p !== 'object' || p === null) return `is ${String(p)}, not a replay position`;
    if (!Number.isSafeInteger(p.step) || p.step! < 0) return `has step ${JSON.stringify(p.step)}, not a step number`;
    if (!Array.isArray(p.finished) || p.finished.some((f) => typeof f !== 'string')) return 'has a "finished" field that is not a list of file paths';
    for (const [path, rows] of Object.entries(p.partial ?? {})) {
      if (!Number.isSafeInteger(rows) || rows < 0) return `says ${JSON.stringify(rows)} rows of ${path} were emitted, not a count of rows`;
    }
    if (p.partial !== undefined && (typeof p.partial !== 'object' || p.partial === null || Array.isArray(p.partial))) return 'has a "partial" field that is not a record of row counts';
    return undefined;
  }

  /** What a checkpoint of this replay belongs to: its tables, their layouts, and the range. */
  inputIdentity(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const { name, table } of this.spec.sources) {
      const layout = typeof table.layout === 'string' || table.layout === undefined ? (table.layout ?? 'hourly') : JSON.stringify(table.layout);
      out[`table ${name}`] = `${table.table} (${layout}, time ${table.timestampColumn})`;
    }
    const range = this.spec.options.range;
    out.range = range ? `${new Date(range.from).toISOString()} .. ${new Date(range.to).toISOString()}` : 'all partitions';
    return out;
  }

  restrictionCoder() {
    return Coders.json<ReplayPosition>();
  }

  newTracker(position: ReplayPosition): RestrictionTracker<ReplayPosition, ReplayClaim> {
    return new ReplayTracker(position);
  }

  async process(_: Uint8Array, tracker: RestrictionTracker<ReplayPosition, ReplayClaim>, ctx: SplittableProcessContext<Row, Record<string, Row>>): Promise<void> {
    const { options } = this.spec;
    const clock = options.clock ?? systemClock;
    const planned = await this.plan();
    // A resumed run starts where the runner's checkpoint left the restriction.
    const start = tracker.currentRestriction();
    if (start.step > planned.steps.length) {
      throw new KappaReplayError(`the restored replay position is at step ${start.step}, but the replay has ${planned.steps.length} steps: the checkpoint is damaged or belongs to other input; delete it to start over`);
    }
    const run = new ReplayRun(this, ctx, tracker as ReplayTracker, clock, planned.partitionsTotal);
    run.skipCompleted(planned.steps, start);
    for (const step of planned.steps) {
      if (step.index < start.step) continue;
      const finished = step.index === start.step ? new Set(start.finished) : new Set<string>();
      await Promise.all(this.spec.sources.map((s) => run.readSourceStep(s.name, s.table, step, finished)));
      if (ctx.stopped || !tracker.tryClaim({ kind: 'step', step: step.index + 1 })) return;
      if (step.watermark !== undefined) {
        const w = Instant.ofEpochMillis(step.watermark);
        run.watermark = w;
        options.trace?.({ kind: 'watermark', operator: 'source', value: w });
        this.gauges.watermark.set(step.watermark);
        await ctx.watermark.advance(w);
      }
      run.reportProgress(true);
    }
    run.reportProgress(true, true);
  }

  /** Discovers every source, applies the missing-partition policy, and plans the steps. */
  private async plan(): Promise<Planned> {
    const { options } = this.spec;
    const range = options.range;
    const inputs = [];
    const missing: string[] = [];
    for (const { name, table } of this.spec.sources) {
      await validate(table.table, 'read');
      const F = table.forwardSkew ?? 0;
      const B = table.backwardSkew ?? 0;
      const interval = range ? readInterval(range, F, B) : undefined;
      const d = await discoverPartitions(table.table, { layout: toLayout(table.layout), range: interval });
      this.counters.unrecognizedPaths.inc(d.unrecognizedPaths.length);
      // Expected partitions are those of the range (rule 5); the skew margins around it are read
      // when present, and an absent one there is not missing.
      const expected = range ? d.missingPartitions.filter((p) => p.end > range.from && p.start < range.to) : d.missingPartitions;
      this.counters.missingPartitions.inc(expected.length);
      for (const p of expected) missing.push(`${name} ${iso(p.start)} (${p.label})`);
      // Nothing at all to read is never what a backfill meant (a mistyped path, a wrong layout,
      // a range outside the data): fail, whatever the missing-partition policy.
      const inRange = range ? d.partitions.filter((p) => p.end > range.from && p.start < range.to) : d.partitions;
      if (!d.granularity || inRange.every((p) => p.missing)) {
        throw new NoPartitionsError(name, table.table, range ? { from: range.from, to: range.to } : undefined, d.present, inRange.length);
      }
      inputs.push({ name, granularity: d.granularity, partitions: d.partitions, backwardSkew: B });
    }
    if (missing.length > 0 && options.onMissingPartition === 'fail') {
      throw new KappaReplayError(
        `${missing.length} expected partition(s) missing: ${missing.join(', ')}. ` +
          `Write them, narrow the range, or replay them as empty with onMissingPartition: 'empty'`,
      );
    }
    const steps = planSteps(inputs, range ? { from: range.from, to: range.to } : undefined);
    return { steps, partitionsTotal: inputs.reduce((n, s) => n + s.partitions.length, 0) };
  }

  count(name: (typeof COUNTER_NAMES)[number], n: number): void {
    if (n) this.counters[name].inc(n);
  }

  setProgressGauges(p: ReplayProgress): void {
    this.gauges.partitionsCompleted.set(p.partitionsCompleted);
    this.gauges.partitionsTotal.set(p.partitionsTotal);
    this.gauges.rowsPerSecond.set(Math.round(p.rowsPerSecond));
    if (p.etaMs !== undefined) this.gauges.etaSeconds.set(Math.round(p.etaMs / 1000));
    // A bounded run ends at +∞ (KAPPA.md rule 7), as the last progress event says.
    if (p.done) this.gauges.watermark.set(p.watermark);
  }
}

/**
 * Rows handed downstream at a time inside a row group. Delivering while the rows are young lets
 * V8 collect them (and their WindowedValues) in a scavenge; a whole row group of 50,000 held until
 * its end gets promoted and costs full collections.
 */
const DELIVER_EVERY = 4096;

/** The mutable state of one replay: throttles, progress, the files in flight. */
class ReplayRun {
  watermark: Instant = Instant.MIN;
  private rows = 0;
  private completed = 0;
  private readonly startedAt: number;
  private lastProgressAt: number;
  private readonly groupRows: TokenBucket | undefined;
  private readonly groupBytes: TokenBucket | undefined;
  private readonly sourceBuckets = new Map<string, { rows?: TokenBucket; bytes?: TokenBucket }>();
  /** Per source: the first file read sets the read columns' types for its siblings. */
  private readonly siblings = new Map<string, SiblingSchema>();

  constructor(
    private readonly fn: KappaReplayFn,
    private readonly ctx: SplittableProcessContext<Row, Record<string, Row>>,
    private readonly tracker: ReplayTracker,
    private readonly clock: ReplayClock,
    private readonly partitionsTotal: number,
  ) {
    const throttle = fn.spec.options.throttle;
    this.groupRows = throttle?.rowsPerSecond ? new TokenBucket(throttle.rowsPerSecond, clock) : undefined;
    this.groupBytes = throttle?.bytesPerSecond ? new TokenBucket(throttle.bytesPerSecond, clock) : undefined;
    for (const { name, table } of fn.spec.sources) {
      this.sourceBuckets.set(name, {
        rows: table.throttle?.rowsPerSecond ? new TokenBucket(table.throttle.rowsPerSecond, clock) : undefined,
        bytes: table.throttle?.bytesPerSecond ? new TokenBucket(table.throttle.bytesPerSecond, clock) : undefined,
      });
    }
    this.startedAt = this.lastProgressAt = clock.now();
  }

  private siblingsOf(source: string): SiblingSchema {
    let s = this.siblings.get(source);
    if (!s) this.siblings.set(source, (s = new SiblingSchema()));
    return s;
  }

  /** After a resume, the steps already done count as completed partitions. */
  skipCompleted(steps: readonly Step[], start: ReplayPosition): void {
    for (const step of steps) {
      if (step.index >= start.step) break;
      for (const list of step.partitions.values()) this.completed += list.length;
      if (step.watermark !== undefined) this.watermark = Instant.ofEpochMillis(step.watermark);
    }
  }

  async readSourceStep(source: string, table: KappaTable, step: Step, finished: ReadonlySet<string>): Promise<void> {
    const { options } = this.fn.spec;
    for (const partition of step.partitions.get(source) ?? []) {
      if (this.ctx.stopped) return;
      options.trace?.({ kind: 'open', source, partition: partition.label });
      const rows = await this.readPartition(source, table, step, partition, finished);
      options.trace?.({ kind: 'complete', source, partition: partition.label, rows });
      this.fn.count('partitionsRead', 1);
      this.completed++;
      this.reportProgress(true);
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
        rows += await this.readFile(source, table, file.path, file.size);
        this.tracker.finished(claim);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
    return rows;
  }

  private async readFile(source: string, table: KappaTable, path: string, size: number): Promise<number> {
    const { options, mainOutput } = this.fn.spec;
    const stats: ParquetReadStats = newReadStats();
    const reader = await ParquetReader.open<Row>(path, {
      columns: table.columns ? [...new Set([...table.columns, table.timestampColumn])] : undefined,
      predicates: table.predicates ? [...table.predicates] : undefined,
      readAhead: options.readAhead,
      stats,
      size,
      siblings: this.siblingsOf(source),
    });
    this.fn.count('filesOpened', 1);
    const range = options.range;
    const tsColumn = table.timestampColumn;
    const buckets = this.sourceBuckets.get(source)!;
    const afterRow = options.afterRow;
    let emitted = 0;
    let bytesSeen = 0;
    // Rows consumed from the file, in order; a resumed read skips those emitted before.
    let consumed = 0;
    const skip = this.tracker.emitted(path);
    for await (const batch of reader.batches()) {
      let outOfRange = 0;
      let skipped = 0;
      for (const row of batch.rows) {
        if (consumed < skip) {
          consumed++;
          skipped++;
          continue;
        }
        consumed++;
        const ts = timestampOf(row[tsColumn], tsColumn, path);
        if (range && (ts < range.from || ts >= range.to)) {
          outOfRange++;
          continue;
        }
        if (mainOutput) this.ctx.outputWithTimestamp(row, ts as Instant);
        else this.ctx.outputToWithTimestamp(source, row, ts as Instant);
        emitted++;
        if (afterRow) {
          this.tracker.progress(path, consumed);
          await this.ctx.flush();
          await afterRow(source);
        } else if (emitted % DELIVER_EVERY === 0) {
          this.tracker.progress(path, consumed);
          await this.ctx.flush();
        }
      }
      // Output and position change together, with no await between: a checkpoint sees both.
      this.tracker.progress(path, consumed);
      const n = batch.rows.length - outOfRange - skipped;
      this.fn.count('outOfRange', outOfRange);
      this.fn.count('rows', n);
      this.rows += n;
      const bytes = stats.bytesFetched - bytesSeen;
      bytesSeen = stats.bytesFetched;
      await Promise.all([buckets.rows?.take(n), this.groupRows?.take(n), buckets.bytes?.take(bytes), this.groupBytes?.take(bytes)]);
      await this.ctx.flush();
      this.reportProgress(false);
    }
    this.fn.count('rowGroupsSkipped', stats.rowGroupsSkipped);
    this.fn.count('bytesFetched', stats.bytesFetched);
    return emitted;
  }

  /** Progress after each partition (`force`), else at most once a second of clock time. */
  reportProgress(force: boolean, done = false): void {
    const now = this.clock.now();
    if (!force && now - this.lastProgressAt < 1000) return;
    this.lastProgressAt = now;
    const elapsedMs = now - this.startedAt;
    const left = this.partitionsTotal - this.completed;
    const progress: ReplayProgress = {
      partitionsCompleted: this.completed,
      partitionsTotal: this.partitionsTotal,
      rows: this.rows,
      rowsPerSecond: elapsedMs > 0 ? (this.rows * 1000) / elapsedMs : 0,
      watermark: done ? Instant.MAX : this.watermark,
      etaMs: done ? 0 : this.completed > 0 ? (elapsedMs / this.completed) * left : undefined,
      elapsedMs,
      done,
    };
    this.fn.setProgressGauges(progress);
    this.fn.spec.options.onProgress?.(progress);
  }
}

function toLayout(layout: KappaTable['layout']): Layout {
  if (layout === undefined || layout === 'hourly') return hive({ granularity: 'hour' });
  if (layout === 'daily') return hive({ granularity: 'day' });
  return layout;
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
