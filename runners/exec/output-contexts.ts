/**
 * The output half of the contexts user code receives, shared by the stateless and the stateful
 * ParDo operators: where outputs go (main or a tagged output), at which timestamp, in which
 * window, and Beam's allowed-skew check when user code picks the timestamp.
 */
import type { Instant } from '../../sdk/time/instant.js';
import { NO_FIRING, type PaneInfo } from '../../sdk/values/pane.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import type { BoundedWindow } from '../../sdk/window/bounded-window.js';
import type { Receiver } from './unit.js';
import { PendingDeliveries } from './pending.js';

export interface OutputHost {
  readonly main: Receiver;
  tagged(tag: string): Receiver;
  checkOutputTimestamp(input: Instant, output: Instant): void;
}

/** Outputs of a call on one element: its timestamp and pane, the window being processed.
 *  One instance is re-pointed at each element (no allocation per call). */
export class ElementOutputContext extends PendingDeliveries {
  element!: WindowedValue<unknown>;
  windows!: readonly BoundedWindow[];

  constructor(private readonly host: OutputHost) {
    super();
  }

  get timestamp(): Instant {
    return this.element.timestamp;
  }
  get window(): BoundedWindow {
    return this.windows[0]!;
  }
  get pane(): PaneInfo {
    return this.element.pane;
  }

  output(value: unknown): void {
    const e = this.element;
    this.deliver(this.host.main, { value, timestamp: e.timestamp, windows: this.windows, pane: e.pane });
  }
  outputTo(tag: string, value: unknown): void {
    const e = this.element;
    this.deliver(this.host.tagged(tag), { value, timestamp: e.timestamp, windows: this.windows, pane: e.pane });
  }
  outputWithTimestamp(value: unknown, timestamp: Instant): void {
    this.host.checkOutputTimestamp(this.element.timestamp, timestamp);
    this.deliver(this.host.main, { value, timestamp, windows: this.windows, pane: this.element.pane });
  }
  outputToWithTimestamp(tag: string, value: unknown, timestamp: Instant): void {
    this.host.checkOutputTimestamp(this.element.timestamp, timestamp);
    this.deliver(this.host.tagged(tag), { value, timestamp, windows: this.windows, pane: this.element.pane });
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
