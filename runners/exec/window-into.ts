/** Window.into: assigns each element to the windows of the new window fn. */
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import type { WindowingStrategy } from '../../sdk/window/windowing-strategy.js';
import type { Delivery, Operator, Receiver } from './unit.js';

export class WindowIntoOperator implements Operator {
  constructor(
    readonly name: string,
    private readonly strategy: WindowingStrategy,
    private readonly output: Receiver,
  ) {}

  receive(wv: WindowedValue<unknown>): Delivery {
    const windows = this.strategy.windowFn.assignWindows(wv.timestamp, wv.value);
    return this.output.receive({ value: wv.value, timestamp: wv.timestamp, windows, pane: wv.pane });
  }
}
