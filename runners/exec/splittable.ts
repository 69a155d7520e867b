/**
 * Runs a splittable DoFn: each input element starts a read of its restriction as a task of its
 * own, outside the bundle that delivered the element, so a replay that takes hours never blocks
 * the other roots. The read's output is buffered and delivered downstream in exclusive turns; its
 * watermark estimator is this operator's hold, so downstream watermarks follow the read.
 *
 * Ordering (KAPPA.md rule 9): `advance(w)` delivers everything buffered, then sets the hold and
 * settles watermarks in the same exclusive turn — nothing output before it can be overtaken by
 * the watermark, and everything the watermark fires is emitted before the read goes on.
 */
import type { MetricsContainer } from '../../sdk/metrics/container.js';
import { withAsyncMetricsContainer } from '../../sdk/metrics/metrics.js';
import { UserCodeError } from '../../sdk/errors.js';
import type { TagMap } from '../../sdk/transforms/dofn.js';
import { resumeDelayOf } from '../../sdk/transforms/splittable.js';
import type {
  BatchOutput,
  ManualWatermarkEstimator,
  RestrictionTracker,
  SplittableDoFn,
  SplittableProcessContext,
} from '../../sdk/transforms/splittable.js';
import { Instant } from '../../sdk/time/instant.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import type { SplittableScheduler as Scheduler } from './splittable-scheduler.js';
import { deliverBatch, takesBatches, type WindowedBatch } from './batches.js';
import { isThenable, NOT_NOW, receiveParts, type Delivery, type Operator, type Receiver } from './unit.js';
import { GLOBAL_WINDOWS, GlobalWindow } from '../../sdk/window/bounded-window.js';
import { NO_FIRING } from '../../sdk/values/pane.js';
import { ByteReader, ByteWriter, type Coder } from '../../sdk/coders/index.js';
import { OutputRouter } from './output-router.js';
import { runLifecycle } from './lifecycle.js';
import { CheckpointError, readValue, writeValue } from './snapshot-bytes.js';
import { PlanError } from './errors.js';

type AnySplittableFn = SplittableDoFn<unknown, unknown, unknown, unknown, TagMap>;

export interface SplittableConfig {
  readonly name: string;
  readonly fn: AnySplittableFn;
  readonly main: Receiver;
  readonly tagged: ReadonlyMap<string, Receiver>;
  readonly metrics: MetricsContainer;
  readonly scheduler: Scheduler;
  /** The input elements' coder and the restriction coder of the payload: a checkpoint holds
   *  each read's element and restriction as these encode them. */
  readonly elementCoder: Coder<unknown>;
  readonly restrictionCoder: Coder<unknown>;
  /** Offer the read column batches even when the main output's consumer takes elements (it then gets the rows one by one). */
  readonly alwaysBatch?: boolean;
}

export class SplittableParDoOperator implements Operator {
  readonly name: string;
  private readonly reads = new Set<RestrictionRead>();
  private readonly outputs: OutputRouter;

  constructor(readonly cfg: SplittableConfig) {
    this.name = cfg.name;
    // Reads start from an Impulse (timestamp at the minimum): no timestamp is too early.
    this.outputs = new OutputRouter(cfg.main, cfg.tagged, Infinity);
  }

  setup(): Promise<void> {
    const fn = this.cfg.fn;
    return runLifecycle(this.name, 'setup', this.cfg.metrics, fn.setup && (() => fn.setup!()));
  }

  receive(wv: WindowedValue<unknown>): Delivery {
    let restriction: unknown;
    try {
      restriction = this.cfg.fn.initialRestriction(wv.value);
    } catch (e) {
      throw new UserCodeError(this.name, 'initialRestriction', e);
    }
    this.start(new RestrictionRead(this, wv, restriction, Instant.MIN));
  }

  private start(read: RestrictionRead): void {
    this.reads.add(read);
    this.cfg.scheduler.spawn(read.run().finally(() => this.reads.delete(read)));
  }

  /** Each read's element, what is left of its restriction, and its watermark. Only between
   *  batches: output still buffered would be neither in the restriction nor downstream. */
  snapshot(): unknown {
    if (this.reads.size === 0) return undefined;
    const reads: SavedRead[] = [];
    for (const r of this.reads) {
      if (r.buffered > 0) return NOT_NOW;
      const { value, timestamp, restriction, holdAt } = r.save();
      reads.push({ coded: true, value: this.encode(this.cfg.elementCoder, value, 'element'), timestamp, restriction: this.encode(this.cfg.restrictionCoder, restriction, 'restriction'), holdAt });
    }
    return reads;
  }

  private restored: SavedRead[] = [];

