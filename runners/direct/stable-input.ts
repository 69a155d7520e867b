/**
 * Beam's `beam:requirement:pardo:requires_stable_input:v1` on the direct runner. A ParDo that
 * requires stable input receives an element only once a durable checkpoint holds it, so that
 * after a crash the restored run hands it the very same element again (and never one it did not
 * see before the crash in its place). Elements wait here, in arrival order, as part of the
 * operator's state; the executor releases them right after the checkpoint holding them is on
 * disk, and a restored run releases the ones its checkpoint held before any source moves.
 *
 * The wrapped DoFn therefore sees its input late (by up to the checkpoint interval) and must
 * make its side effect idempotent: it sees an element again after a restore when the crash came
 * after the release. Downstream watermarks wait for the released elements (a hold), and a
 * stateful DoFn's input watermark never passes an element still waiting here.
 *
 * Without a checkpoint directory a run cannot be restored, its input is stable as it is, and
 * the plan does not wrap the ParDo at all.
 */
import type { Coder } from '../../sdk/coders/index.js';
import { Instant } from '../../sdk/time/instant.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import { NOT_NOW, type Delivery, type Operator } from '../exec/unit.js';
import { ByteReader, ByteWriter, CheckpointError, readValue, writeValue } from '../exec/snapshot-bytes.js';

const FORMAT = 'stable-input/1';

interface StableInputState {
  readonly format: string;
  /** The waiting elements, each a windowed value written with the input's coder. */
  readonly bytes: Uint8Array;
  readonly count: number;
  /** The wrapped operator's own state (a stateful DoFn's), if any. */
  readonly inner?: unknown;
}

export class StableInputOperator implements Operator {
  readonly name: string;
  /** Elements received and not yet handed to the DoFn, in arrival order. */
  private waiting: WindowedValue<unknown>[] = [];
  private inputWatermark: Instant = Instant.MIN;
  /** The watermark the wrapped operator was last told. */
  private innerWatermark: Instant = Instant.MIN;

  constructor(
    private readonly inner: Operator,
    private readonly coder: Coder<WindowedValue<unknown>>,
  ) {
    this.name = inner.name;
  }

  receive(element: WindowedValue<unknown>): Delivery {
    this.waiting.push(element);
  }

  /** The checkpoint holding every waiting element is durable: hand them to the DoFn. */
  async release(): Promise<void> {
    const elements = this.waiting;
    if (elements.length === 0) return;
    this.waiting = [];
    for (const e of elements) {
      const d = this.inner.receive(e);
      if (d) await d;
    }
    await this.forwardWatermark();
  }

  waitingElements(): number {
    return this.waiting.length;
  }

  setup(): Promise<void> | void {
    return this.inner.setup?.();
  }
  finishBundle(): Delivery {
    return this.inner.finishBundle?.();
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

  onWatermark(watermark: Instant): Delivery {
    this.inputWatermark = watermark;
    return this.forwardWatermark();
  }

  /** Tells the DoFn the input watermark, but never past an element still waiting here. */
  private forwardWatermark(): Delivery {
    const w = Math.min(this.inputWatermark, this.earliestWaiting()) as Instant;
    if (w <= this.innerWatermark) return;
    this.innerWatermark = w;
    return this.inner.onWatermark?.(w);
  }

  hold(): Instant {
    return Math.min(this.inner.hold?.() ?? Instant.MAX, this.earliestWaiting()) as Instant;
  }

  private earliestWaiting(): Instant {
    let t = Instant.MAX as number;
    for (const e of this.waiting) if (e.timestamp < t) t = e.timestamp;
    return t as Instant;
  }

  bufferedElements(): number {
    return this.waiting.length + (this.inner.bufferedElements?.() ?? 0);
  }

  snapshot(): unknown {
    let inner: unknown;
    if (this.inner.snapshot) {
      inner = this.inner.snapshot();
      if (inner === NOT_NOW) return NOT_NOW;
    } else if ((this.inner.bufferedElements?.() ?? 0) > 0) {
      return NOT_NOW;
    }
    const out = new ByteWriter();
    for (const e of this.waiting) writeValue(this.coder, e, out, () => `an element waiting for stable input at "${this.name}"`);
    const state: StableInputState = { format: FORMAT, bytes: out.finish(), count: this.waiting.length, inner };
    return state;
  }

  restore(state: unknown): void {
    const s = state as Partial<StableInputState> | undefined;
    if (s?.format !== FORMAT || !(s.bytes instanceof Uint8Array) || !Number.isSafeInteger(s.count) || s.count! < 0 || s.count! > s.bytes.length) {
      throw new CheckpointError(`the checkpoint's state for "${this.name}" is not stable-input state in format ${FORMAT} (found ${String(s?.format)}): was it written by another version? Delete the checkpoint to start over`);
    }
    const input = new ByteReader(s.bytes);
    const waiting: WindowedValue<unknown>[] = [];
    for (let i = 0; i < s.count!; i++) waiting.push(readValue(this.coder, input, () => `element ${i} waiting for stable input at "${this.name}"`));
    this.waiting = waiting;
    if (s.inner !== undefined) {
      if (!this.inner.restore) throw new CheckpointError(`the checkpoint holds state for "${this.name}", which keeps none`);
      this.inner.restore(s.inner);
    }
  }
}

export function isStableInput(op: Operator): op is StableInputOperator {
  return op instanceof StableInputOperator;
}
