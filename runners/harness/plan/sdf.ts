/**
 * A splittable DoFn under a portable runner, as the runner expands it (Beam's SDF phases):
 *
 *   element -pair with restriction-> KV(element, restriction)
 *           -split and size-> KV(KV(element, restriction), size)
 *           [-truncate-> the same, when the runner drains]
 *           -process sized elements-> the DoFn's outputs
 *
 * Processing runs the DoFn's own `process` with its own tracker. What the direct runner does by
 * waiting — `ctx.watermark.advance(w)` resolves once downstream caught up — a portable runner
 * does between bundles: the harness resolves `advance` at once and asks the read to stop at its
 * next claim (a self-checkpoint). The tracker refuses that claim; the DoFn returns; what its
 * tracker says is left becomes a residual the runner schedules again, with `w` as the output
 * watermark estimate, so downstream windows fire before the read goes on. A read that advances
 * and then ends (a replay's last partition) returns a residual too, of nothing left, so the runner
 * sees that last estimate before the read's end moves the watermark to +∞ (that residual asks for
 * a short delay: `LAST_STEP_DELAY_MS`). A bundle that runs longer than `maxBundleMillis` or
 * outputs more than `maxBundleOutputs` checkpoints the same way at its next `flush()`, so one
 * restriction never becomes one endless bundle.
 *
 * A read with nothing to claim (an idle feed, a quiet topic) asks for the same by returning
 * `ProcessContinuation.resume(delay)` once `ctx.resumeRequested` says the estimate moved: its
 * residual carries the estimate and asks the runner to wait `delay` before scheduling it again.
 * Without that, an idle read never returned, the runner never saw its estimate, and windows
 * downstream waited for the next element or the end of input.
 *
 * The restriction travels as KV(restriction, watermark estimate) (`restrictionWithWatermarkCoder`),
 * so a resumed read's `ctx.watermark.current` starts where the residual left it.
 *
 * Restrictions are not split further (the Tributary SDF API has no `trySplit`): split-and-size
 * passes each restriction through whole, and runner-initiated split requests are declined.
 */
import { Long, fnExecution as fn, pipeline as beam, protobuf } from '../../../portability-proto/index.js';
import { toExactMillis } from '../../../sdk/coders/index.js';
import { ByteWriter, type Coder } from '../../../sdk/coders/index.js';
import type { MetricsContainer } from '../../../sdk/metrics/container.js';
import { withAsyncMetricsContainer } from '../../../sdk/metrics/metrics.js';
import type { TagMap } from '../../../sdk/transforms/dofn.js';
import { resumeDelayOf, type ManualWatermarkEstimator, type RestrictionTracker, type SplittableDoFn, type SplittableProcessContext } from '../../../sdk/transforms/splittable.js';
import { Instant } from '../../../sdk/time/instant.js';
import { kv, type KV } from '../../../sdk/values/kv.js';
import type { WindowedValue } from '../../../sdk/values/windowed-value.js';
import { runLifecycle, userCodeError } from '../../exec/lifecycle.js';
import { OutputRouter } from '../../exec/output-router.js';
import { PendingDeliveries } from '../../exec/pending.js';
import type { Delivery, Receiver } from '../../exec/unit.js';
import type { BundleContext, HarnessUnit } from './context.js';

type AnySplittableFn = SplittableDoFn<unknown, unknown, unknown, unknown, TagMap>;

/**
 * How long the empty residual of a read that ended on an advance asks the runner to wait. The
 * runner holds the read's output at its last estimate meanwhile (Prism parks the residual, which
 * pins the stage's input watermark, while the estimate sets its output); a stage downstream busy
 * with an earlier bundle then still gets a bundle at that watermark before the end of input
 * moves it to +∞ (a Kappa+ replay's last partition: EARLY panes of sessions whose trips end in
 * it). Without the wait, the residual's bundle (which claims nothing) could end first. It makes
 * the handover robust against a slow downstream bundle, not certain: a runner shows a DoFn no
 * watermark to wait for.
 */
const LAST_STEP_DELAY_MS = 500;

interface PhaseConfig {
  readonly name: string;
  readonly fn: AnySplittableFn;
  readonly output: Receiver;
  readonly metrics: MetricsContainer;
}

/** Element → KV(element, initial restriction). */
export class PairWithRestrictionUnit implements HarnessUnit {
  readonly name: string;
  constructor(private readonly cfg: PhaseConfig) {
    this.name = cfg.name;
  }
  receive(wv: WindowedValue<unknown>): Delivery {
    let restriction: unknown;
    try {
      restriction = withAsyncMetricsContainer(this.cfg.metrics, () => this.cfg.fn.initialRestriction(wv.value));
    } catch (e) {
      throw userCodeError(this.name, 'initialRestriction', e);
    }
    return this.cfg.output.receive({ ...wv, value: kv(wv.value, kv(restriction, Instant.MIN)) });
  }
}