  restore(state: unknown): void {
    const reads = state as SavedRead[];
    const bad = (problem: string) => new CheckpointError(`the checkpoint's state for "${this.name}" ${problem}: was it written by another version? Delete the checkpoint to start over`);
    if (!Array.isArray(reads)) throw bad('is not a list of reads');
    for (const r of reads) {
      if (typeof r !== 'object' || r === null) throw bad('holds a read that is not a record');
      if (!Number.isFinite(r.timestamp) || !Number.isFinite(r.holdAt)) throw bad('holds a read whose timestamp or watermark is not a finite time');
      if (r.coded && (!(r.value instanceof Uint8Array) || !(r.restriction instanceof Uint8Array))) throw bad('holds a read whose element or restriction is not bytes');
    }
    this.restored = reads;
  }

  resume(): void {
    for (const saved of this.restored.splice(0)) {
      // Checkpoints written before reads were coded hold the objects themselves.
      const value = saved.coded ? this.decode(this.cfg.elementCoder, saved.value, 'element') : saved.value;
      const restriction = saved.coded ? this.decode(this.cfg.restrictionCoder, saved.restriction, 'restriction') : saved.restriction;
      const problem = this.cfg.fn.checkRestriction?.(restriction);
      if (problem !== undefined) throw new CheckpointError(`the restriction of "${this.name}" in the checkpoint ${problem}; delete the checkpoint to start over`);
      const wv: WindowedValue<unknown> = { value, timestamp: saved.timestamp as Instant, windows: GLOBAL_WINDOWS, pane: NO_FIRING };
      this.start(new RestrictionRead(this, wv, restriction, saved.holdAt as Instant));
    }
  }

  private encode(coder: Coder<unknown>, value: unknown, what: string): Uint8Array {
    const out = new ByteWriter();
    writeValue(coder, value, out, () => `the ${what} of a read of "${this.name}"`);
    return out.finish();
  }

  private decode(coder: Coder<unknown>, bytes: Uint8Array, what: string): unknown {
    return readValue(coder, new ByteReader(bytes), () => `the ${what} of a read of "${this.name}"`);
  }

  tagged(tag: string): Receiver {
    return this.outputs.tagged(tag);
  }

  /** Each read holds the output watermark at its estimator until it ends. */
  hold(): Instant {
    let h = Instant.MAX;
    for (const r of this.reads) if (r.holdAt < h) h = r.holdAt;
    return h;
  }

  bufferedElements(): number {
    let n = 0;
    for (const r of this.reads) n += r.buffered;
    return n;
  }

  /** All of it: a read buffers only its own output. */
  outputBuffered(): number {
    return this.bufferedElements();
  }

  teardown(): Promise<void> {
    const fn = this.cfg.fn;
    return runLifecycle(this.name, 'teardown', this.cfg.metrics, fn.teardown && (() => fn.teardown!()));
  }
}

/** A read in a checkpoint: its element and restriction as their coders wrote them. */
type SavedRead =
  | { readonly coded: true; readonly value: Uint8Array; readonly timestamp: number; readonly restriction: Uint8Array; readonly holdAt: number }
  | { readonly coded?: undefined; readonly value: unknown; readonly timestamp: number; readonly restriction: unknown; readonly holdAt: number };

/** A column batch in a read's output buffer (which otherwise holds the values themselves). */
class BufferedBatch {
  constructor(readonly wb: WindowedBatch) {}
}

/** One restriction being read: its output buffer, its watermark estimator, its tracker. */
class RestrictionRead implements SplittableProcessContext<unknown, TagMap>, ManualWatermarkEstimator {
  /** Output not yet delivered, in output order: each value (or column batch), its timestamp
   *  (a batch has its own) and where it goes — parallel arrays, so buffering a row allocates
   *  nothing of its own (its window and pane are the element's). */
  private buffer: unknown[] = [];
  private bufferTimes: number[] = [];
  private bufferTo: Receiver[] = [];
  /** Elements in `buffer` (a batch counts its rows). */
  private bufferedCount = 0;
  /** Column batches to the main output, when its consumer takes them (SplittableProcessContext.batches). */
  readonly batches: BatchOutput<unknown> | undefined;
  private tracker: RestrictionTracker<unknown, unknown> | undefined;
  private queuedFlush: Promise<void> | undefined;
  private lastFlush: Promise<void> = Promise.resolve();

  constructor(
    private readonly op: SplittableParDoOperator,
    private readonly element: WindowedValue<unknown>,
    private readonly restriction: unknown,
    public holdAt: Instant,
  ) {
    if (element.windows.length !== 1 || !(element.windows[0] instanceof GlobalWindow)) {
      throw new PlanError(op.name, `splittable DoFn "${op.name}" reads elements in the global window only (its input comes from an Impulse)`);
    }
    const main = op.cfg.main;
    this.batches = takesBatches(main) || op.cfg.alwaysBatch
      ? {
          output: (batch, timestamps) => {
            if (batch.length === 0) return;
            this.buffer.push(new BufferedBatch({ batch, timestamps, windows: element.windows, pane: element.pane }));
            this.bufferTimes.push(0);
            this.bufferTo.push(main);
            this.bufferedCount += batch.length;
          },
        }
      : undefined;
  }

