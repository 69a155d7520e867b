/**
 * The windows of one key of a non-merging windowing (or a custom merging fn): one inline, more in
 * a Map by max timestamp, windows with the same max timestamp (and other starts) chained.
 */
import type { WindowState } from './window-state.js';

export class KeyWindows<K, A> {
  /** The only window while `byMaxTs` is null. */
  only: WindowState<K, A> | null = null;
  byMaxTs: Map<number, WindowState<K, A>> | null = null;
  size = 0;
  constructor(
    readonly id: string | number,
    readonly key: K,
  ) {}

  find(maxTs: number, start: number): WindowState<K, A> | null {
    let w = this.byMaxTs !== null ? (this.byMaxTs.get(maxTs) ?? null) : this.only;
    if (this.byMaxTs === null) return w !== null && w.maxTs === maxTs && w.start === start ? w : null;
    while (w !== null && w.start !== start) w = w.nextSameEnd;
    return w;
  }

  add(w: WindowState<K, A>): void {
    this.size++;
    if (this.byMaxTs === null) {
      if (this.only === null) {
        this.only = w;
        return;
      }
      this.byMaxTs = new Map();
      this.only.nextSameEnd = null;
      this.byMaxTs.set(this.only.maxTs, this.only);
      this.only = null;
    }
    const head = this.byMaxTs.get(w.maxTs);
    w.nextSameEnd = head ?? null;
    this.byMaxTs.set(w.maxTs, w);
  }

  remove(w: WindowState<K, A>): void {
    this.size--;
    if (this.byMaxTs === null) {
      if (this.only === w) this.only = null;
      return;
    }
    let head = this.byMaxTs.get(w.maxTs) ?? null;
    if (head === w) {
      if (w.nextSameEnd) this.byMaxTs.set(w.maxTs, w.nextSameEnd);
      else this.byMaxTs.delete(w.maxTs);
    } else {
      while (head !== null && head.nextSameEnd !== w) head = head.nextSameEnd;
      if (head !== null) head.nextSameEnd = w.nextSameEnd;
    }
    w.nextSameEnd = null;
  }

  all(): WindowState<K, A>[] {
    if (this.byMaxTs === null) return this.only ? [this.only] : [];
    const out: WindowState<K, A>[] = [];
    for (let w of this.byMaxTs.values()) {
      for (let x: WindowState<K, A> | null = w; x !== null; x = x.nextSameEnd) out.push(x);
    }
    return out;
  }
}
