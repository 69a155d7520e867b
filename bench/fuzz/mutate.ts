/**
 * Random mutations of a valid input: bit flips, byte overwrites, truncation, cut or duplicated
 * spans, and integers written over length fields (zero, negative, huge). 1-3 per case.
 */
import { concatBytes } from '../../io/storage/storage.js';

export type Mutation = 'bitflip' | 'bytes' | 'truncate' | 'cut' | 'duplicate' | 'length';

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 4_000_000_000, 2_000_000_000];

export function mutate(seed: Uint8Array, random: () => number, lengthOffsets: number[]): { bytes: Uint8Array; applied: Mutation[] } {
  let bytes: Uint8Array = seed.slice();
  const applied: Mutation[] = [];
  const int = (n: number) => Math.floor(random() * n);
  const count = 1 + int(3);
  for (let i = 0; i < count && bytes.byteLength > 0; i++) {
    const r = random();
    const kind: Mutation = r < 0.3 ? 'bitflip' : r < 0.45 ? 'bytes' : r < 0.55 ? 'truncate' : r < 0.65 ? 'cut' : r < 0.72 ? 'duplicate' : 'length';
    applied.push(kind);
    switch (kind) {
      case 'bitflip':
        for (let k = 1 + int(8); k > 0; k--) {
          const at = int(bytes.byteLength);
          bytes[at]! ^= 1 << int(8);
        }
        break;
      case 'bytes':
        for (let k = 1 + int(4), at = int(bytes.byteLength); k > 0 && at < bytes.byteLength; k--, at++) bytes[at] = int(256);
        break;
      case 'truncate':
        bytes = bytes.slice(0, int(bytes.byteLength));
        break;
      case 'cut': {
        const at = int(bytes.byteLength);
        const len = 1 + int(Math.min(64, bytes.byteLength - at));
        bytes = concatBytes([bytes.subarray(0, at), bytes.subarray(at + len)]);
        break;
      }
      case 'duplicate': {
        const at = int(bytes.byteLength);
        const span = bytes.subarray(at, at + 1 + int(64));
        bytes = concatBytes([bytes.subarray(0, at), span, bytes.subarray(at)]);
        break;
      }
      case 'length': {
        const candidates = lengthOffsets.filter((o) => o < bytes.byteLength);
        const at = candidates.length > 0 && random() < 0.7 ? candidates[int(candidates.length)]! : int(bytes.byteLength);
        writeInteger(bytes, at, random() < 0.8 ? INTERESTING[int(INTERESTING.length)]! : int(2 ** 32), random);
        break;
      }
    }
  }
  return { bytes, applied };
}

/** Overwrites bytes at `at` with `value` as a 4-byte little-endian integer, or as a zigzag varint (thrift compact). */
function writeInteger(bytes: Uint8Array, at: number, value: number, random: () => number): void {
  if (random() < 0.5) {
    for (let k = 0; k < 4 && at + k < bytes.byteLength; k++) bytes[at + k] = (value >>> (8 * k)) & 0xff;
    return;
  }
  let v = BigInt(value) * 2n; // zigzag of a non-negative value
  let k = at;
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if (k < bytes.byteLength) bytes[k++] = v > 0n ? b | 0x80 : b;
  } while (v > 0n && k < bytes.byteLength);
}