/** KV(element, restriction) → KV(KV(element, restriction), size): one piece, size 1. */
export class SplitAndSizeUnit implements HarnessUnit {
  constructor(
    readonly name: string,
    private readonly output: Receiver,
  ) {}
  receive(wv: WindowedValue<unknown>): Delivery {
    return this.output.receive({ ...wv, value: kv(wv.value, 1) });
  }
}

export interface ProcessSizedConfig {
  readonly name: string;
  readonly transformId: string;
  /** The local name of the main input (residuals name it). */
  readonly inputId: string;
  readonly fn: AnySplittableFn;
  readonly main: Receiver;
  readonly tagged: ReadonlyMap<string, Receiver>;
  readonly metrics: MetricsContainer;
  /** The main input's windowed coder: residuals are encoded with it. */
  readonly inputCoder: Coder<WindowedValue<unknown>>;
  /** Local names of the outputs (each gets the watermark estimate of a residual). */
  readonly outputIds: readonly string[];
  readonly bounded: boolean;
  readonly maxBundleMillis?: number;
  readonly maxBundleOutputs?: number;
}

export class ProcessSizedElementsUnit implements HarnessUnit {
  readonly name: string;
  private readonly outputs: OutputRouter;
  private bundle!: BundleContext;
  private bundleStart = 0;
  private bundleOutputs = 0;
  /** Restrictions being read in this bundle (progress). */
  active = 0;

  constructor(private readonly cfg: ProcessSizedConfig) {
    this.name = cfg.name;
    // Reads start from an Impulse (timestamp at the minimum): no timestamp is too early.
    this.outputs = new OutputRouter(cfg.main, cfg.tagged, Infinity);
  }

  setup(): Promise<void> {
    const fn = this.cfg.fn;
    return runLifecycle(this.name, 'setup', this.cfg.metrics, fn.setup && (() => fn.setup!()));
  }

  teardown(): Promise<void> {
    const fn = this.cfg.fn;
    return runLifecycle(this.name, 'teardown', this.cfg.metrics, fn.teardown && (() => fn.teardown!()));
  }

  start(bundle: BundleContext): void {
    this.bundle = bundle;
    this.bundleStart = Date.now();
    this.bundleOutputs = 0;
  }

  receive(wv: WindowedValue<unknown>): Delivery {
    return this.read(wv);
  }

  /** Over budget: the read should stop at its next claim. */
  overBudget(): boolean {
    return Date.now() - this.bundleStart > (this.cfg.maxBundleMillis ?? 5_000) || this.bundleOutputs > (this.cfg.maxBundleOutputs ?? 100_000);
  }

  countOutput(): void {
    this.bundleOutputs++;
  }

  private async read(wv: WindowedValue<unknown>): Promise<void> {
    const sized = wv.value as KV<KV<unknown, KV<unknown, number>>, number>;
    const element = sized.key.key;
    const restriction = sized.key.value.key;
    const estimate = sized.key.value.value as Instant;
    const fn = this.cfg.fn;
    let tracker: RestrictionTracker<unknown, unknown>;
    try {
      tracker = fn.newTracker(restriction);
    } catch (e) {
      throw userCodeError(this.name, 'newTracker', e);
    }
    const read = new SizedRead(this, wv, this.outputs, tracker, estimate);
    this.active++;
    let resumeIn: number | undefined;
    try {
      resumeIn = resumeDelayOf(await withAsyncMetricsContainer(this.cfg.metrics, () => fn.process(element, read.tracker, read)));
      await read.settle();
    } catch (e) {
      throw userCodeError(this.name, 'process', e);
    } finally {
      this.active--;
    }
    // Neither resumed nor checkpointed: the read ran to its end.
    const ended = resumeIn === undefined && !read.refusedClaim;
    if (ended && !read.endedOnAdvance) return;
    const rest = tracker.currentRestriction();
    // A read that ended on an advance: its residual (nothing left) waits a moment, so that the
    // runner hands the last estimate downstream before the read's end moves it to +∞.
    const residual = ended ? this.residual(wv, element, rest, wholeSecondUp(read.current), LAST_STEP_DELAY_MS) : this.residual(wv, element, rest, read.current, resumeIn ?? 0);
    this.bundle.residuals.push(residual);
  }

  private residual(wv: WindowedValue<unknown>, element: unknown, rest: unknown, watermark: Instant, delayMs: number): fn.IDelayedBundleApplication {
    const out = new ByteWriter();
    this.cfg.inputCoder.encode({ ...wv, value: kv(kv(element, kv(rest, watermark)), 1) }, out, true);
    const estimate = timestampProto(watermark);
    return {
      requestedTimeDelay: delayMs > 0 ? durationProto(delayMs) : undefined,
      application: {
        transformId: this.cfg.transformId,
        inputId: this.cfg.inputId,
        element: out.finish(),
        outputWatermarks: Object.fromEntries(this.cfg.outputIds.map((id) => [id, estimate])),
        isBounded: this.cfg.bounded ? beam.IsBounded.Enum.BOUNDED : beam.IsBounded.Enum.UNBOUNDED,
      },
    };
  }
}

