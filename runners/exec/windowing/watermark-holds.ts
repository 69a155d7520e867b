/**
 * Output watermark holds (Beam's WatermarkHold): a window holds the output watermark at the
 * timestamp its next pane will carry, so that pane is not behind the watermark downstream.
 *
 * Each window has up to two holds: an element hold, placed by the timestamp combiner (the
 * window's end, or the earliest / latest element timestamp that could still be held), and an
 * end-of-window or garbage-collection hold that keeps the on-time or final pane. An element
 * behind the output watermark, or in a window whose end the input watermark passed, cannot hold
 * at its own timestamp: it gets the garbage-collection hold instead. A window sits in the hold
 * heap at the earlier of its two holds.
 *
 * Not used on the default path (default trigger, END_OF_WINDOW, no lateness): there every hold
 * is its window's end, which is its event timer, and the timer heap answers instead.
 */
import type { TimestampCombiner } from '../../../sdk/window/windowing-strategy.js';
import type { GarbageCollection } from './garbage-collection.js';
import { HoldHeap } from './timer-heap.js';
import type { WindowState } from './window-state.js';

/** The timestamp combiner as the engine tests it, a small integer. */
export const HoldCombiner = { END_OF_WINDOW: 0, EARLIEST: 1, LATEST: 2 } as const;
export type HoldCombiner = (typeof HoldCombiner)[keyof typeof HoldCombiner];

export function holdCombinerOf(c: TimestampCombiner): HoldCombiner {
  return c === 'END_OF_WINDOW' ? HoldCombiner.END_OF_WINDOW : c === 'EARLIEST' ? HoldCombiner.EARLIEST : HoldCombiner.LATEST;
}

export class WatermarkHolds<K, A> {
  private readonly heap = new HoldHeap<WindowState<K, A>>();

  constructor(
    readonly combiner: HoldCombiner,
    private readonly gc: GarbageCollection,
    private readonly onTimeAlways: boolean,
    private readonly closingAlways: boolean,
  ) {}

  /** The earliest hold, `Infinity` when none. */
  topTime(): number {
    return this.heap.topTime();
  }

  /** Where `w` sits in the heap (NaN: nowhere), for a checkpoint. */
  queuedAt(w: WindowState<K, A>): number {
    return this.heap.queuedAt(w);
  }

  /** Puts `w` back at a hold a checkpoint saved. */
  restore(w: WindowState<K, A>, t: number): void {
    this.heap.set(w, t);
  }

  /** Beam's addHolds for an element at `ts` added to `w`. */
  onElement(w: WindowState<K, A>, ts: number, inputWm: number, outputWm: number): void {
    const combiner = this.combiner;
    const hold = combiner === HoldCombiner.END_OF_WINDOW ? w.maxTs : ts;
    if (hold < outputWm || w.maxTs < inputWm) this.addGcHold(w, false, inputWm);
    else if (Number.isNaN(w.elementHold)) w.elementHold = hold;
    else if (combiner === HoldCombiner.EARLIEST) {
      if (hold < w.elementHold) w.elementHold = hold;
    } else if (combiner === HoldCombiner.LATEST) {
      if (hold > w.elementHold) w.elementHold = hold;
    } else w.elementHold = hold;
    this.sync(w);
  }

  /** `w` grew in place (a session under the default trigger): its holds follow its new end. */
  onExtend(w: WindowState<K, A>, inputWm: number): void {
    if (!Number.isNaN(w.elementHold) && this.combiner === HoldCombiner.END_OF_WINDOW) w.elementHold = w.maxTs;
    if (!Number.isNaN(w.endOrGcHold)) {
      w.endOrGcHold = NaN;
      this.addEndOrGcHold(w, false, inputWm);
    }
    this.sync(w);
  }

  /** The element hold of windows merged together, from two of theirs. */
  mergeElementHolds(a: number, b: number): number {
    return this.combiner === HoldCombiner.LATEST ? Math.max(a, b) : Math.min(a, b);
  }

  /** Places the holds of `target`, the result of a merge: `elementHold` is the parts' merged
   *  element hold (NaN: none had one), `hadEndOrGcHold` whether any part had the other hold. */
  onMerge(target: WindowState<K, A>, elementHold: number, hadEndOrGcHold: boolean, inputWm: number): void {
    target.elementHold = Number.isNaN(elementHold) ? NaN : this.combiner === HoldCombiner.END_OF_WINDOW ? target.maxTs : elementHold;
    target.endOrGcHold = NaN;
    if (hadEndOrGcHold || target.nonEmpty) this.addEndOrGcHold(target, false, inputWm);
    this.sync(target);
  }

  /**
   * The output timestamp of the pane `w` fires now, with its holds released (and, unless this is
   * its last pane, the hold for its next on-time or final pane placed).
   */
  releaseForPane(w: WindowState<K, A>, isFinished: boolean, inputWm: number): number {
    const h = w.elementHold;
    const x = w.endOrGcHold;
    // An end-or-gc hold past the window's end is a garbage-collection hold: the output is then at
    // the window's end (element holds of the supported combiners are never past it).
    const xe = Number.isNaN(x) || x > w.maxTs ? w.maxTs : x;
    const ts = Number.isNaN(h) ? xe : Number.isNaN(x) || h < x ? h : xe;
    w.elementHold = NaN;
    w.endOrGcHold = NaN;
    if (!isFinished) this.addEndOrGcHold(w, true, inputWm);
    this.sync(w);
    return ts;
  }

  /** `w` closed or went: it holds nothing any more. */
  remove(w: WindowState<K, A>): void {
    this.heap.remove(w);
  }

  private addGcHold(w: WindowState<K, A>, paneIsEmpty: boolean, inputWm: number): void {
    if (paneIsEmpty && !this.closingAlways) return;
    const hold = this.gc.holdTime(w.maxTs);
    if (hold < inputWm) return;
    if (Number.isNaN(w.endOrGcHold) || hold < w.endOrGcHold) w.endOrGcHold = hold;
  }

  private addEndOrGcHold(w: WindowState<K, A>, paneIsEmpty: boolean, inputWm: number): void {
    if (w.maxTs >= inputWm && !(paneIsEmpty && !this.onTimeAlways)) {
      if (Number.isNaN(w.endOrGcHold) || w.maxTs < w.endOrGcHold) w.endOrGcHold = w.maxTs;
    } else {
      this.addGcHold(w, paneIsEmpty, inputWm);
    }
  }

  /** Files `w` in the heap under the earlier of its holds. */
  private sync(w: WindowState<K, A>): void {
    const h = w.elementHold;
    const x = w.endOrGcHold;
    const earliest = Number.isNaN(h) ? x : Number.isNaN(x) ? h : h < x ? h : x;
    if (Number.isNaN(earliest)) this.heap.remove(w);
    else this.heap.set(w, earliest);
  }
}
