/**
 * The reducer's state for non-merging windows under the default trigger, END_OF_WINDOW and no
 * allowed lateness — fixed and sliding windows as most pipelines use them. There every window
 * fires exactly one pane (ON_TIME, first and last) when the input watermark passes its max
 * timestamp, and is collected right after: nothing late is ever kept, no hold differs from the
 * window's end, no trigger has state. So windows are kept in buckets by max timestamp, each in
 * creation order — which is the generic reducer's firing order among equal times, (time, seq) —
 * and a bucket fires and goes as a whole: no timer per window, no map per key, no removals.
 */
import { IntervalWindow, type BoundedWindow } from '../../../sdk/window/bounded-window.js';
import type { Instant } from '../../../sdk/time/instant.js';
import type { PaneInfo } from '../../../sdk/values/pane.js';
import { popMin, pushMin } from '../number-heap.js';

/** The only pane a window of this path ever has. */
export const ONLY_PANE: PaneInfo = Object.freeze({ isFirst: true, isLast: true, timing: 'ON_TIME', index: 0, onTimeIndex: 0 });

class BucketWin<K, A> {
  /** Next window of the same key in the bucket (same max timestamp, another start). */
  next: BucketWin<K, A> | null = null;
  /** Arrival stamp of the newest input (arrival-clock.ts); −1: none known. */
  arrived = -1;
  constructor(
    readonly key: K,
    public acc: A,
    readonly start: number,
    /** The window when it is not the bucket's; null: the bucket's. */
    readonly w: BoundedWindow | null,
  ) {}
}

class Bucket<K, A> {
  readonly wins: BucketWin<K, A>[] = [];
  readonly byKey = new Map<string | number, BucketWin<K, A>>();
  constructor(
    readonly maxTs: number,
    readonly start: number,
    /** Shared by the bucket's windows that start at `start`; built on first use if null. */
    public window: BoundedWindow | null,
  ) {}
}

export interface BucketSink<K, A> {
  create(): A;
  add(acc: A, value: unknown): A;
  /** Fires one window's pane. */
  fire(key: K, acc: A, maxTs: number, window: BoundedWindow, arrived: number): void;
}

export class WindowBuckets<K, A> {
  private readonly byEnd = new Map<number, Bucket<K, A>>();
  /** Bucket max timestamps, a binary min-heap. */
  private readonly ends: number[] = [];
  /** The bucket of the last element: consecutive elements often share one. */
  private last: Bucket<K, A> | null = null;
  /** Windows held. */
  size = 0;

  constructor(private readonly sink: BucketSink<K, A>) {}

  /** Adds `value` to the window [start, maxTs] of `keyId`; `window` is that window if at hand;
   *  `arrived`: the value's arrival stamp. */
  add(keyId: string | number, key: K, value: unknown, maxTs: number, start: number, window: BoundedWindow | null, arrived = -1): void {
    let b = this.last;
    if (b === null || b.maxTs !== maxTs) {
      b = this.byEnd.get(maxTs) ?? this.newBucket(maxTs, start, window);
      this.last = b;
    }
    let w = b.byKey.get(keyId);
    if (w === undefined) {
      w = this.newWin(b, key, start, window);
      b.byKey.set(keyId, w);
    } else if (w.start !== start) {
      let prev = w;
      while (prev.next !== null && prev.next.start !== start) prev = prev.next;
      if (prev.next === null) prev.next = this.newWin(b, key, start, window);
      w = prev.next;
    }
    w.acc = this.sink.add(w.acc, value);
    w.arrived = arrived;
  }

  /** Every window, each bucket's in creation order (for a checkpoint); `window` is given only
   *  when it is not an interval window. */
  forEach(f: (key: K, acc: A, maxTs: number, start: number, window: BoundedWindow | null) => void): void {
    for (const b of this.byEnd.values()) {
      for (const w of b.wins) {
        const win = w.w ?? (w.start === b.start ? b.window : null);
        f(w.key, w.acc, b.maxTs, w.start, win !== null && win.constructor !== IntervalWindow ? win : null);
      }
    }
  }

  /** Puts back a window `forEach` gave (in the order it gave them), with its accumulator. */
  restore(keyId: string | number, key: K, acc: A, maxTs: number, start: number, window: BoundedWindow | null): void {
    const b = this.byEnd.get(maxTs) ?? this.newBucket(maxTs, start, window);
    const w = new BucketWin<K, A>(key, acc, start, start === b.start || window === null || window.constructor === IntervalWindow ? null : window);
    b.wins.push(w);
    this.size++;
    const first = b.byKey.get(keyId);
    if (first === undefined) {
      b.byKey.set(keyId, w);
      return;
    }
    let last = first;
    while (last.next !== null) last = last.next;
    last.next = w;
  }

  /** Max timestamp of the earliest window (Infinity: none), its firing and hold time. */
  topTime(): number {
    return this.ends.length === 0 ? Infinity : this.ends[0]!;
  }

  /** Fires and drops every window whose max timestamp is before `wm`, in (time, creation) order. */
  fireBefore(wm: number): void {
    while (this.ends.length > 0 && this.ends[0]! < wm) {
      const b = this.byEnd.get(popMin(this.ends))!;
      this.byEnd.delete(b.maxTs);
      if (this.last === b) this.last = null;
      const wins = b.wins;
      this.size -= wins.length;
      for (let i = 0; i < wins.length; i++) {
        const w = wins[i]!;
        this.sink.fire(w.key, w.acc, b.maxTs, w.w ?? (w.start === b.start ? (b.window ??= interval(b.start, b.maxTs)) : interval(w.start, b.maxTs)), w.arrived);
      }
    }
  }

  /** Whether the window [start, maxTs] of `keyId` holds state. */
  has(keyId: string | number, maxTs: number, start: number): boolean {
    for (let w = this.byEnd.get(maxTs)?.byKey.get(keyId) ?? null; w !== null; w = w.next) if (w.start === start) return true;
    return false;
  }

  private newWin(b: Bucket<K, A>, key: K, start: number, window: BoundedWindow | null): BucketWin<K, A> {
    const w = new BucketWin<K, A>(key, this.sink.create(), start, start === b.start || window === null || window.constructor === IntervalWindow ? null : window);
    b.wins.push(w);
    this.size++;
    return w;
  }

  private newBucket(maxTs: number, start: number, window: BoundedWindow | null): Bucket<K, A> {
    const b = new Bucket<K, A>(maxTs, start, window);
    this.byEnd.set(maxTs, b);
    pushMin(this.ends, maxTs);
    return b;
  }
}

function interval(start: number, maxTs: number): IntervalWindow {
  return new IntervalWindow(start as Instant, (maxTs + 1) as Instant);
}
