/**
 * A splittable DoFn: one input element (a table, a topic, a generator) becomes a long-running
 * read over a *restriction* (what is left to read), with a *watermark estimator* the DoFn moves
 * as it reads. This is the model-level construct sources are built on (Beam's SDF): the proto
 * marks the ParDo with its restriction coder, and any runner that honours it can run the source
 * unchanged — the direct runner now, the portable runner later.
 *
 * The contract a runner keeps:
 * - Output of the restriction is delivered downstream in order of `output` calls.
 * - `await ctx.watermark.advance(w)` returns only after everything output before it has been
 *   processed downstream and whatever the new watermark fires has been emitted (KAPPA.md rule 9).
 *   Until the first advance the restriction holds its output watermark at −∞; when `process`
 *   returns, the hold is released (a bounded read ends at +∞).
 * - `tracker.tryClaim(position)` returns false when the read must stop here (the restriction is
 *   exhausted, or the runner took the rest as a residual); `ctx.stopped` turns true when the job
 *   was cancelled or failed elsewhere. A DoFn stops promptly on either.
 * - A read with nothing to claim right now (an idle feed, a quiet topic, the next impulse not
 *   due) returns `ProcessContinuation.resume(delay)` when `ctx.resumeRequested` is true: the
 *   runner takes the rest of the restriction back, hands the watermark estimate downstream, and
 *   calls `process` again with what is left after `delay`, `ctx.watermark.current` at the same
 *   estimate. A portable runner asks once the estimate moved (it sees estimates only between
 *   process calls, so an idle read that never returned would hold every window downstream); the
 *   direct runner never asks, but honours a returned `resume` all the same.
 */
import { Coders, KvCoder, type Coder } from '../coders/index.js';
import type { ColumnBatch } from '../values/column-batch.js';
import type { KV } from '../values/kv.js';
import { Duration, type Instant } from '../time/instant.js';
import type { TagMap } from './dofn.js';
import { TributaryError } from '../errors.js';

export interface RestrictionTracker<R, P> {
  /** Claims `position` (the next unit of work); false means stop without doing it. */
  tryClaim(position: P): boolean;
  /** What remains of the restriction given the claims so far (what a checkpoint stores). */
  currentRestriction(): R;
}

export interface ManualWatermarkEstimator {
  /** The restriction promises no more output earlier than `watermark`. Lower values than the
   *  current one are ignored (watermarks are monotone). Resolves once downstream caught up. */
  advance(watermark: Instant): Promise<void>;
  /** The last watermark reported (−∞ before the first). */
  readonly current: Instant;
}

export interface SplittableProcessContext<O, Tags extends TagMap = {}> {
  /** Emits to the main output. */
  outputWithTimestamp(value: O, timestamp: Instant): void;
  /** Emits to a tagged output. */
  outputToWithTimestamp<K extends keyof Tags & string>(tag: K, value: Tags[K], timestamp: Instant): void;
  /** Resolves when downstream has room again: await it between batches (backpressure). */
  flush(): Promise<void>;
  readonly watermark: ManualWatermarkEstimator;
  /** True once the job is cancelled or failed elsewhere: stop reading. */
  readonly stopped: boolean;
  /**
   * True when the runner would take the read back now: a read at a consistent point (nothing
   * claimed but not output) returns `ProcessContinuation.resume(delay)` instead of waiting for
   * more input. A portable runner asks after the watermark estimate moved or the bundle ran over
   * its budget; the direct runner never does (reads hand it watermarks while they run).
   */
  readonly resumeRequested: boolean;
  /**
   * Present when the runner takes column batches from the read's main output (the direct runner,
   * unless its `columnBatches` is `rows`): the read may emit rows as batches instead of one by one
   * (values/column-batch.ts); a consumer that takes elements is handed the batch's rows one by
   * one. Row `i` of a batch is the element `rowOf(batch, i)` at `timestamps[i]`, exactly as
   * `outputWithTimestamp` would emit it. Absent otherwise (a portable harness): emit rows.
   */
  readonly batches?: BatchOutput<O>;
}

export interface BatchOutput<O> {
  /** Emits every row of `batch` to the main output, row `i` at `timestamps[i]`. */
  output(batch: ColumnBatch<O>, timestamps: ArrayLike<number>): void;
}

/**
 * Type parameters: `I` the element describing what to read, `O` main output, `R` restriction,
 * `P` position claimed inside it, `Tags` tagged outputs.
 */
export abstract class SplittableDoFn<I, O, R, P = unknown, Tags extends TagMap = {}> {
  /** Marks the class for the translator and the runners (survives minification, unlike instanceof across copies). */
  readonly splittable = true as const;

  /** The whole of what `element` asks to read. */
  abstract initialRestriction(element: I): R;
  /** How a restriction is written into a checkpoint or sent to another worker. */
  abstract restrictionCoder(): Coder<R>;
  /** A tracker over `restriction`; positions are claimed in order. */
  abstract newTracker(restriction: R): RestrictionTracker<R, P>;
  /**
   * What is wrong with a restriction read back from a checkpoint (undefined: nothing). A
   * checkpoint may be damaged or crafted: a position that passes the coder but points before or
   * past what was read would replay input or skip it. The runner fails the restore with the
   * problem (a typed error naming the transform) instead of reading from there.
   */
  checkRestriction?(restriction: R): string | undefined;
  /** Reads the restriction, claiming each unit before doing it. Returning nothing (or
   *  `ProcessContinuation.stop()`) ends the read; `ProcessContinuation.resume()` asks to be
   *  called again with what the tracker says is left. */
  abstract process(element: I, tracker: RestrictionTracker<R, P>, ctx: SplittableProcessContext<O, Tags>): Promise<void | ProcessContinuation>;

