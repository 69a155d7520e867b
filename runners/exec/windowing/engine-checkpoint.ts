/**
 * The general engine's state to and from a checkpoint (byte format in reducer-snapshot.ts),
 * taken between bundles. Elements noted for deferred merging are merged first (unobservable, see
 * deferred-sessions.ts); every window keeps its sequence number and heap times, and the windows
 * waiting for their trigger are listed in order, so a restored engine emits what this one would
 * have, in the same order.
 */
import { CheckpointRestoreError, snapshotReader, type SnapshotBytes } from '../snapshot-bytes.js';
import { IntervalWindow } from '../../../sdk/window/bounded-window.js';
import { KeyWindows } from './key-windows.js';
import {
  KeyLayout,
  REDUCER_FORMAT,
  ReducerSnapshotWriter,
  newExtraRecord,
  newKeyRecord,
  newWindowRecord,
  readReducerSnapshot,
  type ExtraRecord,
  type KeyRecord,
  type ReducerCodec,
  type WindowRecord,
} from './reducer-snapshot.js';
import { ManySessions, SessionKeyWindows } from './session-key-windows.js';
import type { KeyEntry, WindowEngine } from './window-engine.js';
import { NO_ACC, SAVED_FLAGS_MASK, WindowState } from './window-state.js';

export function snapshotEngine<K, V, A, O>(e: WindowEngine<K, V, A, O>, codec: ReducerCodec<K, A>): SnapshotBytes {
  if (e.deferred !== null) e.deferred.flush();
  const out = new ReducerSnapshotWriter<K, A>(codec);
  const dirty: number[] = [];
  for (const w of e.dirtyList) if (w.alive) dirty.push(w.seq);
  const pendingSpan = e.deferred !== null ? e.deferred.span : -1;
  out.header({ inputWm: e.inputWm, outputWm: e.outputWm, now: e.now, seq: e.seq, pendingSpan, ...e.counters }, dirty);
  const rec = newWindowRecord<A>();
  const extra = newExtraRecord();
  for (const item of e.keys.values()) {
    // A lone window is saved as the window state it stands for (mapped alone).
    const entry = typeof item === 'number' ? e.slotWindow(item) : item;
    const k = newKeyRecord<K>(entry.key);
    let active: readonly WindowState<K, A>[];
    let tombs: readonly WindowState<K, A>[] = [];
    if (entry instanceof WindowState) {
      active = [entry];
    } else if (entry instanceof SessionKeyWindows) {
      const act = entry.active;
      active = act ?? (entry.only !== null ? [entry.only] : []);
      tombs = entry.tombstones ?? [];
      k.layout = act !== null ? KeyLayout.IntervalMany : KeyLayout.IntervalOne;
      k.linear = entry.linear;
      k.hasMore = entry.many !== null;
      k.starts = entry.starts;
      k.ends = entry.ends;
    } else {
      active = entry.all();
      k.layout = entry.byMaxTs !== null ? KeyLayout.Map : KeyLayout.One;
    }
    k.active = active.length;
    k.tombs = tombs.length;
    out.key(k);
    for (const w of active) out.window(record(e, w, rec, extra));
    for (const w of tombs) out.window(record(e, w, rec, extra));
  }
  return out.finish();
}

function record<K, V, A, O>(e: WindowEngine<K, V, A, O>, w: WindowState<K, A>, r: WindowRecord<A>, extra: ExtraRecord): WindowRecord<A> {
  r.seq = w.seq;
  r.maxTs = w.maxTs;
  r.start = w.start;
  r.flags = w.flags & SAVED_FLAGS_MASK;
  r.hasAcc = w.acc !== NO_ACC;
  r.acc = w.acc === NO_ACC ? undefined : w.acc;
  r.eventTime = w.eventSlot >= 0 ? w.eventTime : NaN;
  r.procTs = e.procs.queuedAt(w);
  r.holdTs = e.holds === null ? NaN : e.holds.queuedAt(w);
  const x = w.extras;
  r.extra = x === null ? null : extra;
  if (x !== null) {
    extra.elementHold = x.elementHold;
    extra.endOrGcHold = x.endOrGcHold;
    extra.paneIndex = x.paneIndex;
    extra.lastOnTimeIndex = x.lastOnTimeIndex;
    // An interval window is rebuilt from the numbers.
    extra.window = x.window !== null && x.window.constructor !== IntervalWindow ? x.window : null;
    extra.trigger = x.trigger;
  }
  return r;
}

/** Puts back what `snapshotEngine` saved, into an engine (of the same strategy) that has seen
 *  nothing. */
