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
import { CheckpointStore, type Checkpoint } from './checkpoint-store.js';
import { NOT_NOW } from '../exec/unit.js';
import { HeapRelease, fullCollection, type HeapReleaseOptions } from './heap-release.js';

export interface Clock {
  now(): Instant;
}

/** What the executor reports as it runs, for tests and debugging (KAPPA.md rule 10). */
export type ExecutorTraceEvent = { readonly kind: 'watermark'; readonly operator: string; readonly value: Instant };

export interface ExecutorOptions {
  /** Processing time; TestStream advances it. Defaults to a clock starting at 0. */
  readonly clock?: Clock;
  /** Checkpoint the job's state into `dir` (at most every `intervalMs` of wall time), and resume
   *  from the checkpoint found there. */
  readonly checkpoint?: { readonly dir: string; readonly intervalMs?: number };
  /** Receives every input-watermark move of every operator, in order. */
  readonly trace?: (event: ExecutorTraceEvent) => void;
  /** A full collection after a watermark step releases most of the state (heap-release.ts);
   *  on by default, `false` leaves collections to V8 alone. */
  readonly heapRelease?: HeapReleaseOptions | false;
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
  private readonly checkpointIntervalMs: number;
  private lastCheckpointAt = -Infinity;
  private checkpointSequence = 0;
  private readonly rootsDone = new Set<string>();
  /** Positions reported by roots still emitting (see `RootContext`). */
  private readonly rootPositions = new Map<string, unknown>();
  private readonly checkpointsTaken = this.metrics.counter('tributary', 'checkpoints');
  private readonly heapRelease: HeapRelease | undefined;
  private readonly heapCollections = this.metrics.gauge('tributary', 'heapReleaseCollections');
  private readonly heapCollectionMillis = this.metrics.gauge('tributary', 'heapReleaseMillis');
  private readonly byId = new Map<string, PlanNode>();
  private queue: Promise<void> = Promise.resolve();
  private cancelled = false;
  private readonly clock: Clock;
  private processingTime: Instant;

  constructor(
    private plan: ExecutionPlan | undefined,
    options: ExecutorOptions = {},
  ) {
    this.clock = options.clock ?? new ManualClock();
    this.processingTime = this.clock.now();
    this.trace = options.trace;
    this.checkpoints = options.checkpoint ? new CheckpointStore(options.checkpoint.dir) : undefined;
    this.checkpointIntervalMs = options.checkpoint?.intervalMs ?? 0;
    this.heapRelease = options.heapRelease === false ? undefined : new HeapRelease(fullCollection(), options.heapRelease);
  }

  /** Late binding: the plan needs the tracker (side inputs read watermarks) before it exists. */
  attach(plan: ExecutionPlan): void {
    this.plan = plan;
    for (const node of plan.nodes) {
      this.byId.set(node.id, node);
      this.watermarks.addNode(node.id, node.upstream);
    }
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
    try {
      for (const node of nodes) {
        setUp.push(node);
        await node.op.setup?.();
      }
      const restored = this.checkpoints ? await this.restoreCheckpoint() : undefined;
      const roots = Promise.all(
        nodes
          .filter((n) => n.root && !restored?.rootsDone.includes(n.id))
          .map((n) => n.root!.source.run(this.rootContext(n), this.rootPositions.get(n.id)).then(() => void this.rootsDone.add(n.id))),
      );
      if (restored) for (const node of nodes) node.op.resume?.();
      roots.catch(() => (this.cancelled = true));
      await roots;
      while (this.tasks.size) await Promise.all([...this.tasks]);
      await this.queue;
      if (this.failure) throw this.failure.error;
    } finally {
      const errors: unknown[] = [];
      for (const node of setUp) {
        try {
          await node.op.teardown?.();
        } catch (e) {
          errors.push(e);
        }
      }
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
          for (const e of elements) {
            const d = output.receive(e as WindowedValue<unknown>);
            if (d) await d;
          }
          this.sampleBufferedElements();
          await this.finishBundles();
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
    const store = this.checkpoints;
    if (!store || this.cancelled) return;
    const now = Date.now();
    if (now - this.lastCheckpointAt < this.checkpointIntervalMs) return;
    const nodes = this.plan!.nodes;
    if (nodes.some((n) => n.root && !this.rootsDone.has(n.id) && !this.rootPositions.has(n.id))) return;
    const operators: Record<string, unknown> = {};
    for (const node of nodes) {
      const op = node.op;
      if (op.snapshot) {
        const state = op.snapshot();
        if (state === NOT_NOW) return;
        if (state !== undefined) operators[node.id] = state;
      } else if ((op.bufferedElements?.() ?? 0) > 0) {
        return; // holding state it cannot checkpoint (e.g. elements waiting for a side input): later
      }
    }
    this.lastCheckpointAt = now;
    const roots: Record<string, unknown> = {};
    for (const [id, position] of this.rootPositions) if (!this.rootsDone.has(id)) roots[id] = position;
    const checkpoint: Checkpoint = {
      version: 2,
      nodes: nodes.map((n) => n.id),
      rootsDone: [...this.rootsDone],
      roots,
      processingTime: this.processingTime,
      watermarks: this.watermarks.snapshot(),
      operators,
      sequence: ++this.checkpointSequence,
    };
    await store.save(checkpoint);
    this.checkpointsTaken.inc(1);
  }

  /** Puts the job back where the checkpoint left it, if there is one. */
  private async restoreCheckpoint(): Promise<Checkpoint | undefined> {
    const checkpoint = await this.checkpoints!.load();
    if (!checkpoint) return undefined;
    const ids = this.plan!.nodes.map((n) => n.id);
    if (ids.join('\n') !== checkpoint.nodes.join('\n')) {
      const missing = checkpoint.nodes.filter((id) => !ids.includes(id)).concat(ids.filter((id) => !checkpoint.nodes.includes(id)));
      throw new Error(
        `the checkpoint in ${this.checkpoints!.dir} was written by a different pipeline (differing steps: ${missing.slice(0, 5).join(', ') || 'order'}); ` +
          `run the pipeline that wrote it, or delete the directory to start over`,
      );
    }
    this.watermarks.restore(checkpoint.watermarks);
    for (const node of this.plan!.nodes) {
      const state = checkpoint.operators[node.id];
      if (state === undefined) continue;
      if (!node.op.restore) throw new Error(`the checkpoint holds state for "${node.op.name}", which cannot restore state`);
      node.op.restore(state);
    }
    for (const id of checkpoint.rootsDone) this.rootsDone.add(id);
    for (const [id, position] of Object.entries(checkpoint.roots ?? {})) this.rootPositions.set(id, position);
    if (checkpoint.processingTime !== undefined) {
      this.processingTime = checkpoint.processingTime as Instant;
      if (this.clock instanceof ManualClock) this.clock.resetTo(this.processingTime);
    }
    this.checkpointSequence = checkpoint.sequence;
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

  sampleBufferedElements(): void {
    const n = this.bufferedElements();
    this.heapRelease?.held(n);
    if (n > this.peakBufferedElements) {
      this.peakBufferedElements = n;
      this.peakGauge.set(n);
    }
  }

  private releaseHeap(): void {
    if (!this.heapRelease?.released(this.bufferedElements())) return;
    const stats = this.heapRelease.stats();
    this.heapCollections.set(stats.collections);
    this.heapCollectionMillis.set(stats.millis);
  }
}
