/**
 * Deferred session merging. With sessions under the default trigger, END_OF_WINDOW and no
 * lateness, nothing an element does is observable before the end of the bundle (no trigger
 * runs, no hold other than the window ends, no pane): so an element for a key that already has
 * windows is only noted, and the key's noted elements are merged in arrival order when the
 * reducer is next asked anything. A key's windows are then touched once per bundle rather than
 * once per element (on a backfill, the difference between cache misses and cache hits). Each
 * noted element carries the sequence number it would have created a window with, so timer
 * order, and hence pane order, is exactly that of merging on arrival.
 */
import { PendingLog } from './pending-log.js';
import type { SessionKeyWindows } from './session-key-windows.js';
import { SessionScratch } from './session-scratch.js';
import type { WindowEngine } from './window-engine.js';
import { TIMER_DEFERRED, type WindowState } from './window-state.js';

export class DeferredSessions<K, V, A, O> {
  private readonly log = new PendingLog();
  /** Keys with noted elements, and the first slot of each one's elements in the log. */
  private keys: SessionKeyWindows<K, A>[] = [];
  private heads: number[] = [];
  /** End less start of every noted element's window (−1: none yet). A small integer, never a
   *  float: window bounds computed from it are stored in window states (see `smi` in
   *  pending-log.ts). Kept in checkpoints. */
  span = -1;

  /** Where a key's windows are merged (see session-scratch.ts). */
  private readonly scratch: SessionScratch<K, V, A, O>;

  constructor(private readonly engine: WindowEngine<K, V, A, O>) {
    this.scratch = new SessionScratch(engine);
  }

  /** Notes an element in [start, end) for `ks`, a key that has windows. */
  note(ks: SessionKeyWindows<K, A>, start: number, end: number, value: V): void {
    if (end - start !== this.span) {
      // The log keeps one span (the sessions' gap): another one first merges what it holds.
      if (this.keys.length > 0) this.flush();
      this.span = end - start;
    }
    const tail = ks.pendingTail;
    const slot = this.log.append(tail, start, this.engine.seq++, value);
    if (tail < 0) {
      this.keys.push(ks);
      this.heads.push(slot);
    }
    ks.pendingTail = slot;
  }

  /** Merges every noted element. */
  flush(): void {
    const list = this.keys;
    if (list.length === 0) return;
    const heads = this.heads;
    this.keys = [];
    this.heads = [];
    const e = this.engine;
    const log = this.log;
    const span = this.span;
    e.timersDeferred = true;
    // Windows created here get their timers once they survive the flush; they are collected
    // from each key's windows right after its elements, while those are still in cache.
    const fresh: WindowState<K, A>[] = [];
    try {
      // (A call per key, not one long loop: on a cold start the per-key work is optimized as a
      // function of its own after a few keys, instead of waiting for on-stack replacement.)
      for (let k = 0; k < list.length; k++) this.flushKey(list[k]!, heads[k]!, span, fresh);
    } finally {
      e.timersDeferred = false;
      log.clear();
      for (let i = 0; i < fresh.length; i++) fresh[i]!.eventSlot = -1;
      e.events.addAll(fresh);
    }
  }

  /** Merges one key's noted elements (in arrival order, from slot `head`), noting the windows it
   *  made. */
  private flushKey(ks: SessionKeyWindows<K, A>, head: number, span: number, fresh: WindowState<K, A>[]): void {
    const e = this.engine;
    const log = this.log;
    const tail = ks.pendingTail;
    ks.pendingTail = -1;
    if (SessionScratch.fits(ks)) {
      const sc = this.scratch;
      sc.load(ks);
      for (let ch = log.chunkOf(head); ch >= 0; ch = log.nextChunk(ch)) {
        for (let slot = log.slot(ch), end = slot + log.count(ch, tail); slot < end; slot++) {
          const start = log.start(slot);
          sc.add(start, start + span, log.seq(slot), log.value(slot) as V);
        }
      }
      sc.store(ks, fresh);
      return;
    }
    for (let ch = log.chunkOf(head); ch >= 0; ch = log.nextChunk(ch)) {
      for (let slot = log.slot(ch), end = slot + log.count(ch, tail); slot < end; slot++) {
        const start = log.start(slot);
        const w = e.merging!.intervals(ks, start, start + span, null, log.seq(slot))!;
        e.addValue(w, log.value(slot) as V, start, ks.key);
      }
    }
    const act = ks.active;
    if (act === null) {
      const w = ks.only;
      if (w !== null && w.eventSlot === TIMER_DEFERRED) fresh.push(w);
    } else for (let i = 0; i < act.length; i++) if (act[i]!.eventSlot === TIMER_DEFERRED) fresh.push(act[i]!);
  }
}