  save(): { value: unknown; timestamp: number; restriction: unknown; holdAt: number } {
    return { value: this.element.value, timestamp: this.element.timestamp, restriction: this.tracker ? this.tracker.currentRestriction() : this.restriction, holdAt: this.holdAt };
  }

  get buffered(): number {
    return this.bufferedCount;
  }

  async run(): Promise<void> {
    const { fn, metrics, scheduler } = this.op.cfg;
    // The DoFn's own tracker, unwrapped: it may have methods of its own. A cancelled job shows
    // through `ctx.stopped`, and nothing more is delivered once it is.
    let tracker = (this.tracker = fn.newTracker(this.restriction));
    for (;;) {
      let resumeIn: number | undefined;
      try {
        resumeIn = resumeDelayOf(await withAsyncMetricsContainer(metrics, () => fn.process(this.element.value, tracker, this)));
      } catch (e) {
        throw e instanceof UserCodeError ? e : new UserCodeError(this.op.name, 'process', e);
      }
      if (resumeIn === undefined || scheduler.stopped) break;
      // The read asked to be called again later with what is left: hand its output downstream
      // now (as at a watermark step), keep the hold where the estimator is, and wait.
      await this.flush();
      if (resumeIn > 0) await new Promise((r) => setTimeout(r, resumeIn));
      if (scheduler.stopped) break;
      try {
        tracker = this.tracker = fn.newTracker(tracker.currentRestriction());
      } catch (e) {
        throw new UserCodeError(this.op.name, 'newTracker', e);
      }
    }
    // Deliver the rest, then release the hold: a bounded read ends at the input watermark (+∞).
    await scheduler.exclusive(async () => {
      await this.deliverBuffer();
      this.holdAt = Instant.MAX;
      this.op.cfg.scheduler.sampleBufferedElements();
      await scheduler.settleWatermarks();
    });
  }

  // --- SplittableProcessContext

  get watermark(): ManualWatermarkEstimator {
    return this;
  }

  get stopped(): boolean {
    return this.op.cfg.scheduler.stopped;
  }

  /** Never: a read here hands its watermark over while it runs (`advance` waits for downstream). */
  get resumeRequested(): boolean {
    return false;
  }

  outputWithTimestamp(value: unknown, timestamp: Instant): void {
    this.buffer.push(value);
    this.bufferTimes.push(timestamp);
    this.bufferTo.push(this.op.cfg.main);
    this.bufferedCount++;
  }

  outputToWithTimestamp(tag: string, value: unknown, timestamp: Instant): void {
    this.buffer.push(value);
    this.bufferTimes.push(timestamp);
    this.bufferTo.push(this.op.tagged(tag));
    this.bufferedCount++;
  }

  flush(): Promise<void> {
    if (this.queuedFlush) return this.queuedFlush;
    if (this.buffer.length === 0) return this.lastFlush;
    const scheduler = this.op.cfg.scheduler;
    const flush = scheduler.exclusive(async () => {
      this.queuedFlush = undefined;
      await this.deliverBuffer();
      await scheduler.finishBundles();
      await scheduler.maybeCheckpoint();
    });
    this.queuedFlush = this.lastFlush = flush;
    return flush;
  }

  // --- ManualWatermarkEstimator

  get current(): Instant {
    return this.holdAt;
  }

  advance(watermark: Instant): Promise<void> {
    const scheduler = this.op.cfg.scheduler;
    return scheduler.exclusive(async () => {
      await this.deliverBuffer();
      await scheduler.finishBundles();
      if (watermark > this.holdAt) this.holdAt = watermark;
      await scheduler.settleWatermarks();
      await scheduler.maybeCheckpoint();
    });
  }

  /** Inside an exclusive turn: hands the buffered output downstream, in output order. */
  private async deliverBuffer(): Promise<void> {
    if (this.buffer.length === 0) return;
    this.op.cfg.scheduler.sampleBufferedElements();
    const out = this.buffer;
    const times = this.bufferTimes;
    const to = this.bufferTo;
    this.buffer = [];
    this.bufferTimes = [];
    this.bufferTo = [];
    this.bufferedCount = 0;
    const { windows, pane } = this.element;
    for (let i = 0; i < out.length; i++) {
      const o = out[i];
      const d = o instanceof BufferedBatch ? deliverBatch(to[i]!, o.wb) : receiveParts(to[i]!, o, times[i]! as Instant, windows, pane);
      if (isThenable(d)) await d;
    }
    this.op.cfg.scheduler.sampleBufferedElements();
  }
}
