/**
 * Drives an execution plan: runs the root sources, processes their bundles one at a time
 * (finishing bundles and draining async work upstream-first), and moves watermarks. A watermark
 * is forwarded only after everything emitted before it was processed, and whatever it fires is
 * delivered before it moves on (KAPPA.md rule 9).
 */
import { Duration, Instant } from '../../sdk/time/instant.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import type { ExecutionPlan, PlanNode } from './plan.js';
import type { RootContext } from './sources.js';
import { WatermarkTracker } from './watermarks.js';
import { MetricsContainer } from '../../sdk/metrics/container.js';
import { CheckpointStore, type Checkpoint, type CheckpointIdentity } from './checkpoint-store.js';
import { CheckpointError, CheckpointFinishedError, CheckpointFormatError, CheckpointMismatchError } from './checkpoint-errors.js';
import { identityDifferences } from './checkpoint-identity.js';
import { CheckpointLock } from './checkpoint-lock.js';
import { isStableInput, type StableInputOperator } from './stable-input.js';
import { NOT_NOW } from '../exec/unit.js';
import { ArrivalClock } from '../exec/arrival-clock.js';
import { HeapRelease, fullCollection, type HeapReleaseOptions } from './heap-release.js';
import { BundleOrder, changesBundles, cutBundles, type BundleSettings } from './bundle-settings.js';

export interface Clock {
  now(): Instant;
}

/** What the executor reports as it runs, for tests and debugging (KAPPA.md rule 10). */
export type ExecutorTraceEvent = { readonly kind: 'watermark'; readonly operator: string; readonly value: Instant };

/**
 * The default least time between two checkpoints, in ms. It bounds what a crash makes the job
 * do again (everything after the last checkpoint; a two-phase-commit sink commits nothing of it
 * twice, but its output waits up to this long to be committed), and it is stretched so that
 * checkpoints take at most a tenth of the wall time when the state is large (docs/kappa.md).
 */
export const DEFAULT_CHECKPOINT_INTERVAL = 250;
/** With the default interval, checkpoints may take at most 1 / (1 + this) of the wall time. */
const CHECKPOINT_COST_FACTOR = 9;

export interface CheckpointOptions {
  readonly dir: string;
  /** Least wall time between two checkpoints (0: at every consistent moment); by default
   *  DEFAULT_CHECKPOINT_INTERVAL, stretched to nine times what the last checkpoint took. */
  readonly intervalMs?: number;
  /** The job's option values: a checkpoint written with others is not resumed. */
  readonly options?: Readonly<Record<string, unknown>>;
  /** When the checkpoint found belongs to a job that finished: start over (default) or fail. */
  readonly ifFinished?: 'restart' | 'fail';
  /** Hears what happens to the checkpoint (resumed from where, started over, a stale lock);
   *  standard error by default. */
  readonly report?: (message: string) => void;
}

export interface ExecutorOptions {
  /** Processing time; TestStream advances it. Defaults to a clock starting at 0. */
  readonly clock?: Clock;
  /** Checkpoint the job's state into `dir` (at most every `intervalMs` of wall time), and resume
   *  from the checkpoint found there. */
  readonly checkpoint?: CheckpointOptions;
  /** Receives every input-watermark move of every operator, in order. */
  readonly trace?: (event: ExecutorTraceEvent) => void;
  /** A full collection after a watermark step releases most of the state (heap-release.ts);
   *  on by default, `false` leaves collections to V8 alone. */
  readonly heapRelease?: HeapReleaseOptions | false;
  /** How roots' bundles are cut and ordered (bundle-settings.ts). */
  readonly bundles?: BundleSettings;
}

/**
 * What an operator running long-lived work of its own (a splittable DoFn's read) needs from the
 * executor: a task that is not part of any bundle, and exclusive turns to deliver its output and
 * move watermarks between the other roots' bundles.
 */
/** What splittable reads need from the executor (declared beside them, in the execution layer). */
import type { SplittableScheduler as Scheduler } from '../exec/splittable-scheduler.js';
export type { Scheduler };

