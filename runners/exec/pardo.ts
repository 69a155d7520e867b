/**
 * Runs a DoFn. Synchronous `process` calls reuse one context object and deliver outputs as nested
 * calls (no allocation beyond the output element). A `process` that returns a Promise or an async
 * iterator runs concurrently with others up to `maxConcurrency`; past that, `receive` returns a
 * Promise so the caller waits (backpressure reaches the source). A synchronous DoFn's generator is
 * pulled in runs of up to PULL_RUN values, each handed on as one run (Receiver.receiveMany;
 * pardo-pull.ts), and an array it returns goes on as one run: downstream does its per-element
 * set-up once per run. The generator is not pulled again while downstream asks to wait. A
 * `Map.of` takes such a run whole and hands its outputs on as one run too (`mapRunOn`), a
 * `FlatMap.of` the elements of the arrays its function returns (`flatMapRunOn`).
 */
import { isBatchedDoFn, type BatchedDoFn, type DoFn, type ProcessContext } from '../../sdk/transforms/dofn.js';
import { flatMapFunctionOf, mapFunctionOf, outputFlatMapResult } from '../../sdk/transforms/element-wise.js';
import type { BatchOf, ColumnBatch } from '../../sdk/values/column-batch.js';
import { deliverBatch, type WindowedBatch } from './batches.js';
import { callFinishBundle, runLifecycle, userCodeError } from './lifecycle.js';
import type { MetricsContainer } from '../../sdk/metrics/container.js';
import { swapMetricsContainer, withAsyncMetricsContainer } from '../../sdk/metrics/metrics.js';
import { MetricsScope } from './metrics-scope.js';
import { Instant } from '../../sdk/time/instant.js';
import type { PaneInfo } from '../../sdk/values/pane.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import type { BoundedWindow } from '../../sdk/window/bounded-window.js';
import { ArrayRun, deliverMany, isAsyncIterable, isIterator, isThenable, receiveParts, timeAt, type Delivery, type Operator, type Receiver, type RunValues } from './unit.js';
import { OutputRouter } from './output-router.js';
import { Context, GatheringContext } from './pardo-contexts.js';
import { PULL_RUN, pullGenerator, type PullHost } from './pardo-pull.js';
import { readSideInput, type SideInputAccess } from './side-input-views.js';
export type { SideInputAccess };

type AnyDoFn = DoFn<unknown, unknown, Record<string, unknown>, Record<string, unknown>>;


export interface ParDoConfig {
  readonly name: string;
  readonly fn: AnyDoFn;
  readonly main: Receiver;
  readonly tagged: ReadonlyMap<string, Receiver>;
  /** Built-in element-wise fns never observe the window, so multi-window elements stay whole. */
  readonly elementWise: boolean;
  readonly maxConcurrency: number;
  readonly sideInputs: ReadonlyMap<string, SideInputAccess>;
  readonly metrics: MetricsContainer;
}

export class ParDoOperator implements Operator {
  readonly name: string;
  private readonly fn: AnyDoFn;
  private readonly outputs: OutputRouter;
  private ctx: Context;
  private readonly scope: MetricsScope;
  private bundleOpen = false;
  private inFlight = new Set<Promise<void>>();
  private slotWaiters: Array<() => void> = [];
  private failure: unknown;

  /**
   * Present for a batched DoFn (sdk BatchedDoFn) without side inputs: its input may arrive as
   * column batches (exec/batches.ts), and its output goes on as batches.
   */
  readonly receiveBatch?: (wb: WindowedBatch) => Delivery;
  /** The function of a `Map.of` (mapOne). */
  private readonly mapFn: ((element: unknown) => unknown) | undefined;
  /** The function of a `FlatMap.of` (flatMapRunOn). */
  private readonly flatMapFn: ((element: unknown) => unknown) | undefined;
  /** `process` is a generator function (see `newContext`). */
  private readonly pullsRuns: boolean;
  /** What pulling a generator `process` returned needs of this operator (pardo-pull.ts). */
  private readonly puller: PullHost;

