/**
 * `LiveSource`: the realtime source of Kappa+ until the Kafka connector exists — an in-process,
 * *unbounded* source fed by an (async) generator, with a bounded-out-of-orderness watermark:
 * after each batch the watermark moves to (largest event time seen − `maxOutOfOrderness`).
 *
 *   const events = p.apply(LiveSource.from(feed, { timestamp: (e) => e.time, maxOutOfOrderness: Duration.seconds(5) }));
 *
 * Built on the model like the replay (`replay-fn.ts`): a splittable DoFn over an offset
 * restriction (offset n = the generator's n-th element) whose manual watermark estimator the read
 * advances, so it runs on any runner that runs splittable DoFns. When the generator returns, the
 * read ends and its watermark goes to +∞.
 *
 * A quiet feed would hold the watermark where its last element left it (and with it every window
 * and early firing). A generator that knows the feed's clock yields `LiveSource.heartbeat(t)`:
 * no element earlier than `t − maxOutOfOrderness` follows, so the watermark may move there.
 *
 * Checkpoints: the restriction is the offset of the next element, so a run resumed from a runner
 * checkpoint replays `produce()` and skips the elements already read — right for a deterministic
 * in-process feed; a connector with its own offsets (Kafka) seeks instead.
 *
 * Under a portable runner the read returns at each watermark step (`ProcessContinuation.resume`,
 * so the runner sees the step even when the feed then goes quiet) and is called again with the
 * rest. The feed it was reading stays open in this process between those calls, with the element
 * it pulled but could not claim: the next call goes on from it, so a live feed is neither
 * restarted (which would repeat a generator's side effects) nor skipped. Only a call elsewhere
 * (another worker) or from a checkpoint restarts it.
 *
 * `startAt: T` is the backfill→realtime handoff (KAPPA.md rule 7): the backfill replays up to T
 * and ends at W = T; the live source drops every element earlier than T (counted in
 * `kappa/filteredBelowCut`), starts its watermark at T, and never moves it below T.
 */
import {
  Impulse,
  Instant,
  Metrics,
  OffsetRangeDoFn,
  ParDo,
  PipelineConstructionError,
  PTransform,
  type Coder,
  type Duration,
  type OffsetRange,
  type PBegin,
  ProcessContinuation,
  type PCollection,
  type RestrictionTracker,
  type SplittableProcessContext,
} from '../../sdk/index.js';
import type { ReplayTraceEvent } from './options.js';
import { KappaReplayError } from './errors.js';

const HEARTBEAT = Symbol.for('tributary.kappa.live.heartbeat');

/** A mark in the feed: the feed's clock is at `time` (see `LiveSource.heartbeat`). */
export interface LiveHeartbeat {
  readonly [HEARTBEAT]: true;
  readonly time: Instant;
}

/** What the generator yields: elements, and optionally heartbeats. */
export type LiveFeed<T> = AsyncIterable<T | LiveHeartbeat> | Iterable<T | LiveHeartbeat>;

export interface LiveSourceOptions<T> {
  /** Each element's event time (epoch ms), or the name of the field holding it. */
  readonly timestamp: ((element: T) => number) | (keyof T & string);
  /** How far the watermark trails the largest event time seen. Elements later than that are
   *  behind the watermark when they arrive (late for windows that already fired). */
  readonly maxOutOfOrderness: Duration;
  /** The watermark moves after this many elements (and at every heartbeat; default 1000). */
  readonly batchSize?: number;
  /** The handoff cut: elements with timestamp < startAt are dropped and counted in
   *  `kappa/filteredBelowCut`; the watermark starts at startAt and never goes below it. */
  readonly startAt?: Instant;
  /** Receives a `watermark` event (operator `live`) for every watermark move. */
  readonly trace?: (event: ReplayTraceEvent) => void;
  /** The elements' coder (default JSON). */
  readonly coder?: Coder<T>;
  /** Names the read in traces and metrics (default `LiveSource`). */
  readonly name?: string;
}