/** One restriction being read in this bundle: its outputs, its watermark, its claims. */
class SizedRead extends PendingDeliveries implements SplittableProcessContext<unknown, TagMap>, ManualWatermarkEstimator {
  readonly tracker: RestrictionTracker<unknown, unknown>;
  /** The read should stop at its next claim. */
  private checkpoint = false;
  /** A claim was refused for the checkpoint: the rest of the restriction is a residual. */
  refusedClaim = false;
  /** A claim succeeded in this call. */
  private claimed = false;
  /** The watermark advanced after this call's last claim, and the read returned without
   *  claiming again (a replay's last partition): a residual of what is left (nothing) carries
   *  that estimate to the runner, which would otherwise see the read jump from its previous
   *  estimate straight to the end of input — and fire every timer in between as one step. */
  endedOnAdvance = false;

  constructor(
    private readonly unit: ProcessSizedElementsUnit,
    private readonly element: WindowedValue<unknown>,
    private readonly outputs: OutputRouter,
    inner: RestrictionTracker<unknown, unknown>,
    /** The estimate the read left off at (−∞ on its first call). */
    public current: Instant,
  ) {
    super();
    // The DoFn's own tracker (it may have methods of its own), with claims refused once the
    // read should checkpoint.
    this.tracker = new Proxy(inner, {
      get: (target, prop) => {
        if (prop === 'tryClaim') {
          return (position: unknown) => {
            if (this.checkpoint) {
              this.refusedClaim = true;
              this.endedOnAdvance = false;
              return false;
            }
            const ok = target.tryClaim(position);
            if (ok) this.claimed = true;
            return ok;
          };
        }
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }

  get watermark(): ManualWatermarkEstimator {
    return this;
  }

  get stopped(): boolean {
    return false;
  }

  /** The estimate moved (or the bundle is over budget): the runner should have it now. */
  get resumeRequested(): boolean {
    return this.checkpoint;
  }

  outputWithTimestamp(value: unknown, timestamp: Instant): void {
    this.unit.countOutput();
    this.deliver(this.outputs.main, { value, timestamp, windows: this.element.windows, pane: this.element.pane });
  }

  outputToWithTimestamp(tag: string, value: unknown, timestamp: Instant): void {
    this.unit.countOutput();
    this.deliver(this.outputs.tagged(tag), { value, timestamp, windows: this.element.windows, pane: this.element.pane });
  }

  async flush(): Promise<void> {
    await this.settle();
    if (this.unit.overBudget()) this.checkpoint = true;
  }

  /** The runner advances watermarks between bundles: checkpoint here so it can — when there is
   *  something to hand over (an advance to where the estimate already is asks for nothing, or a
   *  read re-advancing to its resumed estimate would be checkpointed forever). */
  async advance(watermark: Instant): Promise<void> {
    await this.settle();
    if (watermark > this.current) {
      this.current = watermark;
      // Only after progress: a read that advances and returns without claiming anything would
      // otherwise be resumed forever.
      if (this.claimed && !this.refusedClaim) this.endedOnAdvance = true;
      this.checkpoint = true;
    }
  }
}

/**
 * The estimate of a read that has nothing left, rounded up to a whole second. Beam's Java runners
 * (Flink) read a residual's output watermark in whole seconds, dropping the rest; a last step to
 * `maxEventTime + 1` then reached Flink as `maxEventTime`, and a timer at that time (fired once the
 * watermark is past it) waited for +∞. Rounding up is safe only here: nothing more can be output.
 */
function wholeSecondUp(t: Instant): Instant {
  if (!(Math.abs(t) < Number.MAX_SAFE_INTEGER - 1000)) return t;
  return (Math.ceil(t / 1000) * 1000) as Instant;
}

/** A span of milliseconds as a protobuf Duration. */
function durationProto(ms: number): protobuf.IDuration {
  const whole = Math.floor(ms);
  return { seconds: Long.fromNumber(Math.floor(whole / 1000)), nanos: (whole % 1000) * 1e6 };
}

/** An instant as a protobuf Timestamp, exact at Beam's bounds (beyond 2^53 ms). */
export function timestampProto(t: Instant): protobuf.ITimestamp {
  const ms = toExactMillis(t);
  let seconds = ms / 1000n;
  let rest = ms - seconds * 1000n;
  if (rest < 0n) {
    seconds -= 1n;
    rest += 1000n;
  }
  return { seconds: Long.fromString(seconds.toString()), nanos: Number(rest) * 1e6 };
}