  constructor(private readonly cfg: ParDoConfig) {
    if (isBatchedDoFn(cfg.fn) && cfg.sideInputs.size === 0) this.receiveBatch = (wb) => this.processBatch(wb);
    this.mapFn = cfg.sideInputs.size === 0 ? mapFunctionOf(cfg.fn) : undefined;
    this.flatMapFn = cfg.sideInputs.size === 0 ? flatMapFunctionOf(cfg.fn) : undefined;
    this.name = cfg.name;
    this.fn = cfg.fn;
    this.outputs = new OutputRouter(cfg.main, cfg.tagged, cfg.fn.allowedTimestampSkew ?? 0);
    this.pullsRuns = isGeneratorFunction(cfg.fn.process);
    this.ctx = this.newContext();
    this.scope = new MetricsScope(cfg.metrics);
    this.puller = {
      scope: this.scope,
      metrics: cfg.metrics,
      wrap: (e, phase) => this.wrap(e, phase),
      detach: () => void (this.ctx = this.newContext()),
      track: (work) => this.track(work),
    };
  }

  get main(): Receiver {
    return this.outputs.main;
  }

  tagged(tag: string): Receiver {
    return this.outputs.tagged(tag);
  }

  sideInput(name: string, window: BoundedWindow): unknown {
    return readSideInput(this.cfg.sideInputs, name, window);
  }

  checkOutputTimestamp(input: Instant, output: Instant): void {
    this.outputs.checkOutputTimestamp(input, output);
  }

  setup(): Promise<void> {
    return runLifecycle(this.name, 'setup', this.cfg.metrics, this.fn.setup && (() => this.fn.setup!()));
  }

  /** Side inputs are ready for `wv`'s windows: the runner waits for them (side-input-gate.ts). */
  receive(wv: WindowedValue<unknown>): Delivery {
    return this.receiveParts(wv.value, wv.timestamp, wv.windows, wv.pane);
  }

  receiveParts(value: unknown, timestamp: Instant, windows: readonly BoundedWindow[], pane: PaneInfo): Delivery {
    if (!this.cfg.elementWise && windows.length > 1) {
      let waits: Promise<void>[] | undefined;
      for (const w of windows) {
        const d = this.processOne(value, timestamp, [w], pane);
        if (d) (waits ??= []).push(d);
      }
      return waits && Promise.all(waits).then(() => undefined);
    }
    return this.processOne(value, timestamp, windows, pane);
  }

  /**
   * A run of elements (Receiver.receiveMany): while the DoFn is known to be synchronous, its
   * bundle open and nothing of it in flight, the checks, the metrics container and the context's
   * window and pane are set once per run, not per element (`processRun`, `mapRun`); any other
   * element goes the way `receiveParts` takes it.
   */
  receiveMany(count: number, values: RunValues, times: ArrayLike<number> | Instant, windows: readonly BoundedWindow[], pane: PaneInfo): Delivery {
    return this.processMany(count, values, times, windows, pane, 0);
  }

  private processMany(count: number, values: RunValues, times: ArrayLike<number> | Instant, windows: readonly BoundedWindow[], pane: PaneInfo, from: number): Delivery {
    for (let i = from; i < count; ) {
      let d: Delivery;
      if (this.failure || !this.bundleOpen || !this.scope.knownSync || this.inFlight.size > 0 || (!this.cfg.elementWise && windows.length > 1)) {
        // One element the general way: it opens the bundle, learns whether the DoFn is
        // synchronous, waits for capacity, splits windows, or throws the failure.
        d = this.receiveParts(values.at(i), timeAt(times, i), windows, pane);
        i++;
      } else {
        d =
          this.mapFn !== undefined
            ? this.mapRun(this.mapFn, count, values, times, windows, pane, i)
            : this.flatMapFn !== undefined && typeof times === 'number' && this.outputs.main.receiveMany
              ? this.flatMapRunOn(this.flatMapFn, count, values, times as Instant, windows, pane, i)
              : this.processRun(count, values, times, windows, pane, i);
        i = this.runEnd;
      }
      if (d) {
        const next = i;
        return d.then(() => this.processMany(count, values, times, windows, pane, next));
      }
    }
  }

