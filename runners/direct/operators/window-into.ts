/** Window.into fused into the grouping it feeds (the plain assigning unit is `exec/window-into.ts`). */
import type { Instant } from '../../../sdk/time/instant.js';
import type { WindowedValue } from '../../../sdk/values/windowed-value.js';
import type { GroupOperator } from './group.js';
import type { Delivery, Operator } from '../../exec/unit.js';
import type { WindowedBatch } from '../../exec/batches.js';

/**
 * Window.into whose only consumer is a grouping with the same windowing: the grouping assigns
 * the windows as it takes the element (`GroupOperator.receiveUnassigned`), so the windowed copy
 * of every element — and, for sessions and fixed windows, the window itself — is never made.
 * Grouping discards the pane, and assigning reads only the timestamp and value, so nothing else
 * of the copy could be observed.
 */
export class FusedWindowInto implements Operator {
  /** Present when the grouping takes batches (`GroupOperator.takesBatches`): a batch-aware chain goes on through here. */
  readonly receiveBatch?: (wb: WindowedBatch) => Delivery;

  constructor(
    readonly name: string,
    private readonly group: GroupOperator,
  ) {
    if (group.takesBatches) this.receiveBatch = (wb) => group.receiveUnassignedBatch(wb);
  }

  receive(wv: WindowedValue<unknown>): Delivery {
    return this.group.receiveUnassigned(wv.value, wv.timestamp);
  }

  receiveParts(value: unknown, timestamp: Instant): Delivery {
    return this.group.receiveUnassigned(value, timestamp);
  }
}
