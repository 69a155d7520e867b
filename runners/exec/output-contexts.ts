/**
 * The output half of the contexts user code receives, shared by the stateless and the stateful
 * ParDo operators: where outputs go (main or a tagged output), at which timestamp, in which
 * window, and Beam's allowed-skew check when user code picks the timestamp.
 */
import type { Instant } from '../../sdk/time/instant.js';
import { NO_FIRING, type PaneInfo } from '../../sdk/values/pane.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import type { BoundedWindow } from '../../sdk/window/bounded-window.js';
import { ArrayRun, type Receiver } from './unit.js';
import { PendingDeliveries } from './pending.js';

export interface OutputHost {
  readonly main: Receiver;
  tagged(tag: string): Receiver;
  checkOutputTimestamp(input: Instant, output: Instant): void;
}

/** Outputs of a call on one element: its timestamp and pane, the window being processed.
 *  One instance is re-pointed at each element (no allocation per call). */
export class ElementOutputContext extends PendingDeliveries {
  /** The element's (set with `setElement`, or field by field by an operator that has no object). */
  timestamp: Instant = 0 as Instant;
  pane!: PaneInfo;
  windows!: readonly BoundedWindow[];

  constructor(private readonly host: OutputHost) {
    super();
  }

  /** Points the context at `wv`'s timestamp and pane (`windows` is set apart: the window being
   *  processed may be one of several). */
  setElement(wv: WindowedValue<unknown>): void {
    this.timestamp = wv.timestamp;
    this.pane = wv.pane;
  }

  get window(): BoundedWindow {
    return this.windows[0]!;
  }

  output(value: unknown): void {
    this.deliverParts(this.host.main, value, this.timestamp, this.windows, this.pane);
  }
  outputTo(tag: string, value: unknown): void {
    this.deliverParts(this.host.tagged(tag), value, this.timestamp, this.windows, this.pane);
  }
  outputWithTimestamp(value: unknown, timestamp: Instant): void {
    this.host.checkOutputTimestamp(this.timestamp, timestamp);
    this.deliverParts(this.host.main, value, timestamp, this.windows, this.pane);
  }
  outputToWithTimestamp(tag: string, value: unknown, timestamp: Instant): void {
    this.host.checkOutputTimestamp(this.timestamp, timestamp);
    this.deliverParts(this.host.tagged(tag), value, timestamp, this.windows, this.pane);
  }

  /**
   * Main outputs at the element's timestamp, handed on as one run (Receiver.receiveMany): a
   * receiver that takes runs does its per-element set-up once. The first `count` of `values` are
   * read until the run is taken, which is before the next element is processed (a delivery that
   * asks to wait holds its caller back).
   */
  outputAll(values: readonly unknown[], count = values.length): void {
    if (count === 1) this.deliverParts(this.host.main, values[0], this.timestamp, this.windows, this.pane);
    else if (count > 1) this.deliverRun(this.host.main, count, new ArrayRun(values), this.timestamp, this.windows, this.pane);
  }
}

/** finishBundle has no current element: timestamp and window are explicit. */
export class FinishBundleOutputContext extends PendingDeliveries {
  constructor(private readonly host: OutputHost) {
    super();
  }
  output(value: unknown, timestamp: Instant, window: BoundedWindow): void {
    this.deliver(this.host.main, { value, timestamp, windows: [window], pane: NO_FIRING });
  }
  outputTo(tag: string, value: unknown, timestamp: Instant, window: BoundedWindow): void {
    this.deliver(this.host.tagged(tag), { value, timestamp, windows: [window], pane: NO_FIRING });
  }
}
