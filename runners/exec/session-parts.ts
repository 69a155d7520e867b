/**
 * What ReifySessions sends across the shuffle for one key (runners/exec/session-groups.ts): the
 * key's elements of a bundle in their session windows, as parallel arrays, and the coder for
 * them. MergeSessions reads only each element's window, timestamp and value (an input's pane does
 * not matter to a GroupByKey), so none of the rest is kept or sent.
 *
 * `tributary:coder:session_parts:v1` (components: the value coder, the window coder). The runner
 * never decodes it (the submission wraps it in a length prefix). Two layouts, after a tag byte:
 *
 * - 0x00 compact: varint count, then per element the window's start as a zigzag varint delta
 *   from the previous element's start (from 0 for the first), the window's length (end − start)
 *   as a varint, the timestamp as a zigzag varint offset from the start, and the value (nested).
 *   Used when every start, end and timestamp is an integer within ±2^51 ms (±71,000 years), so
 *   that each delta and its zigzag are exact in a double.
 * - 0x01 windowed: varint count, then per element the timestamp (Beam's 8-byte encoding), the
 *   window (the window coder, nested) and the value (nested): any instant, Beam's bounds included.
 *
 * A raw event of the bench's sessions case (a 30-minute gap, a day of timestamps) is ~9 bytes
 * compact where a Beam windowed value of it was ~26, and neither side makes a windowed value or a
 * window object per element (500,000 raw events, in process at load 3–6: encode and decode
 * 0.8–1.5 s → 0.17–0.22 s).
 */
import { ByteReader, ByteWriter } from '../../sdk/coders/bytes.js';
import type { Coder } from '../../sdk/coders/coder.js';
import { registerCoder } from '../../sdk/coders/registry.js';
import { readTimestamp, writeTimestamp } from '../../sdk/coders/timestamp.js';
import type { Instant } from '../../sdk/time/instant.js';
import { IntervalWindow, type BoundedWindow } from '../../sdk/window/bounded-window.js';

export const SESSION_PARTS_CODER_URN = 'tributary:coder:session_parts:v1';

/** A key's elements, one entry per element and session window (an element has one). */
export class SessionParts {
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  readonly stamps: number[] = [];
  readonly values: unknown[] = [];
  /** The earliest timestamp (what the record's own timestamp is set to). */
  earliest = Infinity;

  get length(): number {
    return this.starts.length;
  }

  push(start: number, end: number, stamp: number, value: unknown): void {
    this.starts.push(start);
    this.ends.push(end);
    this.stamps.push(stamp);
    this.values.push(value);
    if (stamp < this.earliest) this.earliest = stamp;
  }
}

const COMPACT = 0x00;
const WINDOWED = 0x01;
/** The largest magnitude the compact layout takes: deltas stay within ±2^52, zigzags within 2^53. */
const COMPACT_BOUND = 2 ** 51;

const fits = (x: number) => Number.isInteger(x) && x <= COMPACT_BOUND && x >= -COMPACT_BOUND;

function compactable(p: SessionParts): boolean {
  const { starts, ends, stamps } = p;
  for (let i = 0; i < starts.length; i++) {
    if (!fits(starts[i]!) || !fits(ends[i]!) || !fits(stamps[i]!) || ends[i]! < starts[i]!) return false;
  }
  return true;
}

function writeZigZag(out: ByteWriter, d: number): void {
  out.writeVarInt(d >= 0 ? d * 2 : -d * 2 - 1);
}

function readZigZag(input: ByteReader, what: string): number {
  const z = input.readVarInt(what);
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

export class SessionPartsCoder implements Coder<SessionParts> {
  readonly urn = SESSION_PARTS_CODER_URN;
  readonly components: readonly Coder<unknown>[];
  /** Element order is the bundle's: not a key's identity. */
  readonly deterministic = false;

  constructor(
    readonly valueCoder: Coder<unknown>,
    readonly windowCoder: Coder<BoundedWindow>,
  ) {
    this.components = [valueCoder, windowCoder as Coder<unknown>];
  }

  encode(p: SessionParts, out: ByteWriter): void {
    const { starts, ends, stamps, values } = p;
    const n = starts.length;
    const vc = this.valueCoder;
    if (compactable(p)) {
      out.writeByte(COMPACT);
      out.writeVarInt(n);
      let prev = 0;
      for (let i = 0; i < n; i++) {
        const start = starts[i]!;
        writeZigZag(out, start - prev);
        prev = start;
        out.writeVarInt(ends[i]! - start);
        writeZigZag(out, stamps[i]! - start);
        vc.encode(values[i], out, true);
      }
      return;
    }
    out.writeByte(WINDOWED);
    out.writeVarInt(n);
    for (let i = 0; i < n; i++) {
      writeTimestamp(out, stamps[i]!);
      this.windowCoder.encode(new IntervalWindow(starts[i]! as Instant, ends[i]! as Instant), out, true);
      vc.encode(values[i], out, true);
    }
  }

  decode(input: ByteReader): SessionParts {
    const layout = input.readByte('the layout of session parts');
    if (layout !== COMPACT && layout !== WINDOWED) throw new RangeError(`malformed session parts: layout ${layout} at offset ${input.position - 1}`);
    const n = input.readVarInt('the count of session parts');
    const p = new SessionParts();
    const vc = this.valueCoder;
    if (layout === COMPACT) {
      let start = 0;
      for (let i = 0; i < n; i++) {
        start += readZigZag(input, 'the start of a session part');
        const end = start + input.readVarInt('the length of a session part');
        p.push(start, end, start + readZigZag(input, 'the timestamp of a session part'), vc.decode(input, true));
      }
      return p;
    }
    for (let i = 0; i < n; i++) {
      const stamp = readTimestamp(input, 'the timestamp of a session part');
      const w = this.windowCoder.decode(input, true);
      if (!(w instanceof IntervalWindow)) throw new RangeError(`malformed session parts: a session window must be an interval, got ${String(w)}`);
      p.push(w.start, w.end, stamp, vc.decode(input, true));
    }
    return p;
  }
}

registerCoder(SESSION_PARTS_CODER_URN, ([v, w]) => new SessionPartsCoder(v!, w as Coder<BoundedWindow>) as Coder<unknown>, { arity: 2 });
