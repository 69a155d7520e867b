/**
 * Beam's timestamp encoding: int64 milliseconds with the sign bit flipped, big-endian, so that
 * the bytes sort like the instants. Beam's bounds (±9223372036854775 ms) and the global window's
 * max timestamp exceed 2^53; as JS numbers they are the nearest doubles (`Instant.MIN/MAX`,
 * `GLOBAL_WINDOW_MAX`), which these helpers map to and from the exact int64 wire values. ±Infinity
 * are written as Beam's min/max.
 */
import type { ByteReader, ByteWriter } from './bytes.js';
import {
  GLOBAL_WINDOW_MAX_EXACT,
  Instant,
  MAX_TIMESTAMP_EXACT,
  MIN_TIMESTAMP_EXACT,
} from '../time/instant.js';

const TWO_32 = 4294967296;
const TWO_31 = 2147483648;
const SIGN = 1n << 63n;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MIN_DOUBLE = Number(MIN_TIMESTAMP_EXACT);
const MAX_DOUBLE = Number(MAX_TIMESTAMP_EXACT);
const GLOBAL_MAX_DOUBLE = Number(GLOBAL_WINDOW_MAX_EXACT);
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** The exact int64 a JS timestamp stands for (mapping Beam's bound doubles to their exact values). */
export function toExactMillis(t: number): bigint {
  if (t === MIN_DOUBLE || t === -Infinity) return MIN_TIMESTAMP_EXACT;
  if (t === MAX_DOUBLE || t === Infinity) return MAX_TIMESTAMP_EXACT;
  if (t === GLOBAL_MAX_DOUBLE) return GLOBAL_WINDOW_MAX_EXACT;
  if (!Number.isInteger(t)) {
    throw new RangeError(`cannot encode timestamp ${t}: not an integer number of milliseconds`);
  }
  const e = BigInt(t);
  if (e < INT64_MIN || e > INT64_MAX) {
    throw new RangeError(`cannot encode timestamp ${t}: outside the int64 range`);
  }
  return e;
}

/** Writes an instant as 8 bytes: int64 millis with the sign bit flipped, big-endian. */
export function writeTimestamp(out: ByteWriter, t: number): void {
  if (t >= -MAX_SAFE && t <= MAX_SAFE && Number.isInteger(t)) {
    const hi = Math.floor(t / TWO_32);
    out.writeUint32BE(hi + TWO_31);
    out.writeUint32BE(t - hi * TWO_32);
    return;
  }
  out.writeUint64BE(toExactMillis(t) + SIGN);
}

/** Reads an instant written by `writeTimestamp` (Beam's bounds come back as `Instant.MIN/MAX`). */
export function readTimestamp(input: ByteReader, what = 'a timestamp'): Instant {
  const hi = input.readUint32BE(what) - TWO_31;
  const lo = input.readUint32BE(what);
  // One rounding step: exact within ±2^53, the nearest double beyond (which is how the bounds
  // are represented).
  return (hi * TWO_32 + lo) as Instant;
}

/** Reads a timestamp as an exact int64. */
export function readTimestampExact(input: ByteReader, what = 'a timestamp'): bigint {
  return input.readBigUint64BE(what) - SIGN;
}
