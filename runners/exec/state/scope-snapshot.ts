/**
 * The byte format of a stateful ParDo's checkpoint: its clock, then every scope (key and window)
 * with its state cells and its timer entries — user timers, the window's expiry, the global
 * window's time-to-live — each with its sequence number and queue memberships, so the restored
 * queues fire in exactly the (time, seq) order the saved ones would have.
 *
 *   header  3 doubles: input watermark, processing time, last sequence number
 *   scopes  varint count; per scope: global flag, key, window, cells (presence + data), entries
 */
import type { Coder } from '../../../sdk/coders/index.js';
import type { TimeDomain } from '../../../sdk/state/index.js';
import type { BoundedWindow } from '../../../sdk/window/bounded-window.js';
import { ByteReader, ByteWriter, readNumber, readString, readValue, snapshotReader, writeString, writeValue, type SnapshotBytes } from '../snapshot-bytes.js';
import type { CellCodec } from './cell-codecs.js';
import { EntryKind, type Scope, type TimerEntry } from './scope.js';

export const STATEFUL_FORMAT = 'tributary.stateful.v1';

export interface StatefulCodec {
  readonly owner: string;
  readonly key: Coder<unknown>;
  readonly window: Coder<BoundedWindow>;
  /** One per declared state, in column order. */
  readonly cells: readonly CellCodec[];
}

export interface StatefulClock {
  inputWatermark: number;
  now: number;
  seq: number;
}

/** A timer entry as saved: where it was queued, and the fields to rebuild it. */
export interface EntryRecord {
  kind: EntryKind;
  seq: number;
  time: number;
  outputTs: number;
  /** TTL entries: the time they are really due (their queue time may lag). */
  due: number;
  family: string;
  tag: string;
  domain: TimeDomain;
  /** In its firing queue (event or processing time), in the watermark-hold queue. */
  queued: boolean;
  held: boolean;
}

export interface ScopeRecord {
  key: unknown;
  window: BoundedWindow;
  global: boolean;
  /** Each declared state's data (undefined: empty). */
  cells: unknown[];
  entries: EntryRecord[];
}

const QUEUED = 1;
const HELD = 2;
const PROCESSING = 4;

export function writeStatefulSnapshot(clock: StatefulClock, scopes: readonly Scope[], columns: readonly unknown[][], codec: StatefulCodec): SnapshotBytes {
  const out = new ByteWriter(1 << 12);
  out.writeDouble(clock.inputWatermark);
  out.writeDouble(clock.now);
  out.writeDouble(clock.seq);
  out.writeVarInt(scopes.length);
  const keyWhat = () => `a key held by "${codec.owner}"`;
  const windowWhat = () => `a window held by "${codec.owner}"`;
  for (const scope of scopes) {
    out.writeByte(scope.global ? 1 : 0);
    writeValue(codec.key, scope.key, out, keyWhat);
    writeValue(codec.window, scope.window, out, windowWhat);
    for (let i = 0; i < codec.cells.length; i++) {
      const d = columns[i]![scope.id];
      out.writeByte(d === undefined ? 0 : 1);
      if (d !== undefined) codec.cells[i]!.write(d, out);
    }
    const entries: TimerEntry[] = [...scope.timerEntries()];
    if (scope.expiry) entries.push(scope.expiry);
    if (scope.ttl) entries.push(scope.ttl);
    out.writeVarInt(entries.length);
    for (const e of entries) writeEntry(e, out);
  }
  return { format: STATEFUL_FORMAT, bytes: out.finish() };
}

function writeEntry(e: TimerEntry, out: ByteWriter): void {
  out.writeByte(e.kind);
  out.writeByte((e.qIdx >= 0 ? QUEUED : 0) | (e.held ? HELD : 0) | (e.domain === 'PROCESSING_TIME' ? PROCESSING : 0));
  out.writeDouble(e.seq);
  out.writeDouble(e.time);
  out.writeDouble(e.outputTs);
  out.writeDouble(e.due);
  if (e.kind !== EntryKind.User) return;
  writeString(out, e.family);
  writeString(out, e.tag);
}

export function readStatefulSnapshot(state: unknown, codec: StatefulCodec): { clock: StatefulClock; scopes: ScopeRecord[] } {
  const input = snapshotReader(state, STATEFUL_FORMAT, codec.owner);
  const clock: StatefulClock = { inputWatermark: readNumber(input), now: readNumber(input), seq: readNumber(input) };
  const keyWhat = () => `a key of "${codec.owner}"`;
  const windowWhat = () => `a window of "${codec.owner}"`;
  const scopes: ScopeRecord[] = [];
  for (let n = input.readVarInt(); n > 0; n--) {
    const global = input.readByte() === 1;
    const key = readValue(codec.key, input, keyWhat);
    const window = readValue(codec.window, input, windowWhat);
    const cells = codec.cells.map((c) => (input.readByte() === 1 ? c.read(input) : undefined));
    const entries: EntryRecord[] = [];
    for (let k = input.readVarInt(); k > 0; k--) entries.push(readEntry(input));
    scopes.push({ key, window, global, cells, entries });
  }
  return { clock, scopes };
}

function readEntry(input: ByteReader): EntryRecord {
  const kind = input.readByte() as EntryKind;
  const bits = input.readByte();
  const e: EntryRecord = {
    kind,
    seq: readNumber(input),
    time: readNumber(input),
    outputTs: readNumber(input),
    due: readNumber(input),
    family: '',
    tag: '',
    domain: bits & PROCESSING ? 'PROCESSING_TIME' : 'EVENT_TIME',
    queued: (bits & QUEUED) !== 0,
    held: (bits & HELD) !== 0,
  };
  if (kind === EntryKind.User) {
    e.family = readString(input);
    e.tag = readString(input);
  }
  return e;
}