  setup?(): void | Promise<void>;
  teardown?(): void | Promise<void>;
}

/**
 * What a splittable DoFn's `process` returns (Beam's ProcessContinuation): `stop()` — the read is
 * done with what it claimed; `resume(delay)` — call `process` again, no sooner than `delay` of
 * processing time from now, with the rest of the restriction (`tracker.currentRestriction()`).
 * The watermark estimate carries over: the runner holds the output watermark at it meanwhile.
 */
export class ProcessContinuation {
  private constructor(
    readonly shouldResume: boolean,
    readonly resumeDelay: Duration,
  ) {}

  private static readonly STOP = new ProcessContinuation(false, Duration.millis(0));

  static stop(): ProcessContinuation {
    return ProcessContinuation.STOP;
  }

  static resume(delay: Duration = Duration.millis(0)): ProcessContinuation {
    if (!(Number.isFinite(delay) && delay >= 0)) throw new TributaryError(`ProcessContinuation.resume: the delay must be a duration ≥ 0, got ${String(delay)}`);
    return new ProcessContinuation(true, delay);
  }
}

/** What `process` returned, as a resume delay in ms; undefined when the read is done. */
export function resumeDelayOf(result: void | ProcessContinuation): number | undefined {
  return result instanceof ProcessContinuation && result.shouldResume ? result.resumeDelay : undefined;
}

/**
 * The restriction as runners pass it between phases and workers: the DoFn's restriction with
 * the read's watermark estimate beside it (Beam keeps a watermark estimator's state with the
 * restriction the same way), so a resumed or moved read starts from the estimate it left.
 */
export function restrictionWithWatermarkCoder<R>(restriction: Coder<R>): Coder<KV<R, number>> {
  return Coders.kv(restriction, Coders.double());
}

/** The DoFn's own restriction coder inside `restrictionWithWatermarkCoder`'s. */
export function restrictionOfWire(wire: Coder<unknown>): Coder<unknown> {
  if (!(wire instanceof KvCoder)) throw new TributaryError(`a splittable DoFn's restriction coder must be KV(restriction, watermark) (${wire.urn}): was the pipeline written by an older Tributary? Write it again`);
  return wire.keyCoder as Coder<unknown>;
}

export function isSplittable(fn: unknown): fn is SplittableDoFn<unknown, unknown, unknown, unknown, TagMap> {
  return typeof fn === 'object' && fn !== null && (fn as { splittable?: unknown }).splittable === true;
}

/** `[from, to)` of integer positions (to = Infinity for an endless read). */
export interface OffsetRange {
  readonly from: number;
  readonly to: number;
}

/** A DoFn claimed a position its restriction tracker cannot give: out of order, or before the
 *  restriction's start. */
export class RestrictionClaimError extends TributaryError {
  constructor(
    readonly position: unknown,
    message: string,
  ) {
    super(message);
  }
}

/** What is wrong with `range` as an offset range (undefined: nothing). */
export function offsetRangeProblem(range: unknown): string | undefined {
  if (typeof range !== 'object' || range === null) return `an offset range is { from, to }, got ${String(range)}`;
  const { from, to } = range as Partial<OffsetRange>;
  if (!Number.isSafeInteger(from)) return `an offset range's start must be an integer, got ${String(from)}`;
  if (!(Number.isSafeInteger(to) || to === Infinity)) return `an offset range's end must be an integer or Infinity, got ${String(to)}`;
  if (from! > to!) return `an offset range's start ${from} is after its end ${to}`;
  return undefined;
}

/** Claims offsets in increasing order inside an `OffsetRange`; what is unclaimed is the rest. */
export class OffsetRangeTracker implements RestrictionTracker<OffsetRange, number> {
  private lastClaimed: number | undefined;

  constructor(private readonly range: OffsetRange) {
    const problem = offsetRangeProblem(range);
    if (problem) throw new TributaryError(`OffsetRangeTracker: ${problem}`);
  }

  tryClaim(offset: number): boolean {
    if (this.lastClaimed !== undefined && offset <= this.lastClaimed) {
      throw new RestrictionClaimError(offset, `offsets must be claimed in increasing order: ${offset} after ${this.lastClaimed}`);
    }
    if (offset < this.range.from) throw new RestrictionClaimError(offset, `offset ${offset} is before the range's start ${this.range.from}`);
    if (offset >= this.range.to) return false;
    this.lastClaimed = offset;
    return true;
  }

  currentRestriction(): OffsetRange {
    return { from: this.lastClaimed === undefined ? this.range.from : this.lastClaimed + 1, to: this.range.to };
  }
}

/**
 * A splittable DoFn that reads a range of integer offsets (records of a file, pages of an API,
 * ticks of a clock): the restriction's coder, its tracker and the check of a range read back
 * from a checkpoint come with it, so a read gives only its `initialRestriction` and `process`.
 * Claim offsets in increasing order; `tracker.currentRestriction().from` is where to start.
 */
export abstract class OffsetRangeDoFn<I, O, Tags extends TagMap = {}> extends SplittableDoFn<I, O, OffsetRange, number, Tags> {
  restrictionCoder(): Coder<OffsetRange> {
    return Coders.json<OffsetRange>();
  }

  newTracker(range: OffsetRange): RestrictionTracker<OffsetRange, number> {
    return new OffsetRangeTracker(range);
  }

  override checkRestriction(range: OffsetRange): string | undefined {
    return offsetRangeProblem(range);
  }
}
