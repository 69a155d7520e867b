/**
 * Deliveries that asked their caller to wait: an operator (or a DoFn's context) delivers any
 * number of elements synchronously and waits once, at the end, for those that returned a Promise.
 */
import type { Instant } from '../../sdk/time/instant.js';
import type { PaneInfo } from '../../sdk/values/pane.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import type { BoundedWindow } from '../../sdk/window/bounded-window.js';
import { deliverMany, receiveParts, type Delivery, type Receiver, type RunValues } from './unit.js';

export class PendingDeliveries {
  private pending: Promise<void>[] | undefined;

  deliver(r: Receiver, wv: WindowedValue<unknown>): void {
    const d = r.receive(wv);
    if (d) (this.pending ??= []).push(d);
  }

  /** `deliver` of the element made of these parts; no object made when `r` takes parts. */
  deliverParts(r: Receiver, value: unknown, timestamp: Instant, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    const d = receiveParts(r, value, timestamp, windows, pane);
    if (d) (this.pending ??= []).push(d);
  }

  /** `deliver` of a run of elements (Receiver.receiveMany): whole when `r` takes runs. */
  deliverRun(r: Receiver, count: number, values: RunValues, timestamp: Instant, windows: readonly BoundedWindow[], pane: PaneInfo): void {
    const d = deliverMany(r, count, values, timestamp, windows, pane);
    if (d) (this.pending ??= []).push(d);
  }

  get waiting(): boolean {
    return this.pending !== undefined;
  }

  clear(): void {
    this.pending = undefined;
  }

  /** Resolves once everything delivered so far has been accepted downstream. */
  settle(): Delivery {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    return p.length === 1 ? p[0] : Promise.all(p).then(() => undefined);
  }
}
