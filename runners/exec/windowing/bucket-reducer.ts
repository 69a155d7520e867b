/**
 * The reducer's path for non-merging windows under the default trigger, END_OF_WINDOW and no
 * allowed lateness — fixed and sliding windows as most pipelines use them. Every window fires
 * one pane when the input watermark passes its end and goes right after, so windows live in
 * `WindowBuckets` (a bucket per end, no timer per window) and the output watermark is held at
 * the earliest bucket's end. No trigger state, no holds, no tombstones, no processing time.
 */
import { Instant } from '../../../sdk/time/instant.js';
import { IntervalWindow, type BoundedWindow } from '../../../sdk/window/bounded-window.js';
import type { WindowingStrategy } from '../../../sdk/window/windowing-strategy.js';
import { DefaultTrigger } from '../../../sdk/trigger/default.js';
import { CheckpointRestoreError, snapshotReader, type SnapshotBytes } from '../snapshot-bytes.js';
import { Accumulation } from './accumulation.js';
import { GarbageCollection } from './garbage-collection.js';
import type { KeyedWindowReducerOptions, ReducerCounters, ReducerPath, WindowStateKind } from './reducer-path.js';
import { REDUCER_FORMAT, ReducerSnapshotWriter, readReducerSnapshot, type ReducerCodec } from './reducer-snapshot.js';
import { ONLY_PANE, WindowBuckets } from './window-buckets.js';
import { startOf } from './window-state.js';
import { NO_ARRIVALS, type ArrivalClock } from '../arrival-clock.js';

/** Whether `strategy` takes the bucket path. */
export function usesBuckets(strategy: WindowingStrategy): boolean {
  return (
    !strategy.windowFn.isMerging &&
    strategy.trigger instanceof DefaultTrigger &&
    strategy.timestampCombiner === 'END_OF_WINDOW' &&
    strategy.allowedLateness === 0
  );
}

export class BucketReducer<K, V, A, O> implements ReducerPath<K, V, A> {
  readonly counters: ReducerCounters = { droppedLate: 0, droppedClosed: 0, panes: 0 };
  private readonly buckets: WindowBuckets<K, A>;
  private readonly acc: Accumulation<V, A, O>;
  private readonly gc: GarbageCollection;
  private readonly emitFn: KeyedWindowReducerOptions<K, V, A, O>['emit'];
  private readonly lateFn: KeyedWindowReducerOptions<K, V, A, O>['late'];
  private readonly arrivals: ArrivalClock;
  private inputWm: number = Instant.MIN;
  private outputWm: number = Instant.MIN;
  private now: number;

  constructor(opts: KeyedWindowReducerOptions<K, V, A, O>) {
    this.gc = new GarbageCollection(opts.strategy.allowedLateness);
    this.emitFn = opts.emit;
    this.lateFn = opts.late;
    this.arrivals = opts.arrivals ?? NO_ARRIVALS;
    this.now = opts.initialProcessingTime ?? 0;
    const acc = (this.acc = new Accumulation(opts.aggregation));
    this.buckets = new WindowBuckets<K, A>({
      create: () => acc.create(),
      add: (a, v) => acc.addTo(a, v as V),
      fire: (key, a, maxTs, window, arrived) => {
        acc.release(a);
        this.counters.panes++;
        this.emitFn(key, acc.agg.extract(a), maxTs as Instant, window, ONLY_PANE, arrived);
      },
    });
  }

  processElement(keyId: string | number, key: K, value: V, timestamp: Instant, windows: readonly BoundedWindow[]): void {
    for (let i = 0; i < windows.length; i++) {
      const window = windows[i]!;
      if (window.constructor === IntervalWindow) {
        const iw = window as IntervalWindow;
        this.add(keyId, key, value, timestamp, iw.end - 1, iw.start, iw);
      } else this.add(keyId, key, value, timestamp, window.maxTimestamp(), startOf(window), window);
    }
  }

  processInterval(keyId: string | number, key: K, value: V, timestamp: Instant, start: number, end: number): void {
    this.add(keyId, key, value, timestamp, end - 1, start, null);
  }

  /** `window` when at hand (null: the interval window [start, maxTs + 1)). */
  private add(keyId: string | number, key: K, value: V, timestamp: Instant, maxTs: number, start: number, window: BoundedWindow | null): void {
    if (this.gc.isExpired(maxTs, this.inputWm)) {
      this.counters.droppedLate++;
      if (this.lateFn !== undefined) this.lateFn(key, value, timestamp, window ?? new IntervalWindow(start as Instant, (maxTs + 1) as Instant));
      return;
    }
    this.buckets.add(keyId, key, value, maxTs, start, window, this.arrivals.current);
  }

  finishBundle(): void {}

  advanceInputWatermark(wm: Instant): void {
    if (wm <= this.inputWm) return;
    this.inputWm = wm;
    this.buckets.fireBefore(wm);
    const top = this.buckets.topTime();
    const out = top < wm ? top : wm;
    if (out > this.outputWm) this.outputWm = out;
  }

  advanceProcessingTime(now: Instant): void {
    if (now > this.now) this.now = now;
  }

  outputWatermarkHold(): Instant {
    const t = this.buckets.topTime();
    return (t === Infinity ? Instant.MAX : t) as Instant;
  }

  nextEventTimeTimer(): Instant | undefined {
    const t = this.buckets.topTime();
    return t === Infinity ? undefined : (t as Instant);
  }

  /** Windows here have no allowed lateness: collected at their end. */
  nextCollectionTime(): Instant | undefined {
    return this.nextEventTimeTimer();
  }

  nextProcessingTimeTimer(): Instant | undefined {
    return undefined;
  }

  inputWatermark(): Instant {
    return this.inputWm as Instant;
  }

  outputWatermark(): Instant {
    return this.outputWm as Instant;
  }

  openWindowCount(): number {
    return this.buckets.size;
  }

  heldElements(): number {
    return this.acc.held;
  }

  tombstoneCount(): number {
    return 0;
  }

  windowState(keyId: string | number, window: BoundedWindow): WindowStateKind {
    return this.buckets.has(keyId, window.maxTimestamp(), startOf(window)) ? 'present' : 'absent';
  }

  /** The clock and counters, then every window (format in reducer-snapshot.ts). */
  snapshot(codec: ReducerCodec<K, A>): SnapshotBytes {
    const out = new ReducerSnapshotWriter<K, A>(codec);
    out.header({ inputWm: this.inputWm, outputWm: this.outputWm, now: this.now, seq: 0, pendingSpan: -1, ...this.counters }, []);
    this.buckets.forEach((key, acc, maxTs, start, window) => out.bucketWindow(key, acc, maxTs, start, window));
    return out.finish();
  }

  restore(state: unknown, codec: ReducerCodec<K, A>, owner: string): void {
    if (this.buckets.size > 0) throw CheckpointRestoreError.notEmpty(owner);
    readReducerSnapshot<K, A, null>(snapshotReader(state, REDUCER_FORMAT, owner), codec, {
      header: (h) => {
        this.inputWm = h.inputWm;
        this.outputWm = h.outputWm;
        this.now = h.now;
        this.counters.droppedLate = h.droppedLate;
        this.counters.droppedClosed = h.droppedClosed;
        this.counters.panes = h.panes;
      },
      bucketWindow: (keyId, key, acc, maxTs, start, window) => {
        this.buckets.restore(keyId, key, acc, maxTs, start, window);
        this.acc.count(acc);
      },
      window: () => {
        throw CheckpointRestoreError.otherStrategy(owner);
      },
      key: () => {
        throw CheckpointRestoreError.otherStrategy(owner);
      },
    });
  }
}
