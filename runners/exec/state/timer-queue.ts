/**
 * The stateful ParDo's timer queues (4-ary heaps keyed by (time, seq): see entry-heap.ts): the
 * event-time and processing-time queues by firing time, with the entry's position in `qIdx`, and
 * the watermark-hold queue by output timestamp, in `hIdx` — so one entry sits in a firing queue
 * and in the hold queue at once. `seq` is the order the timers were set in: the firing order is
 * by time, then by that order.
 *
 * The keys sit in typed arrays beside the entries: with a million keys each holding a timer (the
 * sessionizer), a binary heap reading each compared entry's time missed the cache at every level
 * of every sift, and a key's timer moves on every one of its events.
 */
import { EntryHeap } from '../entry-heap.js';

export interface QueueEntry {
  readonly seq: number;
  /** Firing time. */
  readonly time: number;
  /** Output timestamp: the watermark hold. */
  readonly outputTs: number;
  qIdx: number;
  hIdx: number;
}

/** Timers by firing time. An entry's time does not change while it is queued. */
export class TimerQueue<E extends QueueEntry> extends EntryHeap<E> {
  protected idx(e: E): number {
    return e.qIdx;
  }
  protected setIdx(e: E, i: number): void {
    e.qIdx = i;
  }
  push(e: E): void {
    this.set(e, e.time);
  }
}

/** Timers by output timestamp: the top is the earliest watermark hold. */
export class HoldQueue<E extends QueueEntry> extends EntryHeap<E> {
  protected idx(e: E): number {
    return e.hIdx;
  }
  protected setIdx(e: E, i: number): void {
    e.hIdx = i;
  }
  push(e: E): void {
    this.set(e, e.outputTs);
  }
}