  /** Where the last `processRun` or `mapRun` stopped: the index after the last element it processed. */
  private runEnd = 0;

  /**
   * Elements [from, count) through `process` as `processOne` would take them one by one, with
   * the container current and the context set for the whole run. Stops after an element whose
   * outputs must be waited for, or whose result is neither nothing nor an array (then handled
   * as `processOne` handles it: a Promise, a generator).
   */
  private processRun(count: number, values: RunValues, times: ArrayLike<number> | Instant, windows: readonly BoundedWindow[], pane: PaneInfo, from: number): Delivery {
    const fn = this.fn;
    const ctx = this.ctx;
    const pc = ctx as unknown as ProcessContext<unknown>;
    ctx.pane = pane;
    ctx.windows = windows;
    ctx.clear();
    // Each element's time is stored as read from the run's times (a float): merged first with
    // the one timestamp (`one ?? times[i]`), V8 boxes it in a new HeapNumber per element.
    const each = typeof times === 'number' ? undefined : times;
    if (each === undefined) ctx.timestamp = times as Instant;
    let result: unknown;
    let i = from;
    const prev = swapMetricsContainer(this.cfg.metrics);
    try {
      for (; i < count; i++) {
        if (each !== undefined) ctx.timestamp = each[i] as Instant;
        try {
          result = fn.process(values.at(i), pc);
        } catch (e) {
          throw this.wrap(e, 'process');
        }
        if (result !== undefined) {
          if (!Array.isArray(result)) break;
          ctx.outputAll(result);
        }
        if (ctx.waiting) break;
      }
    } finally {
      swapMetricsContainer(prev);
    }
    if (i === count) {
      this.runEnd = count;
      return;
    }
    this.runEnd = i + 1;
    if (result === undefined || Array.isArray(result)) return ctx.settle();
    return this.afterProcess(ctx, result);
  }

  /** `mapOne` over elements [from, count), stopping after one whose output must be waited for (or that returned a Promise). */
  private mapRun(map: (element: unknown) => unknown, count: number, values: RunValues, times: ArrayLike<number> | Instant, windows: readonly BoundedWindow[], pane: PaneInfo, from: number): Delivery {
    const metrics = this.cfg.metrics;
    const main = this.outputs.main;
    const one = typeof times === 'number' ? (times as Instant) : undefined;
    if (one !== undefined && main.receiveMany) return this.mapRunOn(map, count, values, one, windows, pane, from);
    for (let i = from; i < count; i++) {
      const timestamp = one ?? ((times as ArrayLike<number>)[i] as Instant);
      let out: unknown;
      const prev = swapMetricsContainer(metrics);
      try {
        out = map(values.at(i));
      } catch (e) {
        throw this.wrap(e, 'process');
      } finally {
        swapMetricsContainer(prev);
      }
      if (isThenable(out)) {
        // the function proved async: the rest of the run goes the general way
        this.runEnd = i + 1;
        return this.mapLater(out, timestamp, windows, pane);
      }
      const d = receiveParts(main, out, timestamp, windows, pane);
      if (d) {
        this.runEnd = i + 1;
        return d;
      }
    }
    this.runEnd = count;
  }

  /** `mapRunOn`'s and `flatMapRunOn`'s outputs, until handed on; kept from run to run while nothing downstream holds them (what it holds past a run's count is overwritten by the next). */
  private mapped: unknown[] = [];

