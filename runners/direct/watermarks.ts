/**
 * Watermark bookkeeping for the direct runner: a plain data structure with no I/O and no clock,
 * so it is tested with tables alone (see `test/watermarks/`).
 *
 * Every node of the executable graph (a source, a GroupByKey, a ParDo with timers...) has
 *
 * - an **input watermark**: for a source, the watermark it reports; otherwise the minimum of the
 *   output watermarks of its upstream nodes;
 * - a **hold**: the earliest timestamp the node may still emit (buffered elements, pending
 *   timers, panes not yet fired), `Instant.MAX` when it holds nothing;
 * - an **output watermark**: `min(input, hold)`, never moving backwards.
 *
 * `propagate()` is incremental: only nodes downstream of a change are recomputed, in topological
 * order, each at most once per call — it runs once per bundle, so it must stay cheap.
 *
 * An idle source reports `Instant.MAX` and so never holds back the nodes downstream of it.
 */
import { TributaryError } from '../../sdk/errors.js';
import { Instant } from '../../sdk/time/instant.js';
import { popMin, pushMin } from '../exec/number-heap.js';

/** A watermark moved backwards, or the graph was used before it was built. */
export class WatermarkError extends TributaryError {
  constructor(
    message: string,
    readonly node: string,
  ) {
    super(message);
  }
}

interface Node {
  readonly id: string;
  readonly index: number;
  readonly upstream: readonly Node[];
  readonly downstream: Node[];
  readonly isSource: boolean;
  sourceWatermark: number;
  hold: number;
  input: number;
  output: number;
  dirty: boolean;
}

export class WatermarkTracker {
  private readonly nodes = new Map<string, Node>();
  private readonly byIndex: Node[] = [];
  /** Min-heap of topological indices of dirty nodes. */
  private readonly dirty: number[] = [];

  /** Adds a node; its upstream nodes must already exist (add in topological order). */
  addNode(id: string, upstream: readonly string[]): void {
    if (this.nodes.has(id)) {
      throw new WatermarkError(`watermark node "${id}" was added twice`, id);
    }
    const ups = upstream.map((u) => {
      const n = this.nodes.get(u);
      if (!n) {
        throw new WatermarkError(
          `watermark node "${id}" names upstream "${u}", which was not added before it ` +
            `(add nodes in topological order)`,
          id,
        );
      }
      return n;
    });
    const node: Node = {
      id,
      index: this.byIndex.length,
      upstream: ups,
      downstream: [],
      isSource: ups.length === 0,
      sourceWatermark: Instant.MIN,
      hold: Instant.MAX,
      input: Instant.MIN,
      output: Instant.MIN,
      dirty: false,
    };
    for (const u of ups) if (!u.downstream.includes(node)) u.downstream.push(node);
    this.nodes.set(id, node);
    this.byIndex.push(node);
    this.markDirty(node);
  }

  /** Sets a source's reported watermark. Sources only; it never moves backwards. */
  setSourceWatermark(id: string, wm: Instant): void {
    const node = this.node(id);
    if (!node.isSource) {
      throw new WatermarkError(
        `"${id}" has upstream nodes; only a source reports its own watermark`,
        id,
      );
    }
    if (wm < node.sourceWatermark) {
      throw new WatermarkError(
        `source "${id}" moved its watermark backwards, from ${Instant.format(
          node.sourceWatermark as Instant,
        )} to ${Instant.format(wm)}`,
        id,
      );
    }
    if (wm === node.sourceWatermark) return;
    node.sourceWatermark = wm;
    this.markDirty(node);
  }

  /** Sets the node's own output hold; `Instant.MAX` means it holds nothing. */
  setHold(id: string, hold: Instant): void {
    const node = this.node(id);
    if (hold === node.hold) return;
    node.hold = hold;
    this.markDirty(node);
  }

  /** The hold last set for the node (`Instant.MAX` if none). */
  hold(id: string): Instant {
    return this.node(id).hold as Instant;
  }

  /** As of the last `propagate()`. */
  inputWatermark(id: string): Instant {
    return this.node(id).input as Instant;
  }

  /** As of the last `propagate()`. */
  outputWatermark(id: string): Instant {
    return this.node(id).output as Instant;
  }

  /** Every node's watermarks and hold, for a checkpoint (call when settled). */
  snapshot(): Record<string, [number, number, number, number]> {
    const out: Record<string, [number, number, number, number]> = {};
    for (const n of this.byIndex) out[n.id] = [n.sourceWatermark, n.hold, n.input, n.output];
    return out;
  }

  /** Puts back a snapshot taken of the same graph. */
  restore(state: Record<string, [number, number, number, number]>): void {
    for (const n of this.byIndex) {
      const s = state[n.id];
      if (!s) throw new WatermarkError(`the checkpoint has no watermarks for "${n.id}": it was written by a different pipeline`, n.id);
      [n.sourceWatermark, n.hold, n.input, n.output] = s;
      this.markDirty(n);
    }
  }

  /** True when no propagation is pending. */
  isSettled(): boolean {
    return this.dirty.length === 0;
  }

  /**
   * Recomputes the nodes touched since the last call and everything downstream of a node whose
   * output moved. Returns the nodes whose input watermark advanced, in topological order, with
   * the new value.
   */
  propagate(): Array<{ id: string; inputWatermark: Instant }> {
    const advanced: Array<{ id: string; inputWatermark: Instant }> = [];
    const heap = this.dirty;
    while (heap.length > 0) {
      const node = this.byIndex[popMin(heap)]!;
      node.dirty = false;
      let input: number;
      if (node.isSource) {
        input = node.sourceWatermark;
      } else {
        input = Instant.MAX;
        const ups = node.upstream;
        for (let i = 0; i < ups.length; i++) {
          const o = ups[i]!.output;
          if (o < input) input = o;
        }
      }
      if (input > node.input) {
        node.input = input;
        advanced.push({ id: node.id, inputWatermark: input as Instant });
      }
      const candidate = node.input < node.hold ? node.input : node.hold;
      if (candidate > node.output) {
        node.output = candidate;
        const downs = node.downstream;
        for (let i = 0; i < downs.length; i++) this.markDirty(downs[i]!);
      }
    }
    return advanced;
  }

  private node(id: string): Node {
    const n = this.nodes.get(id);
    if (!n) throw new WatermarkError(`no watermark node "${id}"`, id);
    return n;
  }

  private markDirty(node: Node): void {
    if (node.dirty) return;
    node.dirty = true;
    pushMin(this.dirty, node.index);
  }
}