export class LiveSource<T> extends PTransform<PBegin, PCollection<T>> {
  private constructor(
    private readonly produce: () => LiveFeed<T>,
    private readonly options: LiveSourceOptions<T>,
  ) {
    super(options.name ?? 'LiveSource');
    validate(options);
  }

  /** An unbounded source over what `produce()` yields; called once per run. */
  static from<T>(produce: () => LiveFeed<T>, options: LiveSourceOptions<T>): LiveSource<T> {
    return new LiveSource(produce, options);
  }

  /** The feed's clock is at `time`: no element earlier than `time − maxOutOfOrderness` follows. */
  static heartbeat(time: Instant | number): LiveHeartbeat {
    return { [HEARTBEAT]: true, time: time as Instant };
  }

  static isHeartbeat(x: unknown): x is LiveHeartbeat {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[HEARTBEAT] === true;
  }

  expand(input: PBegin): PCollection<T> {
    const impulse = input.pipeline.apply('Impulse', Impulse.create());
    const out = impulse.apply('Read', ParDo.of(new LiveSourceFn<T>(this.produce, this.options))) as PCollection<T>;
    // A live feed has no end known in advance: downstream PCollections inherit this.
    out.isBounded = false;
    if (this.options.coder) out.withCoder(this.options.coder);
    return out;
  }
}

function validate<T>(o: LiveSourceOptions<T>): void {
  if (typeof o.timestamp !== 'function' && typeof o.timestamp !== 'string') {
    throw new PipelineConstructionError('LiveSource: timestamp must be a function of the element or the name of its event-time field');
  }
  if (!(Number.isFinite(o.maxOutOfOrderness) && o.maxOutOfOrderness >= 0)) {
    throw new PipelineConstructionError(`LiveSource: maxOutOfOrderness must be a non-negative duration, got ${String(o.maxOutOfOrderness)}`);
  }
  const b = o.batchSize;
  if (b !== undefined && !(Number.isInteger(b) && b > 0)) throw new PipelineConstructionError(`LiveSource: batchSize must be a positive integer, got ${b}`);
  if (o.startAt !== undefined && !Number.isFinite(o.startAt)) throw new PipelineConstructionError(`LiveSource: startAt must be an Instant, got ${String(o.startAt)}`);
}

/** A feed being read, kept between a read's process calls (see the header). */
interface OpenFeed<T> {
  readonly items: AsyncIterator<T | LiveHeartbeat> | Iterator<T | LiveHeartbeat>;
  /** Offset of the next element `items` yields. */
  offset: number;
  /** An element pulled whose claim was refused (the runner took the rest as a residual). */
  pending: { readonly item: T; readonly at: number } | undefined;
  maxSeen: number;
  inBatch: number;
}

/** The read: offsets claimed one per element, the watermark moved per batch. */
export class LiveSourceFn<T> extends OffsetRangeDoFn<Uint8Array, T> {
  private readonly filteredBelowCut = Metrics.counter('kappa', 'filteredBelowCut');
  private readonly elements = Metrics.counter('kappa', 'liveElements');
  private readonly watermarkGauge = Metrics.gauge('kappa', 'liveWatermark');
  /** The feed of the read that returned to be resumed (one read per LiveSource: one Impulse). */
  private open: OpenFeed<T> | undefined;

  constructor(
    private readonly produce: () => LiveFeed<T>,
    private readonly options: LiveSourceOptions<T>,
  ) {
    super();
  }

  initialRestriction(): OffsetRange {
    return { from: 0, to: Number.MAX_SAFE_INTEGER };
  }

