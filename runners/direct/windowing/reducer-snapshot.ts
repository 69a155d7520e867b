/**
 * The byte format of a `KeyedWindowReducer` checkpoint. The reducer walks its own structures and
 * hands each window here as a record; this file writes records to bytes (user values through the
 * codec's coders) and reads them back in the same order, so the reducer can rebuild exactly the
 * structures it had: the same window sequence numbers (the (time, seq) firing order), key
 * layouts, heap memberships and times, trigger states and pending-fire list.
 *
 *   header  8 doubles: input and output watermarks, processing time, next seq, pending span,
 *           counters droppedLate / droppedClosed / panes
 *   items   tagged, until END: a bucket window (default path) or a key with its windows
 *   dirty   the sequence numbers of windows waiting for their trigger, in order
 */
import type { BoundedWindow } from '../../../sdk/window/bounded-window.js';
import { ByteReader, ByteWriter, readNumber, type SnapshotBytes } from '../snapshot-bytes.js';
import { TriggerState } from './trigger-machine.js';

export const REDUCER_FORMAT = 'tributary.reducer.v1';

/** How user values of one reducer become bytes (the grouping's coders). */
export interface ReducerCodec<K, A> {
  writeKey(key: K, out: ByteWriter): void;
  readKey(input: ByteReader): K;
  /** The grouping id the reducer files `key` under. */
  keyId(key: K): string | number;
  writeAcc(acc: A, out: ByteWriter): void;
  readAcc(input: ByteReader): A;
  /** Windows other than interval windows (those are kept as numbers). */
  writeWindow(w: BoundedWindow, out: ByteWriter): void;
  readWindow(input: ByteReader): BoundedWindow;
}

export interface ReducerHeader {
  inputWm: number;
  outputWm: number;
  now: number;
  seq: number;
  pendingSpan: number;
  droppedLate: number;
  droppedClosed: number;
  panes: number;
}

/** The fields of a window state kept off the default path (`WinExtra`). */
export interface ExtraRecord {
  hold: number;
  extraHold: number;
  paneIndex: number;
  lastNonSpec: number;
  window: BoundedWindow | null;
  trig: TriggerState | null;
}

export interface WinRecord<A> {
  seq: number;
  maxTs: number;
  start: number;
  /** Flag bits (not alive / dirty: every saved window is alive, the dirty ones are listed). */
  f: number;
  hasAcc: boolean;
  acc: A | undefined;
  extra: ExtraRecord | null;
  /** Event timer (its true time, NaN: none), processing timer and hold heap keys (NaN: none). */
  evTs: number;
  procTs: number;
  holdTs: number;
}

/** How a key's windows were held. */
export const KeyLayout = {
  /** A sessions key mapped to its one window, without a key state. */
  Alone: 0,
  /** An interval key state with one active window inline. */
  IntervalOne: 1,
  /** An interval key state with its sorted active windows in arrays (`more.act`). */
  IntervalMany: 2,
  /** A key state with one window inline. */
  One: 3,
  /** A key state with windows in a map by max timestamp. */
  Map: 4,
} as const;
export type KeyLayout = (typeof KeyLayout)[keyof typeof KeyLayout];

export interface KeyRecord<K> {
  key: K;
  layout: KeyLayout;
  /** Interval key states: windows inside out of order were seen (a linear scan merges). */
  linear: boolean;
  /** Interval key states: whether a tombstone list was made. */
  hasMore: boolean;
  /** Active windows (all windows for a plain key state), then tombstones. */
  active: number;
  tombs: number;
  /** `IntervalMany`: the start and end arrays beside the active windows, as they were. */
  starts: readonly number[] | null;
  ends: readonly number[] | null;
}

const END = 0;
const BUCKET = 1;
const KEY = 2;

const HAS_ACC = 1;
const HAS_EXTRA = 2;
const HAS_WINDOW = 4;
const HAS_TRIG = 8;
const LINEAR = 1;
const HAS_MORE = 2;

export class ReducerSnapshotWriter<K, A> {
  private readonly out = new ByteWriter(1 << 12);

  constructor(private readonly codec: ReducerCodec<K, A>) {}

  header(h: ReducerHeader): void {
    const out = this.out;
    for (const x of [h.inputWm, h.outputWm, h.now, h.seq, h.pendingSpan, h.droppedLate, h.droppedClosed, h.panes]) out.writeDouble(x);
  }

  /** A window of the default path's buckets: `window` only when it is not an interval window. */
  bucketWindow(key: K, acc: A, maxTs: number, start: number, window: BoundedWindow | null): void {
    const out = this.out;
    out.writeByte(BUCKET);
    this.codec.writeKey(key, out);
    this.codec.writeAcc(acc, out);
    out.writeDouble(maxTs);
    out.writeDouble(start);
    out.writeByte(window === null ? 0 : 1);
    if (window !== null) this.codec.writeWindow(window, out);
  }

  /** A key; its `active + tombs` windows follow. */
  key(k: KeyRecord<K>): void {
    const out = this.out;
    out.writeByte(KEY);
    out.writeByte(k.layout);
    out.writeByte((k.linear ? LINEAR : 0) | (k.hasMore ? HAS_MORE : 0));
    this.codec.writeKey(k.key, out);
    out.writeVarInt(k.active);
    out.writeVarInt(k.tombs);
    if (k.layout !== KeyLayout.IntervalMany) return;
    for (let i = 0; i < k.active; i++) {
      out.writeDouble(k.starts![i]!);
      out.writeDouble(k.ends![i]!);
    }
  }