  /**
   * `mapRun` to a receiver that takes runs, all at one timestamp (a generator's or an array's
   * outputs): the function is applied to the run's elements in one loop with the container
   * current, and the outputs go on as one run — downstream does its per-element set-up once
   * (a grouping's fast path folds them in a loop). The function thus runs up to a run ahead of
   * what downstream took. Stops at an element whose output is a Promise (handed on after the
   * ones before it, the rest of the run the general way) or that throws (the ones before it go
   * on first, as one by one).
   */
  private mapRunOn(map: (element: unknown) => unknown, count: number, values: RunValues, timestamp: Instant, windows: readonly BoundedWindow[], pane: PaneInfo, from: number): Delivery {
    const out = this.mapped;
    let n = 0;
    let i = from;
    let failure: unknown;
    let later: Promise<unknown> | undefined;
    const prev = swapMetricsContainer(this.cfg.metrics);
    try {
      for (; i < count; i++) {
        const o = map(values.at(i));
        if (isThenable(o)) {
          later = o;
          break;
        }
        out[n++] = o;
      }
    } catch (e) {
      failure = this.wrap(e, 'process');
    } finally {
      swapMetricsContainer(prev);
    }
    this.runEnd = i < count ? i + 1 : count;
    return this.handOnMapped(n, timestamp, windows, pane, failure, later && (() => this.mapLater(later, timestamp, windows, pane)));
  }

  /**
   * A `FlatMap.of` handed a run at one timestamp, to a receiver that takes runs: the function is
   * applied to the run's elements in one loop with the container current, and the elements of the
   * arrays it returns go on together as one run of about PULL_RUN (not one run per input element:
   * a word count's lines are ten words each). The function thus runs up to a run ahead of what
   * downstream took. Stops at an element whose result is not an array (a Promise, another
   * iterable: output as FlatMap's `process` outputs it, after the ones before it) or whose
   * function throws (the outputs before it go on first, as one by one).
   */
  private flatMapRunOn(flatMap: (element: unknown) => unknown, count: number, values: RunValues, timestamp: Instant, windows: readonly BoundedWindow[], pane: PaneInfo, from: number): Delivery {
    const out = this.mapped;
    let n = 0;
    let i = from;
    let failure: unknown;
    let other = false;
    let result: unknown;
    const prev = swapMetricsContainer(this.cfg.metrics);
    try {
      while (i < count && n < PULL_RUN) {
        result = flatMap(values.at(i++));
        if (!Array.isArray(result)) {
          other = true;
          break;
        }
        for (let k = 0; k < result.length; k++) out[n++] = result[k];
      }
    } catch (e) {
      failure = this.wrap(e, 'process');
    } finally {
      swapMetricsContainer(prev);
    }
    this.runEnd = i;
    return this.handOnMapped(n, timestamp, windows, pane, failure, other ? () => this.flatMapOther(result, timestamp, windows, pane) : undefined);
  }

  /**
   * The end of `mapRunOn` and `flatMapRunOn`: the first `n` of `mapped` go on as one run; then the
   * failure is thrown, or the element that stopped the run goes on (`rest`), once they were taken.
   */
  private handOnMapped(n: number, timestamp: Instant, windows: readonly BoundedWindow[], pane: PaneInfo, failure: unknown, rest: (() => Delivery) | undefined): Delivery {
    let d: Delivery = undefined;
    if (n > 0) {
      d = deliverMany(this.outputs.main, n, new ArrayRun(this.mapped), timestamp, windows, pane);
      // A receiver that asked to wait may read the rest later: the array is its now.
      if (d) this.mapped = [];
    }
    if (failure !== undefined) {
      if (d) return d.then(() => Promise.reject(failure));
      throw failure;
    }
    if (rest) return d ? d.then(rest) : rest();
    return d;
  }

