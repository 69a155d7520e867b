/** Flatten: every input's elements go to the one output, unchanged. */
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import type { Delivery, Operator, Receiver } from './unit.js';

export class FlattenOperator implements Operator {
  constructor(
    readonly name: string,
    private readonly output: Receiver,
  ) {}
  receive(wv: WindowedValue<unknown>): Delivery {
    return this.output.receive(wv);
  }
}
