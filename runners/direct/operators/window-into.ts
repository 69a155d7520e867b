/** Window.into: assigns each element to the windows of the new window fn. */
import type { WindowedValue } from '../../../sdk/values/windowed-value.js';
import type { WindowingStrategy } from '../../../sdk/window/windowing-strategy.js';
import type { GroupOperator } from './group.js';
import type { Delivery, Operator, Receiver } from './operator.js';

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

/**
 * Window.into whose only consumer is a grouping with the same windowing: the grouping assigns
 * the windows as it takes the element (`GroupOperator.receiveUnassigned`), so the windowed copy
 * of every element — and, for sessions and fixed windows, the window itself — is never made.
 * Grouping discards the pane, and assigning reads only the timestamp and value, so nothing else
 * of the copy could be observed.
 */
export class FusedWindowInto implements Operator {
  constructor(
    readonly name: string,
    private readonly group: GroupOperator,
  ) {}

  receive(wv: WindowedValue<unknown>): Delivery {
    return this.group.receiveUnassigned(wv);
  }
}
