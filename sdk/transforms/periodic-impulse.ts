/**
 * `PeriodicImpulse` (Beam's transform of that name): emits the instants `start`, `start +
 * interval`, ... — each once processing time reaches it, timestamped with itself — up to `stop`
 * (exclusive; without it, forever). The watermark follows the last instant emitted, so windows of
 * the impulses close as time goes by. What it is for: the slowly-updating side input — map each
 * impulse to a fresh copy of some reference data (a rules table, a model), window it, and read it
 * as a side input that changes while the job runs (docs/event-time.md, "Side inputs").
 *
 * Under a portable runner the read returns after each impulse (`ProcessContinuation.resume`,
 * delayed until the next one is due), so the runner moves the watermark between impulses.
 *
 * Instants already past when the read starts (a `start` in the past, or a job resumed from a
 * checkpoint after a pause) are emitted at once, in order. The position (the next instant) is
 * part of every checkpoint, so a resumed job emits none twice.
 */
import { PipelineConstructionError, TransformOptionError } from '../errors.js';
import type { PBegin, PCollection } from '../graph/pcollection.js';
import { PTransform } from '../graph/ptransform.js';
import { Coders, type Coder } from '../coders/index.js';
import { Duration, Instant } from '../time/instant.js';
import { Impulse } from './impulse.js';
import { ParDo } from './pardo.js';
import { OffsetRangeDoFn, ProcessContinuation, type OffsetRange, type RestrictionTracker, type SplittableProcessContext } from './splittable.js';

/** Processing time for the impulses: the system clock by default; tests may give their own. */
export interface ImpulseClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const systemClock: ImpulseClock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

export interface PeriodicImpulseOptions {
  readonly start: Instant;
  /** Exclusive; absent: an endless (unbounded) read. */
  readonly stop?: Instant;
  readonly interval: Duration;
  readonly clock?: ImpulseClock;
}

export class PeriodicImpulse extends PTransform<PBegin, PCollection<Instant>> {
  private constructor(private readonly options: PeriodicImpulseOptions) {
    super('PeriodicImpulse');
  }

  static create(options: PeriodicImpulseOptions): PeriodicImpulse {
    const { start, stop, interval } = options;
    if (!Number.isFinite(start)) throw new TransformOptionError('PeriodicImpulse', 'start', `PeriodicImpulse: start must be an Instant, got ${String(start)}`);
    if (!(Number.isFinite(interval) && interval > 0)) throw new TransformOptionError('PeriodicImpulse', 'interval', `PeriodicImpulse: interval must be a positive duration, got ${String(interval)}`);
    if (stop !== undefined && !(Number.isFinite(stop) && stop >= start)) throw new TransformOptionError('PeriodicImpulse', 'stop', `PeriodicImpulse: stop must be an Instant at or after start, got ${String(stop)}`);
    return new PeriodicImpulse(options);
  }

  expand(input: PBegin): PCollection<Instant> {
    const out = input.pipeline.apply('Impulse', Impulse.create()).apply('Emit', ParDo.of(new PeriodicImpulseFn(this.options))) as PCollection<Instant>;
    out.isBounded = this.options.stop !== undefined;
    return out.withCoder(Coders.double() as unknown as Coder<Instant>);
  }
}

/** One offset per impulse: offset k is `start + k · interval`. */
class PeriodicImpulseFn extends OffsetRangeDoFn<Uint8Array, Instant> {
  constructor(private readonly options: PeriodicImpulseOptions) {
    super();
  }

  initialRestriction(): OffsetRange {
    const { start, stop, interval } = this.options;
    return { from: 0, to: stop === undefined ? Number.MAX_SAFE_INTEGER : Math.ceil((stop - start) / interval) };
  }

  override newTracker(range: OffsetRange): RestrictionTracker<OffsetRange, number> {
    if (!(range.from >= 0)) throw new PipelineConstructionError(`PeriodicImpulse: a restriction must start at an offset ≥ 0, got ${range.from}`);
    return super.newTracker(range);
  }

  async process(_: Uint8Array, tracker: RestrictionTracker<OffsetRange, number>, ctx: SplittableProcessContext<Instant>): Promise<void | ProcessContinuation> {
    const { start, interval } = this.options;
    const clock = this.options.clock ?? systemClock;
    const { from, to } = tracker.currentRestriction();
    for (let k = from; k < to; k++) {
      const at = start + k * interval;
      const wait = at - clock.now();
      if (wait > 0) await clock.sleep(wait);
      if (ctx.stopped) return;
      // Claim and output with no await between: a checkpoint sees both or neither.
      if (!tracker.tryClaim(k)) return;
      ctx.outputWithTimestamp(at as Instant, at as Instant);
      await ctx.watermark.advance(at as Instant);
      // A portable runner sees the watermark only when this call returns: return until the
      // next impulse is due rather than sleep inside the bundle.
      if (ctx.resumeRequested && k + 1 < to) return ProcessContinuation.resume(Duration.millis(Math.max(0, at + interval - clock.now())));
    }
  }
}
