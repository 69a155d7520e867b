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
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import type { Delivery, Operator } from '../exec/unit.js';
import { HoldingFront } from '../exec/holding-front.js';

export class StableInputOperator extends HoldingFront {
  constructor(inner: Operator, coder: Coder<WindowedValue<unknown>>) {
    super(inner, 'stable-input/1', coder, 'waiting for stable input');
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
}

export function isStableInput(op: Operator): op is StableInputOperator {
  return op instanceof StableInputOperator;
}