export function restoreEngine<K, V, A, O>(e: WindowEngine<K, V, A, O>, state: unknown, codec: ReducerCodec<K, A>, owner: string): void {
  if (e.liveWindows > 0 || e.seq > 0) throw CheckpointRestoreError.notEmpty(owner);
  // Windows waiting for their trigger, found by sequence number as they come back.
  let dirty: readonly number[] = [];
  let dirtySeqs: Set<number> | null = null;
  const dirtyWins = new Map<number, WindowState<K, A>>();
  const timed: WindowState<K, A>[] = [];
  readReducerSnapshot<K, A, WindowState<K, A>>(snapshotReader(state, REDUCER_FORMAT, owner), codec, {
    header: (h, d) => {
      e.inputWm = h.inputWm;
      e.outputWm = h.outputWm;
      e.now = h.now;
      e.seq = h.seq;
      if (e.deferred !== null) e.deferred.span = h.pendingSpan;
      e.counters.droppedLate = h.droppedLate;
      e.counters.droppedClosed = h.droppedClosed;
      e.counters.panes = h.panes;
      dirty = d;
      if (d.length > 0) dirtySeqs = new Set(d);
    },
    bucketWindow: () => {
      throw CheckpointRestoreError.otherStrategy(owner);
    },
    window: (id, key, r) => {
      const w = revive(e, id, key, r, timed, owner);
      if (dirtySeqs !== null && dirtySeqs.has(r.seq)) dirtyWins.set(r.seq, w);
      return w;
    },
    key: (id, k, wins) => {
      e.keys.set(id, keyEntry(id, k, wins));
    },
  });
  for (const s of dirty) e.markDirty(dirtyWins.get(s)!);
  e.events.addAll(timed);
}

function revive<K, V, A, O>(e: WindowEngine<K, V, A, O>, id: string | number, key: K, r: WindowRecord<A>, timed: WindowState<K, A>[], owner: string): WindowState<K, A> {
  const w = e.makeWindow(r.seq, id, key, r.maxTs, r.start);
  w.restoreFlags(r.flags);
  if (r.hasAcc) {
    w.acc = r.acc as A;
    e.acc.count(w.acc);
  }
  const x = r.extra;
  if (x !== null) {
    const ex = w.extra();
    ex.elementHold = x.elementHold;
    ex.endOrGcHold = x.endOrGcHold;
    ex.paneIndex = x.paneIndex;
    ex.lastOnTimeIndex = x.lastOnTimeIndex;
    ex.window = x.window;
    ex.trigger = x.trigger;
  }
  e.liveWindows++;
  if (w.closed) e.tombstones++;
  if (!Number.isNaN(r.eventTime)) {
    w.eventTime = r.eventTime;
    timed.push(w);
  }
  if (!Number.isNaN(r.procTs)) e.procs.set(w, r.procTs);
  if (!Number.isNaN(r.holdTs)) {
    if (e.holds === null) throw CheckpointRestoreError.otherStrategy(owner);
    e.holds.restore(w, r.holdTs);
  }
  return w;
}

/** A key's entry, laid out as it was when saved (`wins` is reused by the caller). */
function keyEntry<K, A>(id: string | number, k: KeyRecord<K>, wins: readonly WindowState<K, A>[]): KeyEntry<K, A> {
  switch (k.layout) {
    case KeyLayout.Alone:
      return wins[0]!;
    case KeyLayout.IntervalOne:
    case KeyLayout.IntervalMany: {
      const ks = new SessionKeyWindows<K, A>(id, k.key);
      if (k.hasMore) {
        const m = (ks.many = new ManySessions<K, A>());
        m.linear = k.linear;
        if (k.tombs > 0) m.tombstones = wins.slice(k.active);
        if (k.layout === KeyLayout.IntervalMany) {
          m.active = wins.slice(0, k.active);
          m.starts = k.starts!.slice();
          m.ends = k.ends!.slice();
        }
      }
      if (k.layout === KeyLayout.IntervalOne) ks.only = k.active > 0 ? wins[0]! : null;
      return ks;
    }
    case KeyLayout.One:
    case KeyLayout.Map: {
      const ks = new KeyWindows<K, A>(id, k.key);
      ks.size = wins.length;
      if (k.layout === KeyLayout.One) {
        ks.only = wins[0]!;
        return ks;
      }
      // Same-end chains in the order they were walked (map order, head first).
      const map = (ks.byMaxTs = new Map<number, WindowState<K, A>>());
      const tails = new Map<number, WindowState<K, A>>();
      for (const w of wins) {
        const tail = tails.get(w.maxTs);
        if (tail === undefined) map.set(w.maxTs, w);
        else tail.nextSameEnd = w;
        tails.set(w.maxTs, w);
      }
      return ks;
    }
  }
}
