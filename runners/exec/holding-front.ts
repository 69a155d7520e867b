/**
 * An operator in front of a DoFn's operator that holds some of its input elements back until a
 * condition of its own lets them through (stable input: a durable checkpoint; side inputs: their
 * readiness). What every such front does the same way lives here:
 *
 * - the waiting elements, in arrival order, are part of every checkpoint (written with the input's
 *   windowed-value coder), beside the inner operator's own state;
 * - the inner operator is told the input watermark, but never past an element still waiting (so a
 *   stateful DoFn's windows do not expire, nor its timers fire, past an element it has not seen);
 * - the output watermark is held at the earliest waiting element;
 * - everything else goes straight to the inner operator.
 */
import type { Coder } from '../../sdk/coders/index.js';
import { Instant } from '../../sdk/time/instant.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import { ByteReader, ByteWriter, CheckpointError, readValue, writeValue } from './snapshot-bytes.js';
import { NOT_NOW, type Delivery, type Operator } from './unit.js';

interface HeldState {
  readonly format: string;
  /** The waiting elements, each a windowed value written with the input's coder. */
  readonly bytes: Uint8Array;
  readonly count: number;
  /** The inner operator's own state, if any. */
  readonly inner?: unknown;
}

export abstract class HoldingFront implements Operator {
  readonly name: string;
  /** Elements received and not yet handed to the inner operator, in arrival order. */
  protected waiting: WindowedValue<unknown>[] = [];
  protected inputWatermark: Instant = Instant.MIN;
  /** The watermark the inner operator was last told. */
  private innerWatermark: Instant = Instant.MIN;

  constructor(
    readonly inner: Operator,
    /** The snapshot's format tag. */
    private readonly format: string,
    /** The input's windowed-value coder (undefined: the waiting elements cannot be checkpointed). */
    private readonly coder: Coder<WindowedValue<unknown>> | undefined,
    /** Names what waits here, in errors: "waiting for stable input". */
    private readonly what: string,
  ) {
    this.name = inner.name;
  }

  abstract receive(element: WindowedValue<unknown>): Delivery;

  onWatermark(watermark: Instant): Delivery {
    this.inputWatermark = watermark;
    return this.forwardWatermark();
  }

  /** Tells the inner operator the input watermark, but never past an element still waiting. */
  protected forwardWatermark(): Delivery {
    const w = Math.min(this.inputWatermark, this.earliestWaiting()) as Instant;
    if (w <= this.innerWatermark) return;
    this.innerWatermark = w;
    return this.inner.onWatermark?.(w);
  }

  private earliestWaiting(): Instant {
    let t = Instant.MAX as number;
    for (const e of this.waiting) if (e.timestamp < t) t = e.timestamp;
    return t as Instant;
  }

  hold(): Instant {
    return Math.min(this.inner.hold?.() ?? Instant.MAX, this.earliestWaiting()) as Instant;
  }

  bufferedElements(): number {
    return this.waiting.length + (this.inner.bufferedElements?.() ?? 0);
  }

  finishBundle(): Delivery {
    return this.inner.finishBundle?.();
  }
  setup(): Promise<void> | void {
    return this.inner.setup?.();
  }
  drain(): Promise<void> {
    return this.inner.drain?.() ?? Promise.resolve();
  }
  teardown(): Promise<void> | void {
    return this.inner.teardown?.();
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

  snapshot(): unknown {
    let inner: unknown;
    if (this.inner.snapshot) {
      inner = this.inner.snapshot();
      if (inner === NOT_NOW) return NOT_NOW;
    } else if ((this.inner.bufferedElements?.() ?? 0) > 0) {
      return NOT_NOW;
    }
    if (this.waiting.length === 0 && inner === undefined) return undefined;
    const out = new ByteWriter();
    if (this.waiting.length > 0) {
      const coder = this.requireCoder();
      for (const e of this.waiting) writeValue(coder, e, out, () => `an element ${this.what} at "${this.name}" (give its input PCollection a coder that can encode it)`);
    }
    const state: HeldState = { format: this.format, bytes: out.finish(), count: this.waiting.length, inner };
    return state;
  }

  restore(state: unknown): void {
    const s = state as Partial<HeldState> | undefined;
    if (s?.format !== this.format || !(s.bytes instanceof Uint8Array) || !Number.isSafeInteger(s.count) || s.count! < 0 || s.count! > s.bytes.length) {
      throw new CheckpointError(`the checkpoint's state for "${this.name}" is not in format ${this.format} (found ${String(s?.format)}): was it written by another version? Delete the checkpoint to start over`);
    }
    const input = new ByteReader(s.bytes);
    const waiting: WindowedValue<unknown>[] = [];
    if (s.count! > 0) {
      const coder = this.requireCoder();
      for (let i = 0; i < s.count!; i++) waiting.push(readValue(coder, input, () => `element ${i} ${this.what} at "${this.name}"`));
    }
    this.waiting = waiting;
    if (s.inner !== undefined) {
      if (!this.inner.restore) throw new CheckpointError(`the checkpoint holds state for "${this.name}", which keeps none`);
      this.inner.restore(s.inner);
    }
  }

  private requireCoder(): Coder<WindowedValue<unknown>> {
    if (!this.coder) throw new CheckpointError(`"${this.name}" was built without its input's coders: the elements ${this.what} cannot be checkpointed`);
    return this.coder;
  }
}
