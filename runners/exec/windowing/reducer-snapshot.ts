/**
 * The byte format of a `KeyedWindowReducer` checkpoint. The reducer walks its own structures and
 * hands each window here as a record; this file writes records to bytes (user values through the
 * codec's coders) and reads them back in the same order, so the reducer can rebuild exactly the
 * structures it had: the same window sequence numbers (the (time, seq) firing order), key
 * layouts, heap memberships and times, trigger states and the windows waiting for their trigger.
 *
 *   header  8 doubles: input and output watermarks, processing time, next seq, pending span,
 *           counters droppedLate / droppedClosed / panes
 *   dirty   the sequence numbers of windows waiting for their trigger, in order
 *   items   tagged, until END: a bucket window (default path) or a key with its windows
 *
 * A checkpoint of a million open windows is a million records: records are reused objects on
 * both sides, and absent fields (no processing timer, no hold) take no bytes.
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

/** The fields of a window state kept off the default path (`WindowExtras`). */
export interface ExtraRecord {
  elementHold: number;
  endOrGcHold: number;
  paneIndex: number;
  lastOnTimeIndex: number;
  window: BoundedWindow | null;
  trigger: TriggerState | null;
}

/** One window; the same object is filled again for the next one. */
export interface WindowRecord<A> {
  seq: number;
  maxTs: number;
  start: number;
  /** Flag bits (not alive / dirty: every saved window is alive, the dirty ones are listed). */
  flags: number;
  hasAcc: boolean;
  acc: A | undefined;
  /** Null: the window has no `WindowExtras`. */
  extra: ExtraRecord | null;
  /** Event timer (its true time, NaN: none), processing timer and hold heap keys (NaN: none). */
  eventTime: number;
  procTs: number;
  holdTs: number;
}

/** How a key's windows were held. */
export const KeyLayout = {
  /** A sessions key mapped to its one window, without a key state. */
  Alone: 0,
  /** An interval key state with one active window inline. */
  IntervalOne: 1,
  /** An interval key state with its sorted active windows in arrays (`many.active`). */
  IntervalMany: 2,
  /** A key state with one window inline. */
  One: 3,
  /** A key state with windows in a map by max timestamp. */
  Map: 4,
} as const;
export type KeyLayout = (typeof KeyLayout)[keyof typeof KeyLayout];

/** One key; the same object is filled again for the next one. */
export interface KeyRecord<K> {
  key: K;
  layout: KeyLayout;
  /** Interval key states: windows are found by a linear scan (`ManySessions.linear`). */
  linear: boolean;
  /** Interval key states: whether the state had grown beyond one window (`many`). */
  hasMore: boolean;
  /** Active windows (all windows for a plain key state), then tombstones. */
  active: number;
  tombs: number;
  /** `IntervalMany`: the start and end arrays beside the active windows, as they were. */
  starts: readonly number[] | null;
  ends: readonly number[] | null;
}

export function newWindowRecord<A>(): WindowRecord<A> {
  return { seq: 0, maxTs: 0, start: 0, flags: 0, hasAcc: false, acc: undefined, extra: null, eventTime: NaN, procTs: NaN, holdTs: NaN };
}

export function newExtraRecord(): ExtraRecord {
  return { elementHold: NaN, endOrGcHold: NaN, paneIndex: 0, lastOnTimeIndex: -1, window: null, trigger: null };
}

export function newKeyRecord<K>(key: K): KeyRecord<K> {
  return { key, layout: KeyLayout.Alone, linear: false, hasMore: false, active: 1, tombs: 0, starts: null, ends: null };
}

const END = 0;
const BUCKET = 1;
const KEY = 2;

const HAS_ACC = 1;
const HAS_EXTRA = 2;
const HAS_WINDOW = 4;
const HAS_TRIG = 8;
const HAS_EVENT = 16;
const HAS_PROC = 32;
const HAS_HOLD = 64;
const LINEAR = 1;
const HAS_MORE = 2;

export class ReducerSnapshotWriter<K, A> {
  private readonly out = new ByteWriter(1 << 12);

  constructor(private readonly codec: ReducerCodec<K, A>) {}