  /** A `FlatMap.of` function's result that is not an array, output as FlatMap's `process` outputs it. */
  private flatMapOther(result: unknown, timestamp: Instant, windows: readonly BoundedWindow[], pane: PaneInfo): Delivery {
    const ctx = this.ctx;
    ctx.timestamp = timestamp;
    ctx.pane = pane;
    ctx.windows = windows;
    ctx.clear();
    let later: void | Promise<void>;
    const prev = swapMetricsContainer(this.cfg.metrics);
    try {
      later = outputFlatMapResult(result as Iterable<unknown>, ctx as unknown as ProcessContext<unknown>);
    } catch (e) {
      throw this.wrap(e, 'process');
    } finally {
      swapMetricsContainer(prev);
    }
    return later === undefined ? ctx.settle() : this.afterProcess(ctx, later);
  }

  private processOne(value: unknown, timestamp: Instant, windows: readonly BoundedWindow[], pane: PaneInfo): Delivery {
    if (this.failure) throw this.failure;
    if (this.inFlight.size >= this.cfg.maxConcurrency) {
      return new Promise<void>((resolve) => this.slotWaiters.push(resolve)).then(() => this.processOne(value, timestamp, windows, pane));
    }
    if (!this.bundleOpen) {
      const started = this.openBundle();
      if (started) return started.then(() => this.processOne(value, timestamp, windows, pane));
    }
    const map = this.mapFn;
    if (map !== undefined && this.scope.knownSync) return this.mapOne(map, value, timestamp, windows, pane);
    const ctx = this.ctx;
    ctx.timestamp = timestamp;
    ctx.pane = pane;
    ctx.windows = windows;
    ctx.clear();
    let result: unknown;
    try {
      if (this.scope.knownSync) {
        // The common case, without a closure per element: a synchronous DoFn.
        const prev = swapMetricsContainer(this.cfg.metrics);
        try {
          result = this.fn.process(value, ctx as unknown as ProcessContext<unknown>);
        } finally {
          swapMetricsContainer(prev);
        }
      } else result = this.call(() => this.fn.process(value, ctx as unknown as ProcessContext<unknown>), 'process');
    } catch (e) {
      throw this.wrap(e, 'process');
    }
    if (result === undefined) return ctx.settle();
    if (Array.isArray(result)) {
      ctx.outputAll(result);
      return ctx.settle();
    }
    return this.afterProcess(ctx, result);
  }

  /** What `process` returned when it is neither nothing nor an array. */
  private afterProcess(ctx: Context, result: unknown): Delivery {
    if (isThenable(result) || isAsyncIterable(result)) return this.runAsync(ctx, result);
    if (isIterator(result)) return pullGenerator(this.puller, ctx, result);
    throw this.wrap(new TypeError(`process returned ${typeof result}; return nothing, an array, a generator, or a Promise of those`), 'process');
  }

  /**
   * `Map.of` once its function proved synchronous: the function called here and its result handed
   * on, without MapFn.process and the context in between (what they would do, minus the calls).
   */
  private mapOne(map: (element: unknown) => unknown, value: unknown, timestamp: Instant, windows: readonly BoundedWindow[], pane: PaneInfo): Delivery {
    let out: unknown;
    const prev = swapMetricsContainer(this.cfg.metrics);
    try {
      out = map(value);
    } catch (e) {
      throw this.wrap(e, 'process');
    } finally {
      swapMetricsContainer(prev);
    }
    if (isThenable(out)) return this.mapLater(out, timestamp, windows, pane);
    return receiveParts(this.outputs.main, out, timestamp, windows, pane);
  }

  /** A `Map.of` function returned a Promise after all: on as MapFn.process returns it. */
  private mapLater(out: Promise<unknown>, timestamp: Instant, windows: readonly BoundedWindow[], pane: PaneInfo): Delivery {
    const ctx = this.ctx;
    ctx.timestamp = timestamp;
    ctx.pane = pane;
    ctx.windows = windows;
    ctx.clear();
    return this.runAsync(ctx, out.then((v) => ctx.output(v)));
  }

