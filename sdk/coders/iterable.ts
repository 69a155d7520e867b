/**
 * beam:coder:iterable:v1 — a big-endian int32 element count, then each element nested. Decoding
 * also accepts Beam's encoding of iterables of unknown length: the count −1, then blocks of a
 * varint count followed by that many elements, ended by a block count of 0. Encodes any JS
 * iterable (arrays directly); decodes to an array.
 */
import type { ByteReader, ByteWriter } from './bytes.js';
import type { Coder } from './coder.js';
import { CoderUrns } from './urns.js';

export class IterableCoder<T> implements Coder<readonly T[]> {
  readonly urn = CoderUrns.ITERABLE;
  readonly components: readonly Coder<unknown>[];
  readonly deterministic: boolean;
  constructor(readonly elementCoder: Coder<T>) {
    this.components = [elementCoder as Coder<unknown>];
    this.deterministic = elementCoder.deterministic;
  }
  encode(value: Iterable<T>, out: ByteWriter): void {
    const arr: readonly T[] = Array.isArray(value) ? value : iterableToArray(value);
    const n = arr.length;
    out.writeInt32BE(n);
    const c = this.elementCoder;
    for (let i = 0; i < n; i++) c.encode(arr[i]!, out, true);
  }
  decode(input: ByteReader): T[] {
    return decodeIterable(input, this.elementCoder);
  }
}

function iterableToArray<T>(value: Iterable<T>): T[] {
  if (value == null || typeof (value as Iterable<T>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`iterable coder cannot encode ${String(value)}: not iterable`);
  }
  return Array.from(value);
}

/** Reads Beam's iterable-like encoding (known or unknown length) with the given element coder. */
export function decodeIterable<T>(input: ByteReader, c: Coder<T>, what = 'an iterable'): T[] {
  const n = input.readInt32BE(`the element count of ${what}`);
  if (n >= 0) {
    // Never trust the count for preallocation: a corrupt count must not allocate gigabytes.
    const out: T[] = n <= input.remaining ? new Array<T>(n) : [];
    for (let i = 0; i < n; i++) out[i] = c.decode(input, true);
    return out;
  }
  if (n !== -1) throw new RangeError(`malformed ${what}: element count ${n}`);
  const out: T[] = [];
  for (;;) {
    const block = input.readVarInt(`a block count of ${what}`);
    if (block === 0) return out;
    if (block < 0) throw new RangeError(`malformed ${what}: block count ${block}`);
    for (let i = 0; i < block; i++) out.push(c.decode(input, true));
  }
}
