/**
 * Holds a ParDo's main-input elements until its side inputs are ready for their windows, in
 * front of the DoFn's operator (stateless or stateful), as Beam's runners push back elements.
 *
 * - An element whose side inputs are ready goes straight through — but never ahead of elements
 *   waiting before it that are ready too (a side input that became ready is looked at first).
 * - Waiting elements are looked at again when a side input received something (a triggered side
 *   input is ready at its first element), at the end of each bundle, and when the watermark moves.
 * - As every holding front (holding-front.ts): the watermark the DoFn sees and the output
 *   watermark are held at the earliest waiting element (Beam's Flink runner does the same), and
 *   the waiting elements are part of the checkpoint, so a job waiting for a side input — a live
 *   read waiting for a backfill, say — can be checkpointed.
 */
import type { Coder } from '../../sdk/coders/index.js';
import { WindowedValueCoder } from '../../sdk/coders/windowed-value.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import type { BoundedWindow } from '../../sdk/window/bounded-window.js';
import { HoldingFront } from './holding-front.js';
import type { SideInputAccess } from './side-input-views.js';
import type { Delivery, Operator } from './unit.js';
import type { Instant } from '../../sdk/time/instant.js';

export interface SideInputGateConfig {
  readonly sideInputs: ReadonlyMap<string, SideInputAccess>;
  /** The main input's element and window coders, for checkpoints. */
  readonly elementCoder?: Coder<unknown>;
  readonly windowCoder?: Coder<BoundedWindow>;
}

export class SideInputGate extends HoldingFront {
  private readonly accesses: SideInputAccess[];
  /** Sum of the side inputs' versions when the waiting elements were last looked at. */
  private seen = -1;

  constructor(inner: Operator, cfg: SideInputGateConfig) {
    super(inner, 'tributary.side-input-gate.v2', cfg.elementCoder && cfg.windowCoder ? new WindowedValueCoder(cfg.elementCoder, cfg.windowCoder) : undefined, 'waiting for its side inputs');
    this.accesses = [...cfg.sideInputs.values()];
  }

  receive(wv: WindowedValue<unknown>): Delivery {
    if (this.waiting.length > 0 && this.changed()) {
      const d = this.release();
      if (d) return d.then(() => this.admit(wv));
    }
    return this.admit(wv);
  }

  private admit(wv: WindowedValue<unknown>): Delivery {
    if (!this.ready(wv)) {
      if (this.waiting.length === 0) this.seen = this.version();
      this.waiting.push(wv);
      return;
    }
    return this.inner.receive(wv);
  }

  private ready(wv: WindowedValue<unknown>): boolean {
    for (const access of this.accesses) for (const w of wv.windows) if (!access.isReady(w)) return false;
    return true;
  }

  private version(): number {
    let v = 0;
    for (const a of this.accesses) v += a.version?.() ?? 0;
    return v;
  }

  private changed(): boolean {
    return this.version() !== this.seen;
  }

  /** Hands the DoFn the waiting elements that are ready now, in arrival order. */
  private release(): Delivery {
    this.seen = this.version();
    const all = this.waiting;
    this.waiting = [];
    let chain: Promise<void> | undefined;
    for (const wv of all) {
      if (!this.ready(wv)) {
        this.waiting.push(wv);
        continue;
      }
      if (chain) chain = chain.then(() => this.inner.receive(wv));
      else {
        const d = this.inner.receive(wv);
        if (d) chain = d;
      }
    }
    return chain;
  }

  /** Releases what is ready, then tells the DoFn the watermark it may see. */
  private settle(): Delivery {
    const released = this.waiting.length > 0 ? this.release() : undefined;
    if (released) return released.then(() => this.forwardWatermark());
    return this.forwardWatermark();
  }

  override onWatermark(watermark: Instant): Delivery {
    this.inputWatermark = watermark;
    return this.settle();
  }

  override finishBundle(): Delivery {
    const d = this.waiting.length > 0 && this.changed() ? this.settle() : undefined;
    if (d) return d.then(() => this.inner.finishBundle?.());
    return this.inner.finishBundle?.();
  }
}