/** A clock that moves only when told to: processing time under test. */
export class ManualClock implements Clock {
  constructor(private t: Instant = Instant.ofEpochMillis(0)) {}
  now(): Instant {
    return this.t;
  }
  advance(by: Duration): Instant {
    this.t = (this.t + by) as Instant;
    return this.t;
  }
  /** Back to a time a checkpoint recorded. */
  resetTo(t: Instant): void {
    this.t = t;
  }
}

export class Executor implements Scheduler {
  readonly watermarks = new WatermarkTracker();
  /** The most elements buffered at once: operator state, queues between operators, read-ahead. */
  peakBufferedElements = 0;
  private readonly tasks = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;
  private readonly trace: ((event: ExecutorTraceEvent) => void) | undefined;
  /** The runner's own metrics (step `tributary:executor`), beside the transforms'. */
  readonly metrics = new MetricsContainer('tributary:executor');
  private readonly peakGauge = this.metrics.gauge('tributary', 'peakBufferedElements');
  private readonly checkpoints: CheckpointStore | undefined;
  private readonly checkpointOptions: CheckpointOptions | undefined;
  private readonly checkpointIntervalMs: number;
  /** What this job is (set by the runner before `run`): recorded in and checked against checkpoints. */
  identity: CheckpointIdentity | undefined;
  private stableInputs: StableInputOperator[] = [];
  private lastCheckpointAt = -Infinity;
  /** How long the last checkpoint took (snapshot and save), for the adaptive default interval. */
  private lastCheckpointCost = 0;
  private readonly adaptiveInterval: boolean;
  private checkpointSequence = 0;
  private readonly rootsDone = new Set<string>();
  /** Positions reported by roots still emitting (see `RootContext`). */
  private readonly rootPositions = new Map<string, unknown>();
  private readonly checkpointsTaken = this.metrics.counter('tributary', 'checkpoints');
  /** The last checkpoint's wall-clock cost, for whoever watches the job. */
  lastCheckpoint: { readonly durationMs: number; readonly at: number } | undefined;
  private readonly heapRelease: HeapRelease | undefined;
  private readonly heapCollections = this.metrics.gauge('tributary', 'heapReleaseCollections');
  private readonly heapCollectionMillis = this.metrics.gauge('tributary', 'heapReleaseMillis');
  private readonly byId = new Map<string, PlanNode>();
  private queue: Promise<void> = Promise.resolve();
  private cancelled = false;
  private readonly clock: Clock;
  private processingTime: Instant;
  /** Turn stamps for the groupings' arrival-to-pane latency: the runner's clock when one was
   *  given (a manual clock under test), else wall time. */
  readonly arrivals: ArrivalClock;
  /** Bundle settings for roots' bundles, when they change anything. */
  private readonly rootBundles: BundleSettings | undefined;
  private readonly rootOrder: BundleOrder | undefined;

  constructor(
    private plan: ExecutionPlan | undefined,
    options: ExecutorOptions = {},
  ) {
    this.clock = options.clock ?? new ManualClock();
    const given = options.clock;
    this.arrivals = new ArrivalClock(given ? () => given.now() as number : Date.now);
    this.processingTime = this.clock.now();
    this.trace = options.trace;
    this.checkpoints = options.checkpoint ? new CheckpointStore(options.checkpoint.dir) : undefined;
    this.checkpointOptions = options.checkpoint;
    this.checkpointIntervalMs = options.checkpoint?.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL;
    this.adaptiveInterval = options.checkpoint?.intervalMs === undefined;
    this.heapRelease = options.heapRelease === false ? undefined : new HeapRelease(fullCollection(), options.heapRelease);
    this.rootBundles = options.bundles && changesBundles(options.bundles) ? options.bundles : undefined;
    this.rootOrder = options.bundles?.orderSeed === undefined ? undefined : new BundleOrder(options.bundles.orderSeed);
  }