  /** First: the clock and counters, and the windows waiting for their trigger. */
  header(h: ReducerHeader, dirty: readonly number[]): void {
    const out = this.out;
    for (const x of [h.inputWm, h.outputWm, h.now, h.seq, h.pendingSpan, h.droppedLate, h.droppedClosed, h.panes]) out.writeDouble(x);
    out.writeVarInt(dirty.length);
    for (const s of dirty) out.writeDouble(s);
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

  window(w: WindowRecord<A>): void {
    const out = this.out;
    const x = w.extra;
    let bits = w.hasAcc ? HAS_ACC : 0;
    if (x !== null) bits |= HAS_EXTRA | (x.window !== null ? HAS_WINDOW : 0) | (x.trigger !== null ? HAS_TRIG : 0);
    if (!Number.isNaN(w.eventTime)) bits |= HAS_EVENT;
    if (!Number.isNaN(w.procTs)) bits |= HAS_PROC;
    if (!Number.isNaN(w.holdTs)) bits |= HAS_HOLD;
    out.writeByte(bits);
    out.writeDouble(w.seq);
    out.writeDouble(w.maxTs);
    out.writeDouble(w.start);
    out.writeVarInt(w.flags);
    if (bits & HAS_EVENT) out.writeDouble(w.eventTime);
    if (bits & HAS_PROC) out.writeDouble(w.procTs);
    if (bits & HAS_HOLD) out.writeDouble(w.holdTs);
    if (w.hasAcc) this.codec.writeAcc(w.acc as A, out);
    if (x === null) return;
    out.writeDouble(x.elementHold);
    out.writeDouble(x.endOrGcHold);
    out.writeDouble(x.paneIndex);
    out.writeDouble(x.lastOnTimeIndex);
    if (x.window !== null) this.codec.writeWindow(x.window, out);
    if (x.trigger !== null) writeTrigger(x.trigger, out);
  }

  finish(): SnapshotBytes {
    this.out.writeByte(END);
    return { format: REDUCER_FORMAT, bytes: this.out.finish() };
  }
}

/**
 * What reading a snapshot calls, in the order the writer was called. Records passed in are
 * reused for the next item: keep what they hold, not them.
 */
export interface ReducerRestorer<K, A, W> {
  header(h: ReducerHeader, dirty: readonly number[]): void;
  bucketWindow(keyId: string | number, key: K, acc: A, maxTs: number, start: number, window: BoundedWindow | null): void;
  /** One window of the key being read; what it returns goes to `key`. */
  window(keyId: string | number, key: K, w: WindowRecord<A>): W;
  /** A key, after its windows (active ones first, `windows` reused for the next key). */
  key(keyId: string | number, k: KeyRecord<K>, windows: readonly W[]): void;
}

export function readReducerSnapshot<K, A, W>(input: ByteReader, codec: ReducerCodec<K, A>, to: ReducerRestorer<K, A, W>): void {
  const h: ReducerHeader = {
    inputWm: readNumber(input),
    outputWm: readNumber(input),
    now: readNumber(input),
    seq: readNumber(input),
    pendingSpan: readNumber(input),
    droppedLate: readNumber(input),
    droppedClosed: readNumber(input),
    panes: readNumber(input),
  };
  const dirty: number[] = [];
  for (let i = input.readVarInt(); i > 0; i--) dirty.push(readNumber(input));
  to.header(h, dirty);
  const rec = newWindowRecord<A>();
  const extra = newExtraRecord();
  const k = newKeyRecord<K>(undefined as K);
  const wins: W[] = [];
  for (;;) {
    const tag = input.readByte();
    if (tag === END) return;
    if (tag === BUCKET) {
      const key = codec.readKey(input);
      const acc = codec.readAcc(input);
      const maxTs = readNumber(input);
      const start = readNumber(input);
      const window = input.readByte() === 1 ? codec.readWindow(input) : null;
      to.bucketWindow(codec.keyId(key), key, acc, maxTs, start, window);
      continue;
    }
    if (tag !== KEY) throw new RangeError(`malformed reducer snapshot: item tag ${tag}`);
    k.layout = input.readByte() as KeyLayout;
    const flags = input.readByte();
    k.linear = (flags & LINEAR) !== 0;
    k.hasMore = (flags & HAS_MORE) !== 0;
    k.key = codec.readKey(input);
    k.active = input.readVarInt();
    k.tombs = input.readVarInt();
    k.starts = k.ends = null;
    if (k.layout === KeyLayout.IntervalMany) {
      const starts: number[] = [];
      const ends: number[] = [];
      for (let i = 0; i < k.active; i++) {
        starts.push(readNumber(input));
        ends.push(readNumber(input));
      }
      k.starts = starts;
      k.ends = ends;
    }
    const id = codec.keyId(k.key);
    wins.length = 0;
    for (let i = k.active + k.tombs; i > 0; i--) wins.push(to.window(id, k.key, readWindow(input, codec, rec, extra)));
    to.key(id, k, wins);
  }
}

function readWindow<K, A>(input: ByteReader, codec: ReducerCodec<K, A>, w: WindowRecord<A>, x: ExtraRecord): WindowRecord<A> {
  const bits = input.readByte();
  w.seq = readNumber(input);
  w.maxTs = readNumber(input);
  w.start = readNumber(input);
  w.flags = input.readVarInt();
  w.eventTime = bits & HAS_EVENT ? readNumber(input) : NaN;
  w.procTs = bits & HAS_PROC ? readNumber(input) : NaN;
  w.holdTs = bits & HAS_HOLD ? readNumber(input) : NaN;
  w.hasAcc = (bits & HAS_ACC) !== 0;
  w.acc = w.hasAcc ? codec.readAcc(input) : undefined;
  if ((bits & HAS_EXTRA) === 0) {
    w.extra = null;
    return w;
  }
  x.elementHold = readNumber(input);
  x.endOrGcHold = readNumber(input);
  x.paneIndex = readNumber(input);
  x.lastOnTimeIndex = readNumber(input);
  x.window = bits & HAS_WINDOW ? codec.readWindow(input) : null;
  x.trigger = bits & HAS_TRIG ? readTrigger(input) : null;
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
