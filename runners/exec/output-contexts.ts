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

  /**
   * While true, main outputs at the element's timestamp are gathered (the first `gatheredCount`
   * of `gathered`) rather than handed on one by one, in order with the values a generator yields
   * (pardo.ts pulls a generator in runs), until `handOnGathered` hands them on as one run. Any
   * other output hands the gathered ones on first, so downstream sees every output in the order
   * it was made. The array is kept from run to run (what it still holds past the count is
   * overwritten by the next run).
   */
  gathering = false;
  gatheredCount = 0;
  private gathered: unknown[] = [];

  output(value: unknown): void {
    if (this.gathering) this.gathered[this.gatheredCount++] = value;
    else this.deliverParts(this.host.main, value, this.timestamp, this.windows, this.pane);
  }
  outputTo(tag: string, value: unknown): void {
    if (this.gathering) this.handOnGathered();
    this.deliverParts(this.host.tagged(tag), value, this.timestamp, this.windows, this.pane);
  }
  outputWithTimestamp(value: unknown, timestamp: Instant): void {
    this.host.checkOutputTimestamp(this.timestamp, timestamp);
    if (this.gathering) this.handOnGathered();
    this.deliverParts(this.host.main, value, timestamp, this.windows, this.pane);
  }
  outputToWithTimestamp(tag: string, value: unknown, timestamp: Instant): void {
    this.host.checkOutputTimestamp(this.timestamp, timestamp);
    if (this.gathering) this.handOnGathered();
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

  /** Hands on what was gathered (see `gathering`) as one run. */
  handOnGathered(): void {
    const count = this.gatheredCount;
    if (count === 0) return;
    const values = this.gathered;
    this.gatheredCount = 0;
    let reusable = false;
    try {
      this.outputAll(values, count);
      // A receiver that asked to wait may read the rest of the run later: the array is its now.
      reusable = !this.waiting;
    } finally {
      if (!reusable) this.gathered = [];
    }
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
