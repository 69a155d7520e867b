/**
 * The Kappa+ replay as a splittable DoFn: its restriction is the replay position (a step, and the
 * files already finished inside it), its watermark estimator moves at each step completion. It
 * discovers every source, plans the steps (`steps.ts`), then replays step by step: within a step
 * each source reads its partitions one at a time, oldest first, `fileConcurrency` files at once;
 * the next step starts only when the whole group finished this one (KAPPA.md rules 3–7).
 */
import { Coders, Instant, Metrics, SplittableDoFn, type Counter, type RestrictionTracker, type SplittableProcessContext } from '../../sdk/index.js';
import type { Row } from '../parquet/read.js';
import { validate } from '../storage/index.js';
import { hive, type Layout } from '../warehouse/layout.js';
import { discoverPartitions } from '../warehouse/partitions.js';
import { systemClock } from './clock.js';
import { ReplayPosition, ReplayTracker, type ReplayClaim } from './position.js';
import type { KappaReplayOptions, KappaTable, ReplayProgress } from './options.js';
import { KappaReplayError, NoPartitionsError } from './errors.js';
import { ReplayRun } from './replay-run.js';
import { iso, planSteps, readInterval, type Step } from './steps.js';

export { KappaReplayError };

export interface ReplaySpec {
  /** Sources in group order; their names are the output tags (or the main output for one). */
  readonly sources: ReadonlyArray<{ readonly name: string; readonly table: KappaTable }>;
  readonly options: KappaReplayOptions;
  /** One source read through `KappaReplay.read`: rows go to the main output. */
  readonly mainOutput: boolean;
}

interface Planned {
  readonly steps: Step[];
}

/** Counters of the group (`kappa/rows`) and, beside them in a group of several sources, of each source (`kappa/rows[gps]`). */
const COUNTER_NAMES = ['outOfRange', 'partitionsRead', 'missingPartitions', 'unrecognizedPaths', 'filesOpened', 'rowGroupsSkipped', 'rows', 'bytesFetched'] as const;
type CounterName = (typeof COUNTER_NAMES)[number];

export class KappaReplayFn extends SplittableDoFn<Uint8Array, Row, ReplayPosition, ReplayClaim, Record<string, Row>> {
  private readonly counters = Object.fromEntries(COUNTER_NAMES.map((n) => [n, Metrics.counter('kappa', n)])) as Record<CounterName, Counter>;
  private readonly sourceCounters = new Map<string, Counter>();
  private readonly gauges = {
    partitionsCompleted: Metrics.gauge('kappa', 'partitionsCompleted'),
    partitionsTotal: Metrics.gauge('kappa', 'partitionsTotal'),
    rowsPerSecond: Metrics.gauge('kappa', 'rowsPerSecond'),
    watermark: Metrics.gauge('kappa', 'watermark'),
    etaSeconds: Metrics.gauge('kappa', 'etaSeconds'),
    fractionComplete: Metrics.gauge('kappa', 'fractionComplete'),
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
    const run = new ReplayRun(this, ctx, tracker as ReplayTracker, clock, planned.steps);
    run.skipCompleted(planned.steps, start);
    for (const step of planned.steps) {
      if (step.index < start.step) continue;
      const finished = step.index === start.step ? new Set(start.finished) : new Set<string>();
      run.startStep(step);
      await Promise.all(this.spec.sources.map((s) => run.readSourceStep(s.name, s.table, step, finished)));
      if (ctx.stopped || !tracker.tryClaim({ kind: 'step', step: step.index + 1 })) return;
      if (step.watermark !== undefined) {
        const w = Instant.ofEpochMillis(step.watermark);
        run.book.watermark = w;
        options.trace?.({ kind: 'watermark', operator: 'source', value: w });
        this.gauges.watermark.set(step.watermark);
        await ctx.watermark.advance(w);
      }
      run.endStep();
    }
    run.report('done');
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
      this.count('unrecognizedPaths', d.unrecognizedPaths.length, name);
      // Expected partitions are those of the range (rule 5); the skew margins around it are read
      // when present, and an absent one there is not missing.
      const expected = range ? d.missingPartitions.filter((p) => p.end > range.from && p.start < range.to) : d.missingPartitions;
      this.count('missingPartitions', expected.length, name);
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
    return { steps: planSteps(inputs, range ? { from: range.from, to: range.to } : undefined) };
  }

  /** Adds `n` to the group's counter and, in a group of several sources, to the source's beside it. */
  count(name: CounterName, n: number, source: string): void {
    if (!n) return;
    this.counters[name].inc(n);
    if (this.spec.sources.length < 2) return;
    const key = `${name}[${source}]`;
    let c = this.sourceCounters.get(key);
    if (!c) this.sourceCounters.set(key, (c = Metrics.counter('kappa', key)));
    c.inc(n);
  }

  setProgressGauges(p: ReplayProgress): void {
    this.gauges.partitionsCompleted.set(p.partitionsCompleted);
    this.gauges.partitionsTotal.set(p.partitionsTotal);
    this.gauges.rowsPerSecond.set(Math.round(p.rowsPerSecond));
    this.gauges.fractionComplete.set(p.fractionComplete);
    if (p.etaMs !== undefined) this.gauges.etaSeconds.set(Math.round(p.etaMs / 1000));
    // A bounded run ends at +∞ (KAPPA.md rule 7), as the last progress event says.
    if (p.done) this.gauges.watermark.set(p.watermark);
  }
}

function toLayout(layout: KappaTable['layout']): Layout {
  if (layout === undefined || layout === 'hourly') return hive({ granularity: 'hour' });
  if (layout === 'daily') return hive({ granularity: 'day' });
  return layout;
}