  /** Late binding: the plan needs the tracker (side inputs read watermarks) before it exists. */
  attach(plan: ExecutionPlan): void {
    this.plan = plan;
    for (const node of plan.nodes) {
      this.byId.set(node.id, node);
      this.watermarks.addNode(node.id, node.upstream);
    }
    this.stableInputs = plan.nodes.map((n) => n.op).filter(isStableInput);
  }

  private report(message: string): void {
    const report = this.checkpointOptions?.report;
    if (report) report(message);
    else process.stderr.write(`${message}\n`);
  }

  cancel(): void {
    this.cancelled = true;
  }

  get stopped(): boolean {
    return this.cancelled;
  }

  spawn(task: Promise<void>): void {
    const tracked = task.then(
      () => void this.tasks.delete(tracked),
      (error) => {
        this.tasks.delete(tracked);
        // The first failure fails the job; the rest of the graph stops at its next turn.
        this.failure ??= { error };
        this.cancelled = true;
      },
    );
    this.tasks.add(tracked);
  }

  async run(): Promise<void> {
    const nodes = this.plan!.nodes;
    const setUp: PlanNode[] = [];
    let lock: CheckpointLock | undefined;
    try {
      if (this.checkpoints) {
        await this.checkpoints.prepare();
        lock = await CheckpointLock.acquire(this.checkpoints.dir, (m) => this.report(m));
      }
      for (const node of nodes) {
        setUp.push(node);
        await node.op.setup?.();
      }
      const restored = this.checkpoints ? await this.restoreCheckpoint() : undefined;
      // What waited for stable input in the restored checkpoint is durable: it goes first, in
      // the first turn — which runs after the resumed reads below are back in place, so their
      // holds keep the watermark where the checkpoint left it.
      const released = restored ? this.exclusive(() => this.releaseStableInputs()) : undefined;
      const roots = Promise.all(
        nodes
          .filter((n) => n.root && !restored?.rootsDone.includes(n.id))
          .map((n) => n.root!.source.run(this.rootContext(n), this.rootPositions.get(n.id)).then(() => void this.rootsDone.add(n.id))),
      );
      if (restored) for (const node of nodes) node.op.resume?.();
      roots.catch(() => (this.cancelled = true));
      await released;
      await roots;
      while (this.tasks.size) await Promise.all([...this.tasks]);
      await this.queue;
      if (this.failure) throw this.failure.error;
      if (this.checkpoints && !this.cancelled) await this.exclusive(() => this.finishCheckpoints());
    } finally {
      const errors: unknown[] = [];
      for (const node of setUp) {
        try {
          await node.op.teardown?.();
        } catch (e) {
          errors.push(e);
        }
      }
      await lock?.release();
      if (errors.length) throw errors[0];
    }
  }

  private rootContext(node: PlanNode): RootContext {
    const executor = this;
    const output = node.root!.output;
    return {
      get cancelled() {
        return executor.cancelled;
      },
      emit: (elements, position) =>
        this.exclusive(async () => {
          for (const bundle of this.rootBundles ? cutBundles(elements, this.rootBundles, this.rootOrder) : [elements]) {
            for (const e of bundle) {
              const d = output.receive(e as WindowedValue<unknown>);
              if (d) await d;
            }
            this.sampleBufferedElements();
            await this.finishBundles();
          }
          await this.rootMoved(node.id, position);
        }),
      advanceWatermark: (wm, position) =>
        this.exclusive(async () => {
          this.watermarks.setSourceWatermark(node.id, wm);
          await this.settleWatermarks();
          await this.rootMoved(node.id, position);
        }),
      advanceProcessingTime: (by, position) =>
        this.exclusive(async () => {
          const clock = this.clock;
          this.processingTime = clock instanceof ManualClock ? clock.advance(by) : ((this.processingTime + by) as Instant);
          for (const n of this.plan!.nodes) {
            const d = n.op.onProcessingTime?.(this.processingTime);
            if (d) await d;
          }
          await this.finishBundles();
          await this.settleWatermarks();
          await this.rootMoved(node.id, position);
        }),
    };
  }

