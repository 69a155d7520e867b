/**
 * Holds a ParDo's main-input elements until its side inputs are ready for their windows, in
 * front of the DoFn's operator (stateless or stateful), as Beam's runners push back elements.
 *
 * - An element whose side inputs are ready goes straight through — but never ahead of elements
 *   waiting before it that are ready too (a side input that became ready is looked at first).
 * - Waiting elements are looked at again when a side input received something (a triggered side
 *   input is ready at its first element), at the end of each bundle, and when the watermark moves.
 * - The watermark the DoFn sees is held at the earliest waiting element (Beam's Flink runner
 *   does the same): a stateful DoFn's window does not expire, nor its timers fire, past an
 *   element it has not been given yet. The gate holds the output watermark there too.
 * - The waiting elements are part of the checkpoint (the main input's windowed-value coder), so a
 *   job waiting for a side input — a live read waiting for a backfill, say — can be checkpointed.
 */
import type { Coder } from '../../sdk/coders/index.js';
import { WindowedValueCoder } from '../../sdk/coders/windowed-value.js';
import { Instant } from '../../sdk/time/instant.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import type { BoundedWindow } from '../../sdk/window/bounded-window.js';
import type { SideInputAccess } from './side-input-views.js';
import { ByteWriter, CheckpointError, readValue, snapshotReader, writeValue, type SnapshotBytes } from './snapshot-bytes.js';
import { NOT_NOW, type Delivery, type Operator } from './unit.js';

const FORMAT = 'tributary.side-input-gate.v1';

interface GateSnapshot {
  readonly format: typeof FORMAT;
  /** The waiting elements, or null: none. */
  readonly waiting: SnapshotBytes | null;
  /** The DoFn operator's own state (undefined: none). */
  readonly inner: unknown;
}

export interface SideInputGateConfig {
  readonly sideInputs: ReadonlyMap<string, SideInputAccess>;
  /** The main input's element and window coders, for checkpoints. */
  readonly elementCoder?: Coder<unknown>;
  readonly windowCoder?: Coder<BoundedWindow>;
}

export class SideInputGate implements Operator {
  readonly name: string;
  private waiting: WindowedValue<unknown>[] = [];
  private readonly accesses: SideInputAccess[];
  /** Sum of the side inputs' versions when the waiting elements were last looked at. */
  private seen = -1;
  /** The input watermark, and what the DoFn was last told. */
  private watermark: Instant = Instant.MIN;
  private told: Instant = Instant.MIN;

  constructor(
    readonly inner: Operator,
    private readonly cfg: SideInputGateConfig,
  ) {
    this.name = inner.name;
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
    if (released) return released.then(() => this.advanceInner());
    return this.advanceInner();
  }

  private advanceInner(): Delivery {
    const held = this.waitingHold();
    const wm = held < this.watermark ? held : this.watermark;
    if (wm <= this.told) return;
    this.told = wm;
    return this.inner.onWatermark?.(wm);
  }

  private waitingHold(): Instant {
    let h = Instant.MAX;
    for (const wv of this.waiting) if (wv.timestamp < h) h = wv.timestamp;
    return h;
  }

  onWatermark(watermark: Instant): Delivery {
    this.watermark = watermark;
    return this.settle();
  }

  finishBundle(): Delivery {
    const d = this.waiting.length > 0 && this.changed() ? this.settle() : undefined;
    if (d) return d.then(() => this.inner.finishBundle?.());
    return this.inner.finishBundle?.();
  }

  hold(): Instant {
    const inner = this.inner.hold?.() ?? Instant.MAX;
    const held = this.waitingHold();
    return held < inner ? held : inner;
  }

  bufferedElements(): number {
    return this.waiting.length + (this.inner.bufferedElements?.() ?? 0);
  }

  setup(): Promise<void> | void {
    return this.inner.setup?.();
  }
  drain(): Promise<void> {
    return this.inner.drain?.() ?? Promise.resolve();
  }
  onProcessingTime(now: Instant): Delivery {
    return this.inner.onProcessingTime?.(now);
  }
  nextProcessingTimeTimer(): Instant | undefined {
    return this.inner.nextProcessingTimeTimer?.();
  }
  resume(): void {
    this.inner.resume?.();
  }
  teardown(): Promise<void> | void {
    return this.inner.teardown?.();
  }

  snapshot(): unknown {
    let inner: unknown;
    if (this.inner.snapshot) {
      inner = this.inner.snapshot();
      if (inner === NOT_NOW) return NOT_NOW;
    } else if ((this.inner.bufferedElements?.() ?? 0) > 0) return NOT_NOW;
    if (this.waiting.length === 0 && inner === undefined) return undefined;
    const snap: GateSnapshot = { format: FORMAT, waiting: this.waiting.length ? this.writeWaiting() : null, inner };
    return snap;
  }

  restore(state: unknown): void {
    const snap = state as Partial<GateSnapshot>;
    if (snap?.format !== FORMAT) throw new CheckpointError(`the checkpoint's state for "${this.name}" is not a side-input gate's (format ${String(snap?.format)}): was it written by another version? Delete the checkpoint to start over`);
    if (snap.waiting) {
      const coder = this.coder();
      const input = snapshotReader(snap.waiting, FORMAT, this.name);
      for (let n = input.readVarInt(); n > 0; n--) this.waiting.push(readValue(coder, input, () => `an element of "${this.name}" waiting for its side inputs`));
    }
    if (snap.inner !== undefined) this.inner.restore?.(snap.inner);
  }

  private writeWaiting(): SnapshotBytes {
    const coder = this.coder();
    const out = new ByteWriter();
    out.writeVarInt(this.waiting.length);
    for (const wv of this.waiting) writeValue(coder, wv, out, () => `an element of "${this.name}" waiting for its side inputs (give its input PCollection a coder that can encode it)`);
    return { format: FORMAT, bytes: out.finish() };
  }

  private coder(): Coder<WindowedValue<unknown>> {
    const { elementCoder, windowCoder } = this.cfg;
    if (!elementCoder || !windowCoder) throw new CheckpointError(`"${this.name}" was built without its input's coders: the elements waiting for its side inputs cannot be checkpointed`);
    return new WindowedValueCoder(elementCoder, windowCoder);
  }
}
