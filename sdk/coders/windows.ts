/**
 * Window coders. beam:coder:global_window:v1 writes nothing. beam:coder:interval_window:v1 writes
 * the end as a Beam timestamp (8 bytes) then the span `end − start` as a varint, exactly in int64
 * arithmetic even at Beam's bounds.
 */
import type { ByteReader, ByteWriter } from './bytes.js';
import type { Coder } from './coder.js';
import type { Instant } from '../time/instant.js';
import { GLOBAL_WINDOWS, GlobalWindow, IntervalWindow, type BoundedWindow } from '../window/bounded-window.js';
import { readTimestampExact, toExactMillis, writeTimestamp } from './timestamp.js';
import { CoderUrns } from './urns.js';
import { describeValue } from './primitives.js';

const NO_COMPONENTS: readonly Coder<unknown>[] = Object.freeze([]);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const TWO_32 = 4294967296;
const TWO_31 = 2147483648;

export class GlobalWindowCoder implements Coder<GlobalWindow> {
  static readonly INSTANCE = new GlobalWindowCoder();
  readonly urn = CoderUrns.GLOBAL_WINDOW;
  readonly components = NO_COMPONENTS;
  readonly deterministic = true;
  encode(value: GlobalWindow): void {
    if (value !== GlobalWindow.INSTANCE) {
      throw new TypeError(`global_window coder cannot encode ${describeWindow(value)}: expected GlobalWindow.INSTANCE`);
    }
  }
  decode(): GlobalWindow {
    return GlobalWindow.INSTANCE;
  }
}

export class IntervalWindowCoder implements Coder<IntervalWindow> {
  static readonly INSTANCE = new IntervalWindowCoder();
  readonly urn = CoderUrns.INTERVAL_WINDOW;
  readonly components = NO_COMPONENTS;
  readonly deterministic = true;
  encode(value: IntervalWindow, out: ByteWriter): void {
    if (!(value instanceof IntervalWindow)) {
      throw new TypeError(`interval_window coder cannot encode ${describeWindow(value)}: expected an IntervalWindow`);
    }
    const start = value.start;
    const end = value.end;
    writeTimestamp(out, end);
    if (start >= -MAX_SAFE && end <= MAX_SAFE && start <= end && end - start <= MAX_SAFE) {
      out.writeVarInt(end - start);
    } else {
      out.writeVarBigInt(toExactMillis(end) - toExactMillis(start));
    }
  }
  decode(input: ByteReader): IntervalWindow {
    const hi = input.readUint32BE('the end of an interval window') - TWO_31;
    const lo = input.readUint32BE('the end of an interval window');
    const end = hi * TWO_32 + lo;
    const spanPos = input.position;
    const span = input.readVarInt('the span of an interval window');
    if (end >= -MAX_SAFE && end <= MAX_SAFE && span >= 0 && span <= MAX_SAFE) {
      const start = end - span;
      if (start >= -MAX_SAFE) return new IntervalWindow(start as Instant, end as Instant);
    }
    // Beyond 2^53: compute in exact int64 arithmetic, then round each bound once.
    input.seek(spanPos - 8);
    const endExact = readTimestampExact(input, 'the end of an interval window');
    const spanExact = input.readVarBigInt('the span of an interval window');
    return new IntervalWindow(Number(endExact - spanExact) as Instant, Number(endExact) as Instant);
  }
}

function describeWindow(w: unknown): string {
  return w instanceof GlobalWindow || w instanceof IntervalWindow ? String(w) : describeValue(w);
}

/** Writes a window collection as Beam does: int32 count, then each window nested. */
export function writeWindows(out: ByteWriter, windows: readonly BoundedWindow[], coder: Coder<BoundedWindow>): void {
  const n = windows.length;
  out.writeInt32BE(n);
  for (let i = 0; i < n; i++) coder.encode(windows[i]!, out, true);
}

export function readWindows(input: ByteReader, coder: Coder<BoundedWindow>): readonly BoundedWindow[] {
  const n = input.readInt32BE('the window count');
  if (n === 1 && coder === (GlobalWindowCoder.INSTANCE as Coder<unknown>)) return GLOBAL_WINDOWS;
  if (n < 0) throw new RangeError(`malformed window collection: count ${n}`);
  const out: BoundedWindow[] = [];
  for (let i = 0; i < n; i++) out.push(coder.decode(input, true));
  return out;
}