  /** A root's call was processed: a root that reports positions has its position there now, a
   *  moment a checkpoint may be taken. */
  private async rootMoved(id: string, position: unknown): Promise<void> {
    if (position === undefined) return;
    this.rootPositions.set(id, position);
    await this.maybeCheckpoint();
  }

  /** Runs `work` after everything queued before it: one bundle or watermark move at a time. */
  exclusive(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(() => {
      if (this.cancelled) return;
      this.arrivals.stamp();
      return work();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  async finishBundles(): Promise<void> {
    for (const node of this.plan!.nodes) {
      const op = node.op;
      if (op.drain) await op.drain();
      const d = op.finishBundle?.();
      if (d) await d;
    }
    // finishBundle outputs may have started async work downstream of an earlier node.
    for (const node of this.plan!.nodes) if (node.op.drain) await node.op.drain();
  }

  /** Sets holds, propagates, and fires what the new watermarks make ready, until nothing moves. */
  async settleWatermarks(): Promise<void> {
    for (let moved = false; ; moved = true) {
      for (const node of this.plan!.nodes) if (node.op.hold) this.watermarks.setHold(node.id, node.op.hold());
      const advanced = this.watermarks.propagate();
      if (advanced.length === 0) {
        if (moved) this.releaseHeap();
        return;
      }
      this.sampleBufferedElements();
      for (const { id, inputWatermark } of advanced) {
        const op = this.byId.get(id)!.op;
        this.trace?.({ kind: 'watermark', operator: op.name, value: inputWatermark });
        const d = op.onWatermark?.(inputWatermark);
        if (d) await d;
      }
      await this.finishBundles();
    }
  }

  /**
   * Takes a checkpoint if one is due and the job is at a consistent point: every root finished
   * emitting or knows its position, and every operator can give its state now (a splittable read
   * with output still buffered cannot; a ParDo holding elements for a side input has no state to
   * give). Called inside an exclusive turn, after the bundles finished: nothing is in flight.
   */
  async maybeCheckpoint(): Promise<void> {
    if (!this.checkpoints || this.cancelled) return;
    const interval = this.adaptiveInterval ? Math.max(this.checkpointIntervalMs, CHECKPOINT_COST_FACTOR * this.lastCheckpointCost) : this.checkpointIntervalMs;
    if (Date.now() - this.lastCheckpointAt < interval) return;
    await this.takeCheckpoint();
  }

  /** Takes a checkpoint now if the job is at a consistent point; false if it is not. Once it is
   *  durable, the elements waiting for stable input are released. */
  private async takeCheckpoint(finished = false): Promise<boolean> {
    const store = this.checkpoints!;
    const nodes = this.plan!.nodes;
    if (nodes.some((n) => n.root && !this.rootsDone.has(n.id) && !this.rootPositions.has(n.id))) return false;
    const started = performance.now();
    const operators: Record<string, unknown> = {};
    for (const node of nodes) {
      const op = node.op;
      if (op.snapshot) {
        const state = op.snapshot();
        if (state === NOT_NOW) return false;
        if (state !== undefined) operators[node.id] = state;
      } else if ((op.bufferedElements?.() ?? 0) > 0) {
        return false; // holding state it cannot checkpoint (e.g. elements waiting for a side input): later
      }
    }
    this.lastCheckpointAt = Date.now();
    const roots: Record<string, unknown> = {};
    for (const [id, position] of this.rootPositions) if (!this.rootsDone.has(id)) roots[id] = position;
    const checkpoint: Checkpoint = {
      version: 3,
      identity: this.identity ?? { pipeline: '', steps: {}, options: {}, inputs: {} },
      savedAt: this.lastCheckpointAt,
      finished,
      nodes: nodes.map((n) => n.id),
      rootsDone: [...this.rootsDone],
      roots,
      processingTime: this.processingTime,
      watermarks: this.watermarks.snapshot(),
      operators,
      sequence: ++this.checkpointSequence,
    };
    await store.save(checkpoint);
    this.lastCheckpointCost = performance.now() - started;
    this.checkpointsTaken.inc(1);
    this.lastCheckpoint = { durationMs: this.lastCheckpointCost, at: Date.now() };
    await this.releaseStableInputs();
    return true;
  }

  /** Hands the elements waiting for stable input to their DoFns (a durable checkpoint holds them). */
  private async releaseStableInputs(): Promise<void> {
    if (!this.stableInputs.some((op) => op.waitingElements() > 0)) return;
    for (const op of this.stableInputs) await op.release();
    await this.finishBundles();
    await this.settleWatermarks();
  }

  /**
   * The input ended: checkpoints until nothing waits for stable input (each release may send
   * elements on to another stable-input step), then marks the checkpoint finished, so that a
   * later run with the same directory does not take it for a job to resume.
   */
  private async finishCheckpoints(): Promise<void> {
    for (let round = 0; this.stableInputs.some((op) => op.waitingElements() > 0); round++) {
      if (round > this.stableInputs.length || !(await this.takeCheckpoint())) {
        const stuck = this.plan!.nodes.find((n) => n.op.snapshot?.() === NOT_NOW)?.op.name;
        throw new CheckpointError(
          `the job ended with elements waiting for stable input, and no checkpoint could be taken to release them` +
            (stuck ? ` ("${stuck}" could not give its state)` : ''),
        );
      }
    }
    if (!(await this.takeCheckpoint(true))) {
      // Some operator cannot give its state: the finished mark needs none.
      await this.checkpoints!.save({ ...this.emptyCheckpoint(), finished: true });
    }
  }

  private emptyCheckpoint(): Checkpoint {
    return {
      version: 3,
      identity: this.identity ?? { pipeline: '', steps: {}, options: {}, inputs: {} },
      savedAt: Date.now(),
      finished: false,
      nodes: this.plan!.nodes.map((n) => n.id),
      rootsDone: this.plan!.nodes.filter((n) => n.root).map((n) => n.id),
      roots: {},
      processingTime: this.processingTime,
      watermarks: this.watermarks.snapshot(),
      operators: {},
      sequence: ++this.checkpointSequence,
    };
  }

  /** Puts the job back where the checkpoint left it, if there is one to resume. */
  private async restoreCheckpoint(): Promise<Checkpoint | undefined> {
    const store = this.checkpoints!;
    const ids = this.plan!.nodes.map((n) => n.id);
    const checkpoint = await store.load();
    if (!checkpoint) return undefined;
    if (checkpoint.finished) {
      if (this.checkpointOptions?.ifFinished === 'fail') throw new CheckpointFinishedError(store.file, checkpoint.savedAt);
      this.report(`checkpoint: ${store.file} belongs to a job that finished at ${new Date(checkpoint.savedAt).toISOString()}; starting over`);
      return undefined;
    }
    if (this.identity) {
      const differences = identityDifferences(checkpoint.identity, this.identity);
      if (differences.length) throw new CheckpointMismatchError(store.file, differences);
    }
    if (ids.join('\n') !== checkpoint.nodes.join('\n')) {
      const missing = checkpoint.nodes.filter((id) => !ids.includes(id)).concat(ids.filter((id) => !checkpoint.nodes.includes(id)));
      throw new CheckpointMismatchError(store.file, [`differing steps: ${missing.slice(0, 5).join(', ') || 'their order'}`]);
    }
    for (const [id, position] of Object.entries(checkpoint.roots)) {
      const node = this.byId.get(id)!;
      if (!node.root) throw new CheckpointFormatError(store.file, `roots.${id}`, `is a position for "${node.op.name}", which is not a source`);
      if (checkpoint.rootsDone.includes(id)) throw new CheckpointFormatError(store.file, `roots.${id}`, `is a position for "${node.op.name}", which the checkpoint says had finished`);
      const problem = node.root.source.checkPosition ? node.root.source.checkPosition(position) : 'is a position for a source that reports none';
      if (problem !== undefined) throw new CheckpointFormatError(store.file, `roots.${id}`, `(the position of "${node.op.name}") ${problem}`);
    }
    this.watermarks.restore(checkpoint.watermarks);
    for (const node of this.plan!.nodes) {
      const state = checkpoint.operators[node.id];
      if (state === undefined) continue;
      if (!node.op.restore) throw new CheckpointFormatError(store.file, `operators.${node.id}`, `holds state for "${node.op.name}", which keeps none`);
      try {
        node.op.restore(state);
      } catch (e) {
        if (e instanceof CheckpointError) throw e;
        throw new CheckpointFormatError(store.file, `operators.${node.id}`, `cannot be restored into "${node.op.name}" (${(e as Error).message})`);
      }
    }
    for (const id of checkpoint.rootsDone) this.rootsDone.add(id);
    for (const [id, position] of Object.entries(checkpoint.roots)) this.rootPositions.set(id, position);
    this.processingTime = checkpoint.processingTime as Instant;
    if (this.clock instanceof ManualClock) this.clock.resetTo(this.processingTime);
    this.checkpointSequence = checkpoint.sequence;
    this.report(`checkpoint: resumed from ${describeCheckpoint(checkpoint, this.plan!)}`);
    return checkpoint;
  }

  inputWatermark(nodeId: string): Instant {
    return this.watermarks.inputWatermark(nodeId);
  }

  /** Elements held across the graph: operator state, queues, in-flight async work, read-ahead. */
  bufferedElements(): number {
    let n = 0;
    for (const node of this.plan!.nodes) n += node.op.bufferedElements?.() ?? 0;
    return n;
  }

  /**
   * Elements a watermark step can release: `bufferedElements` less the output waiting in reads'
   * buffers. A read's buffer empties at every delivery, whatever the watermark: counted, it made
   * every step after a large delivery look like a release and cost a full collection
   * (a replay delivering whole 50,000-row groups ran 2–3× slower, all of it in requested GCs).
   */
  private releasableElements(): number {
    let n = 0;
    for (const node of this.plan!.nodes) n += (node.op.bufferedElements?.() ?? 0) - (node.op.outputBuffered?.() ?? 0);
    return n;
  }

  sampleBufferedElements(): void {
    // One pass for both counts: each operator's bufferedElements walks its own state.
    let n = 0;
    let outputs = 0;
    for (const node of this.plan!.nodes) {
      n += node.op.bufferedElements?.() ?? 0;
      outputs += node.op.outputBuffered?.() ?? 0;
    }
    this.heapRelease?.held(n - outputs);
    if (n > this.peakBufferedElements) {
      this.peakBufferedElements = n;
      this.peakGauge.set(n);
    }
  }

  private releaseHeap(): void {
    // The last step (every input at its end) releases everything, but nothing runs after it
    // that a heap sized from it would serve: collecting there is pure cost, paid by every job.
    if (this.plan!.nodes.every((n) => this.watermarks.inputWatermark(n.id) >= Instant.MAX)) return;
    if (!this.heapRelease?.released(this.releasableElements())) return;
    const stats = this.heapRelease.stats();
    this.heapCollections.set(stats.collections);
    this.heapCollectionMillis.set(stats.millis);
  }
}

/** Where a checkpoint left the job, for the "resumed" message. */
function describeCheckpoint(checkpoint: Checkpoint, plan: ExecutionPlan): string {
  const name = (id: string) => plan.nodes.find((n) => n.id === id)?.op.name ?? id;
  const parts = [`checkpoint ${checkpoint.sequence} saved at ${new Date(checkpoint.savedAt).toISOString()}`];
  const done = checkpoint.rootsDone.map(name);
  if (done.length) parts.push(`sources finished: ${done.join(', ')}`);
  for (const [id, position] of Object.entries(checkpoint.roots)) parts.push(`"${name(id)}" at ${JSON.stringify(position)}`);
  let low = Instant.MAX as number;
  for (const [, , , output] of Object.values(checkpoint.watermarks)) if (output < low) low = output;
  parts.push(`low watermark ${Instant.format(low as Instant)}`);
  return parts.join('; ');
}