  async process(_: Uint8Array, tracker: RestrictionTracker<OffsetRange, number>, ctx: SplittableProcessContext<T>): Promise<void | ProcessContinuation> {
    const o = this.options;
    const tsOf = typeof o.timestamp === 'function' ? o.timestamp : (e: T) => e[o.timestamp as keyof T] as unknown as number;
    const lag = o.maxOutOfOrderness;
    const batchSize = o.batchSize ?? 1000;
    const cut = o.startAt;
    // A resumed read starts at the estimate it left: replayed heartbeats do not step back.
    let watermark: number = ctx.watermark.current;
    const advance = async (w: number): Promise<void> => {
      if (cut !== undefined && w < cut) w = cut;
      if (!(w > watermark)) {
        await ctx.flush();
        return;
      }
      watermark = w;
      this.watermarkGauge.set(w);
      o.trace?.({ kind: 'watermark', operator: 'live', value: w as Instant });
      await ctx.watermark.advance(w as Instant);
    };
    if (cut !== undefined) await advance(cut);

    // Offset n is the feed's n-th element. The feed this process left open goes on where it
    // stopped; otherwise (first call, a checkpoint, another process) it restarts and skips what
    // was already read.
    const resumeAt = tracker.currentRestriction().from;
    const feed = this.reopen(resumeAt);
    let filtered = 0;
    let emitted = 0;
    let keepOpen = false;
    try {
      for (;;) {
        let item: T | LiveHeartbeat;
        let at: number;
        if (feed.pending) {
          ({ item, at } = feed.pending);
          feed.pending = undefined;
        } else {
          const next = await feed.items.next();
          if (next.done) break;
          item = next.value;
          if (LiveSource.isHeartbeat(item)) at = -1;
          else at = feed.offset++;
        }
        if (ctx.stopped) return;
        if (LiveSource.isHeartbeat(item)) {
          feed.inBatch = 0;
          await advance(Math.max(feed.maxSeen, item.time) - lag);
          if (ctx.resumeRequested) {
            keepOpen = true;
            return this.pause(feed);
          }
          continue;
        }
        if (at < resumeAt) continue;
        // Claim and output with no await between: a checkpoint sees both or neither.
        if (!tracker.tryClaim(at)) {
          feed.pending = { item, at };
          keepOpen = true;
          this.open = feed;
          return;
        }
        const ts = tsOf(item);
        if (typeof ts !== 'number' || !Number.isFinite(ts)) {
          throw new KappaReplayError(`LiveSource: element ${at} has no usable event time (got ${String(ts)}); the timestamp option must give epoch milliseconds`);
        }
        if (cut !== undefined && ts < cut) {
          filtered++;
          continue;
        }
        ctx.outputWithTimestamp(item, Math.floor(ts) as Instant);
        emitted++;
        if (ts > feed.maxSeen) feed.maxSeen = ts;
        if (++feed.inBatch >= batchSize) {
          feed.inBatch = 0;
          await advance(feed.maxSeen - lag);
          if (ctx.resumeRequested) {
            keepOpen = true;
            return this.pause(feed);
          }
        }
      }
      // The feed ended: the rest goes downstream, and the runner releases the hold (+∞).
      await ctx.flush();
    } finally {
      if (filtered) this.filteredBelowCut.inc(filtered);
      if (emitted) this.elements.inc(emitted);
      if (!keepOpen) await feed.items.return?.();
    }
  }

  /** The runner wants the read back (it hands the new estimate downstream): keep the feed open
   *  for the call that resumes it. */
  private pause(feed: OpenFeed<T>): ProcessContinuation {
    this.open = feed;
    return ProcessContinuation.resume();
  }

  /** A feed left open for a resume that never came (the job ended): close it. */
  override teardown(): void {
    void this.open?.items.return?.();
    this.open = undefined;
  }

  /** The feed left open at `resumeAt`, or a fresh one from the start. */
  private reopen(resumeAt: number): OpenFeed<T> {
    const open = this.open;
    this.open = undefined;
    if (open && (open.pending ? open.pending.at === resumeAt : open.offset === resumeAt)) return open;
    void open?.items.return?.();
    const produced = this.produce();
    const items = Symbol.asyncIterator in produced ? (produced as AsyncIterable<T | LiveHeartbeat>)[Symbol.asyncIterator]() : (produced as Iterable<T | LiveHeartbeat>)[Symbol.iterator]();
    return { items, offset: 0, pending: undefined, maxSeen: -Infinity, inBatch: 0 };
  }
}
