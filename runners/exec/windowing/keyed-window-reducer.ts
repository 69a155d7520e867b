/**
 * Beam's "group also by window" for one GroupByKey / Combine.perKey, as a pure component: the
 * runner feeds it elements (already assigned to windows), watermarks and processing time; it
 * merges windows (sessions), runs triggers, emits panes with Beam's pane info and output
 * timestamps, drops late data, holds the output watermark, and garbage-collects windows.
 *
 * Semantics follow Beam's ReduceFnRunner:
 * - an element is droppable when its window's garbage-collection time (max timestamp + allowed
 *   lateness, capped at the end of the global window) is before the input watermark; it is
 *   counted and handed to `late` (the late side output) — see garbage-collection.ts;
 * - triggers are evaluated per bundle (`finishBundle`, also run before any time advance) and on
 *   timers; an event-time timer fires when the input watermark is past (>) its time, a
 *   processing-time timer when processing time reaches (≥) it;
 * - a window fires its final pane at garbage collection if it has data (or if the closing /
 *   on-time behaviour asks for empty panes), then all its state goes; a window whose trigger
 *   finished keeps a tombstone until then, and elements for it are dropped (`droppedClosed`);
 * - output timestamps: END_OF_WINDOW, or the earliest/latest element timestamp that could be
 *   held (an element behind the output watermark, or in a window whose end the input
 *   watermark passed, cannot hold it), never after the window's max timestamp — see
 *   watermark-holds.ts.
 *
 * Two paths behind one interface (`ReducerPath`), chosen by the windowing strategy:
 * - `BucketReducer` (bucket-reducer.ts): non-merging windows under the default trigger,
 *   END_OF_WINDOW and no lateness — how most pipelines window. Every window fires once, at its
 *   end, so a bucket per end replaces timers, holds and per-window state objects.
 * - `WindowEngine` (window-engine.ts): everything else — merging windows (window-merging.ts,
 *   sessions merged once per bundle in deferred-sessions.ts), the trigger state machine
 *   (trigger-machine.ts), pane bookkeeping (pane-tracker.ts), holds, lateness. Its state lives
 *   in Maps keyed by key id and window end; timers and holds are 4-ary heaps (timer-heap.ts).
 */
import { Instant } from '../../../sdk/time/instant.js';
import type { BoundedWindow } from '../../../sdk/window/bounded-window.js';
import type { SnapshotBytes } from '../snapshot-bytes.js';
import { BucketReducer, usesBuckets } from './bucket-reducer.js';
import type { KeyedWindowReducerOptions, ReducerCounters, ReducerPath, WindowStateKind } from './reducer-path.js';
import type { ReducerCodec } from './reducer-snapshot.js';
import { WindowEngine } from './window-engine.js';

export type { Aggregation } from './accumulation.js';
export type { KeyedWindowReducerOptions, ReducerCounters, WindowStateKind } from './reducer-path.js';

export class KeyedWindowReducer<K, V, A, O> {
  private readonly path: ReducerPath<K, V, A>;

  constructor(opts: KeyedWindowReducerOptions<K, V, A, O>) {
    this.path = usesBuckets(opts.strategy) ? new BucketReducer(opts) : new WindowEngine(opts);
  }

  get counters(): ReducerCounters {
    return this.path.counters;
  }

  // --- input ------------------------------------------------------------------------------

  processElement(keyId: string | number, key: K, value: V, timestamp: Instant, windows: readonly BoundedWindow[]): void {
    this.path.processElement(keyId, key, value, timestamp, windows);
  }

  /** An element in the one interval window [start, end), given as numbers: what a Window.into
   *  fused into the grouping assigns (no window object per element). */
  processInterval(keyId: string | number, key: K, value: V, timestamp: Instant, start: number, end: number): void {
    this.path.processInterval(keyId, key, value, timestamp, start, end);
  }

  // --- time -------------------------------------------------------------------------------

  /** Evaluates triggers of the windows touched since the last call. Call at the end of a bundle. */
  finishBundle(): void {
    this.path.finishBundle();
  }

  advanceInputWatermark(wm: Instant): void {
    this.path.advanceInputWatermark(wm);
  }

  advanceProcessingTime(now: Instant): void {
    this.path.advanceProcessingTime(now);
  }

  /** Input ended: the watermark goes to +∞, every window fires its last pane and is collected. */
  finish(): void {
    this.path.advanceInputWatermark(Instant.MAX);
  }

  outputWatermarkHold(): Instant {
    return this.path.outputWatermarkHold();
  }

  nextProcessingTimeTimer(): Instant | undefined {
    return this.path.nextProcessingTimeTimer();
  }

  /** The earliest event time the reducer waits for the input watermark to pass (a window's end
   *  or collection, a trigger's event time), or undefined: none. Possibly early, never late (the
   *  heap settles lazily): a runner that drives the reducer by timers sets one here. */
  nextEventTimeTimer(): Instant | undefined {
    return this.path.nextEventTimeTimer();
  }

  /** The earliest time an open window is collected (max timestamp + allowed lateness), or
   *  undefined. A runner driving the reducer by timers wakes there too: when the watermark jumps
   *  past a window's end and its collection at once, both firings arrive together and the
   *  reducer sees the jump (the on-time pane is then the final one, as here). */
  nextCollectionTime(): Instant | undefined {
    return this.path.nextCollectionTime();
  }

  /** The input watermark as last advanced. */
  inputWatermark(): Instant {
    return this.path.inputWatermark();
  }

  /** The output watermark as the reducer sees it (input watermark held by buffered panes). */
  outputWatermark(): Instant {
    return this.path.outputWatermark();
  }

  // --- state ------------------------------------------------------------------------------

  /** Windows holding data or trigger state (tombstones of closed windows not counted). */
  openWindowCount(): number {
    return this.path.openWindowCount();
  }

  /** Elements held in accumulators: values for a list aggregation (see `Aggregation.held`),
   *  otherwise one per accumulator. */
  heldElements(): number {
    return this.path.heldElements();
  }

  /** Closed windows kept as tombstones until garbage collection. */
  tombstoneCount(): number {
    return this.path.tombstoneCount();
  }

  /** For tests: what is stored for this key and window. */
  windowState(keyId: string | number, window: BoundedWindow): WindowStateKind {
    return this.path.windowState(keyId, window);
  }

  // --- checkpoints ------------------------------------------------------------------------

  /** The reducer's state as bytes (format in reducer-snapshot.ts), taken between bundles. */
  snapshot(codec: ReducerCodec<K, A>): SnapshotBytes {
    return this.path.snapshot(codec);
  }

  /** Puts back what `snapshot` saved, into a reducer (of the same strategy) that has seen nothing. */
  restore(state: unknown, codec: ReducerCodec<K, A>, owner: string): void {
    this.path.restore(state, codec, owner);
  }
}
