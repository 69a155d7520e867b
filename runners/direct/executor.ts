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

export interface Clock {
  now(): Instant;
}

export interface ExecutorOptions {
  /** Processing time; TestStream advances it. Defaults to a clock starting at 0. */
  readonly clock?: Clock;
}

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
}

export class Executor {
  readonly watermarks = new WatermarkTracker();
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

  async run(): Promise<void> {
    const nodes = this.plan!.nodes;
    const setUp: PlanNode[] = [];
    try {
      for (const node of nodes) {
        setUp.push(node);
        await node.op.setup?.();
      }
      await Promise.all(nodes.filter((n) => n.root).map((n) => n.root!.source.run(this.rootContext(n))));
      await this.queue;
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
      emit: (elements) =>
        this.exclusive(async () => {
          for (const e of elements) {
            const d = output.receive(e as WindowedValue<unknown>);
            if (d) await d;
          }
          await this.finishBundles();
        }),
      advanceWatermark: (wm) =>
        this.exclusive(async () => {
          this.watermarks.setSourceWatermark(node.id, wm);
          await this.settleWatermarks();
        }),
      advanceProcessingTime: (by) =>
        this.exclusive(async () => {
          const clock = this.clock;
          this.processingTime = clock instanceof ManualClock ? clock.advance(by) : ((this.processingTime + by) as Instant);
          for (const n of this.plan!.nodes) {
            const d = n.op.onProcessingTime?.(this.processingTime);
            if (d) await d;
          }
          await this.finishBundles();
          await this.settleWatermarks();
        }),
    };
  }

  /** Runs `work` after everything queued before it: one bundle or watermark move at a time. */
  private exclusive(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(() => {
      if (this.cancelled) return;
      return work();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async finishBundles(): Promise<void> {
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
  private async settleWatermarks(): Promise<void> {
    for (;;) {
      for (const node of this.plan!.nodes) if (node.op.hold) this.watermarks.setHold(node.id, node.op.hold());
      const advanced = this.watermarks.propagate();
      if (advanced.length === 0) return;
      for (const { id, inputWatermark } of advanced) {
        const d = this.byId.get(id)!.op.onWatermark?.(inputWatermark);
        if (d) await d;
      }
      await this.finishBundles();
    }
  }

  inputWatermark(nodeId: string): Instant {
    return this.watermarks.inputWatermark(nodeId);
  }

  /** Elements held across the graph: operator state plus in-flight async work. */
  bufferedElements(): number {
    let n = 0;
    for (const node of this.plan!.nodes) n += node.op.bufferedElements?.() ?? 0;
    return n;
  }
}