  /** Calls startBundle; a Promise when it is async. */
  private openBundle(): Promise<void> | undefined {
    this.bundleOpen = true;
    const started = this.fn.startBundle ? this.call(() => this.fn.startBundle!(), 'startBundle') : undefined;
    if (isThenable(started)) return started.then(() => undefined, (e) => Promise.reject(this.wrap(e, 'startBundle')));
  }

  /** A batch through a batched DoFn (`receiveBatch`): one output row per input row, handed on as a batch. */
  private processBatch(wb: WindowedBatch): Delivery {
    if (this.failure) throw this.failure;
    if (!this.bundleOpen) {
      const started = this.openBundle();
      if (started) return started.then(() => this.processBatch(wb));
    }
    const fn = this.fn as unknown as BatchedDoFn<unknown, unknown>;
    let out: ColumnBatch<unknown>;
    try {
      out = this.call(() => fn.processBatch(wb.batch as BatchOf<unknown>) as ColumnBatch<unknown>, 'processBatch');
    } catch (e) {
      throw this.wrap(e, 'processBatch');
    }
    if (out?.length !== wb.batch.length) {
      throw this.wrap(new TypeError(`processBatch returned ${out?.length} rows for a batch of ${wb.batch.length}: a batched DoFn gives exactly one output per input row`), 'processBatch');
    }
    return deliverBatch(this.outputs.main, { batch: out, timestamps: wb.timestamps, windows: wb.windows, pane: wb.pane });
  }

  private runAsync(ctx: Context, result: unknown): Delivery {
    this.ctx = this.newContext(); // `ctx` now belongs to this element until it finishes
    this.scope.markAsync();
    const work = isThenable(result)
      ? (result as Promise<unknown>).then(async (r) => {
          if (Array.isArray(r)) for (const v of r) ctx.output(v);
          await ctx.settle();
        })
      : // The generator's body runs on each next(), after process() returned: pull it inside
        // this transform's metrics scope so its metric updates are attributed.
        withAsyncMetricsContainer(this.cfg.metrics, async () => {
          for await (const v of result as AsyncIterable<unknown>) {
            ctx.output(v);
            await ctx.settle();
          }
        });
    const tracked = this.track(work);
    return this.inFlight.size >= this.cfg.maxConcurrency ? tracked : undefined;
  }

  private track(work: Promise<void>): Promise<void> {
    const p: Promise<void> = work.then(
      () => this.release(p),
      (e) => {
        this.failure ??= this.wrap(e, 'process');
        this.release(p);
      },
    );
    this.inFlight.add(p);
    return p;
  }

  private release(p: Promise<void>): void {
    this.inFlight.delete(p);
    this.slotWaiters.shift()?.();
  }

  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
    if (this.failure) throw this.failure;
  }

  finishBundle(): Delivery {
    if (!this.bundleOpen) return;
    this.bundleOpen = false;
    if (!this.fn.finishBundle) return;
    return callFinishBundle(this.name, this, this.scope, (ctx) => this.fn.finishBundle!(ctx));
  }

  bufferedElements(): number {
    return this.inFlight.size;
  }

  teardown(): Promise<void> {
    return runLifecycle(this.name, 'teardown', this.cfg.metrics, this.fn.teardown && (() => this.fn.teardown!()));
  }

  private call<R>(fn: () => R, _phase: string): R {
    return this.scope.call(fn);
  }

  wrap(e: unknown, phase: string): unknown {
    return userCodeError(this.name, phase, e);
  }

  /** A generator DoFn's context gathers its outputs into runs; any other's hands each on. */
  private newContext(): Context {
    return this.pullsRuns ? new GatheringContext(this) : new Context(this);
  }
}

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as FunctionConstructor;

/** Whether `process` is a generator function: its iterators are pulled in runs (`pullRuns`); an
 *  iterator any other `process` returns is pulled value by value (`pullEach`). */
function isGeneratorFunction(process: unknown): boolean {
  return process instanceof GeneratorFunction;
}