  window(w: WinRecord<A>): void {
    const out = this.out;
    const x = w.extra;
    out.writeByte((w.hasAcc ? HAS_ACC : 0) | (x !== null ? HAS_EXTRA : 0) | (x?.window ? HAS_WINDOW : 0) | (x?.trig ? HAS_TRIG : 0));
    out.writeDouble(w.seq);
    out.writeDouble(w.maxTs);
    out.writeDouble(w.start);
    out.writeVarInt(w.f);
    out.writeDouble(w.evTs);
    out.writeDouble(w.procTs);
    out.writeDouble(w.holdTs);
    if (w.hasAcc) this.codec.writeAcc(w.acc as A, out);
    if (x === null) return;
    out.writeDouble(x.hold);
    out.writeDouble(x.extraHold);
    out.writeDouble(x.paneIndex);
    out.writeDouble(x.lastNonSpec);
    if (x.window) this.codec.writeWindow(x.window, out);
    if (x.trig) writeTrigger(x.trig, out);
  }

  finish(dirty: readonly number[]): SnapshotBytes {
    const out = this.out;
    out.writeByte(END);
    out.writeVarInt(dirty.length);
    for (const s of dirty) out.writeDouble(s);
    return { format: REDUCER_FORMAT, bytes: out.finish() };
  }
}

/** What reading a snapshot calls, in the order the writer was called. */
export interface ReducerRestorer<K, A> {
  header(h: ReducerHeader): void;
  bucketWindow(keyId: string | number, key: K, acc: A, maxTs: number, start: number, window: BoundedWindow | null): void;
  /** A key and its windows (active ones first), in the order they were written. */
  key(keyId: string | number, k: KeyRecord<K>, windows: WinRecord<A>[]): void;
  dirty(seqs: readonly number[]): void;
}

export function readReducerSnapshot<K, A>(input: ByteReader, codec: ReducerCodec<K, A>, to: ReducerRestorer<K, A>): void {
  const n = () => readNumber(input);
  to.header({ inputWm: n(), outputWm: n(), now: n(), seq: n(), pendingSpan: n(), droppedLate: n(), droppedClosed: n(), panes: n() });
  for (;;) {
    const tag = input.readByte();
    if (tag === END) break;
    if (tag === BUCKET) {
      const key = codec.readKey(input);
      const acc = codec.readAcc(input);
      const maxTs = n();
      const start = n();
      const window = input.readByte() === 1 ? codec.readWindow(input) : null;
      to.bucketWindow(codec.keyId(key), key, acc, maxTs, start, window);
      continue;
    }
    if (tag !== KEY) throw new RangeError(`malformed reducer snapshot: item tag ${tag}`);
    const layout = input.readByte() as KeyLayout;
    const flags = input.readByte();
    const key = codec.readKey(input);
    const active = input.readVarInt();
    const tombs = input.readVarInt();
    let starts: number[] | null = null;
    let ends: number[] | null = null;
    if (layout === KeyLayout.IntervalMany) {
      starts = [];
      ends = [];
      for (let i = 0; i < active; i++) {
        starts.push(n());
        ends.push(n());
      }
    }
    const windows: WinRecord<A>[] = [];
    for (let i = 0; i < active + tombs; i++) windows.push(readWindow(input, codec));
    to.key(codec.keyId(key), { key, layout, linear: (flags & LINEAR) !== 0, hasMore: (flags & HAS_MORE) !== 0, active, tombs, starts, ends }, windows);
  }
  const dirty: number[] = [];
  for (let i = input.readVarInt(); i > 0; i--) dirty.push(n());
  to.dirty(dirty);
}

function readWindow<K, A>(input: ByteReader, codec: ReducerCodec<K, A>): WinRecord<A> {
  const n = () => readNumber(input);
  const bits = input.readByte();
  const w: WinRecord<A> = {
    seq: n(),
    maxTs: n(),
    start: n(),
    f: input.readVarInt(),
    evTs: n(),
    procTs: n(),
    holdTs: n(),
    hasAcc: (bits & HAS_ACC) !== 0,
    acc: undefined,
    extra: null,
  };
  if (w.hasAcc) w.acc = codec.readAcc(input);
  if ((bits & HAS_EXTRA) === 0) return w;
  const x: ExtraRecord = { hold: n(), extraHold: n(), paneIndex: n(), lastNonSpec: n(), window: null, trig: null };
  if (bits & HAS_WINDOW) x.window = codec.readWindow(input);
  if (bits & HAS_TRIG) x.trig = readTrigger(input);
  w.extra = x;
  return w;
}

/** Finished bits, one number per node, and the pending predicate matches of the nodes having any. */
function writeTrigger(st: TriggerState, out: ByteWriter): void {
  const nodes = st.fin.length;
  out.writeVarInt(nodes);
  out.writeBytes(st.fin);
  for (let i = 0; i < nodes; i++) out.writeDouble(st.val[i]!);
  let lists = 0;
  for (let i = 0; i < st.pending.length; i++) if (st.pending[i] !== undefined) lists++;
  out.writeVarInt(lists);
  for (let i = 0; i < st.pending.length; i++) {
    const p = st.pending[i];
    if (p === undefined) continue;
    out.writeVarInt(i);
    out.writeVarInt(p.length);
    for (const t of p) out.writeDouble(t);
  }
}

function readTrigger(input: ByteReader): TriggerState {
  const nodes = input.readVarInt();
  const fin = input.readBytes(nodes);
  const val = new Float64Array(nodes);
  for (let i = 0; i < nodes; i++) val[i] = input.readDouble();
  const pending: (number[] | undefined)[] = [];
  for (let lists = input.readVarInt(); lists > 0; lists--) {
    const i = input.readVarInt();
    const p: number[] = [];
    for (let k = input.readVarInt(); k > 0; k--) p.push(readNumber(input));
    pending[i] = p;
  }
  return new TriggerState(fin, val, pending);
}
