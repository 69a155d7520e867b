/** One-shot encode/decode and the structural (grouping) key of a value. */
import { ByteReader, ByteWriter } from './bytes.js';
import type { Coder } from './coder.js';
import { describeCoder } from './describe.js';
import { BoolCoder, StringUtf8Coder, VarIntCoder } from './primitives.js';
import { LengthPrefixCoder } from './length-prefix.js';
import { KeyCoderError } from './errors.js';

const scratch = new ByteWriter(1024);
let scratchBusy = false;

/** Encodes one value to a fresh byte array (outer context unless `nested`). */
export function encodeToBytes<T>(coder: Coder<T>, value: T, nested = false): Uint8Array {
  if (scratchBusy) {
    const w = new ByteWriter(64);
    coder.encode(value, w, nested);
    return w.finish();
  }
  scratchBusy = true;
  try {
    scratch.reset();
    coder.encode(value, scratch, nested);
    return scratch.finish();
  } finally {
    scratchBusy = false;
  }
}

/** Decodes one value that must use up all of `bytes`. */
export function decodeFromBytes<T>(coder: Coder<T>, bytes: Uint8Array, nested = false): T {
  const r = new ByteReader(bytes);
  const value = coder.decode(r, nested);
  if (r.remaining !== 0) {
    throw new RangeError(
      `coder ${describeCoder(coder as Coder<unknown>)} decoded a value from ${bytes.length - r.remaining} of ` +
        `${bytes.length} bytes and left ${r.remaining} unread: wrong coder for these bytes?`,
    );
  }
  return value;
}

/** The key a runner groups by. */
export type StructuralKey = string | number | boolean;

function isIdentityKeyCoder(coder: Coder<unknown>): boolean {
  return (
    coder instanceof StringUtf8Coder ||
    coder instanceof VarIntCoder ||
    coder instanceof BoolCoder ||
    (coder instanceof LengthPrefixCoder && isIdentityKeyCoder(coder.valueCoder as Coder<unknown>))
  );
}

/**
 * A cheap key equal for values that encode to equal bytes: the value itself for string, varint
 * and bool coders (and a length prefix of those), otherwise the encoded bytes as a latin1 string.
 * Throws if the coder is not deterministic.
 */
export function structuralKey<T>(coder: Coder<T>, value: T): StructuralKey {
  if (!coder.deterministic) {
    throw new KeyCoderError(
      describeCoder(coder as Coder<unknown>),
      `key coder ${describeCoder(coder as Coder<unknown>)} is not deterministic: GroupByKey needs a deterministic ` +
        'key coder, because equal keys must encode to equal bytes. Use a string, varint, bytes, bool, kv, ' +
        'iterable or json coder for keys (doubles and rows with floating-point fields are not deterministic).',
    );
  }
  if (isIdentityKeyCoder(coder as Coder<unknown>)) {
    if (typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number') {
      if (Number.isInteger(value)) return value === 0 ? 0 : value;
    } else if (typeof value === 'bigint') {
      if (value >= -9007199254740991n && value <= 9007199254740991n) return Number(value);
    }
    // Anything else: let the coder validate it (it throws a clear error for a wrong type).
  }
  if (scratchBusy) return latin1(encodeToBytes(coder, value));
  scratchBusy = true;
  try {
    scratch.reset();
    coder.encode(value, scratch, false);
    return latin1(scratch.bytesView());
  } finally {
    scratchBusy = false;
  }
}

/** The bytes as a string of code points 0-255 (one per byte). */
export function latin1(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n < 64) {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, n).toString('latin1');
}

/** The inverse of `latin1`. */
export function fromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`not a byte string: code point ${c} at index ${i}`);
    out[i] = c;
  }
  return out;
}
