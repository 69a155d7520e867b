/**
 * What a `KeyedWindowReducer` is to the runner, and the interface each of its paths implements:
 * `BucketReducer` (non-merging windows under the default trigger, END_OF_WINDOW and no lateness)
 * and `WindowEngine` (everything else: merging windows, triggers, lateness, holds).
 */
import type { Instant } from '../../../sdk/time/instant.js';
import type { PaneInfo } from '../../../sdk/values/pane.js';
import type { BoundedWindow } from '../../../sdk/window/bounded-window.js';
import type { WindowingStrategy } from '../../../sdk/window/windowing-strategy.js';
import type { SnapshotBytes } from '../snapshot-bytes.js';
import type { Aggregation } from './accumulation.js';
import type { ReducerCodec } from './reducer-snapshot.js';
import type { ArrivalClock } from '../arrival-clock.js';

export interface KeyedWindowReducerOptions<K, V, A, O> {
  strategy: WindowingStrategy;
  aggregation: Aggregation<V, A, O>;
  /** `arrived`: the arrival stamp of the newest input the pane reflects (see `arrivals`);
   *  −1: not known (no clock, or input from before a restore). */
  emit(key: K, output: O, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, arrived: number): void;
  /** A droppable late element (always counted in `counters.droppedLate`). */
  late?(key: K, value: V, timestamp: Instant, window: BoundedWindow): void;
  /** Processing time before the first `advanceProcessingTime` (default: the epoch). */
  initialProcessingTime?: Instant;
  /** Stamps input with its arrival, for the arrival-to-pane latency (none: not measured). */
  arrivals?: ArrivalClock;
}

export interface ReducerCounters {
  /** Elements dropped because their window had expired (past allowed lateness). */
  droppedLate: number;
  /** Elements dropped because their window's trigger had finished (closed window). */
  droppedClosed: number;
  /** Panes emitted. */
  panes: number;
}

/** What is stored for a window: buffered state, only a closed-trigger tombstone, or nothing. */
export type WindowStateKind = 'present' | 'tombstone' | 'absent';

export interface ReducerPath<K, V, A> {
  readonly counters: ReducerCounters;
  processElement(keyId: string | number, key: K, value: V, timestamp: Instant, windows: readonly BoundedWindow[]): void;
  processInterval(keyId: string | number, key: K, value: V, timestamp: Instant, start: number, end: number): void;
  finishBundle(): void;
  advanceInputWatermark(wm: Instant): void;
  advanceProcessingTime(now: Instant): void;
  outputWatermarkHold(): Instant;
  nextProcessingTimeTimer(): Instant | undefined;
  nextEventTimeTimer(): Instant | undefined;
  nextCollectionTime(): Instant | undefined;
  inputWatermark(): Instant;
  outputWatermark(): Instant;
  openWindowCount(): number;
  heldElements(): number;
  tombstoneCount(): number;
  windowState(keyId: string | number, window: BoundedWindow): WindowStateKind;
  snapshot(codec: ReducerCodec<K, A>): SnapshotBytes;
  restore(state: unknown, codec: ReducerCodec<K, A>, owner: string): void;
}
