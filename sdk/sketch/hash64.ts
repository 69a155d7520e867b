/**
 * A 64-bit hash of a value as two 32-bit halves, for sketches: MurmurHash3's 32-bit mixing
 * (Austin Appleby's public-domain algorithm) run twice with different seeds, over the value's
 * canonical form — UTF-16 code units of a string, the IEEE-754 bits of a number (so 1 and 1.0
 * agree and -0 is 0), the bytes of a Uint8Array, the decimal text of a bigint. Each type is
 * salted so `"1"`, `1` and `1n` hash apart.
 */
export type Hashable = string | number | bigint | Uint8Array;

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const SEED_HI = 0x9747b28c;
const SEED_LO = 0x5bd1e995;

const floatView = new Float64Array(1);
const wordsOfFloat = new Uint32Array(floatView.buffer);

function mixWord(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashString(s: string, seed: number): number {
  let h = seed;
  const n = s.length;
  let i = 0;
  for (; i + 1 < n; i += 2) h = mixWord(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < n) h = mixWord(h, s.charCodeAt(i));
  return finish(h, n * 2);
}

function hashBytes(b: Uint8Array, seed: number): number {
  let h = seed;
  const n = b.length;
  let i = 0;
  for (; i + 3 < n; i += 4) h = mixWord(h, b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24));
  let tail = 0;
  for (let s = 0; i < n; i++, s += 8) tail |= b[i]! << s;
  if (n % 4 !== 0) h = mixWord(h, tail);
  return finish(h, n);
}

function hashNumber(x: number, seed: number): number {
  floatView[0] = x === 0 ? 0 : x; // -0 is 0
  return finish(mixWord(mixWord(seed, wordsOfFloat[0]!), wordsOfFloat[1]!), 8);
}

/** The two halves of `value`'s 64-bit hash, written to `out` (no allocation per call). */
export function hash64(value: Hashable, out: Uint32Array): void {
  switch (typeof value) {
    case 'string':
      out[0] = hashString(value, SEED_HI);
      out[1] = hashString(value, SEED_LO ^ 0x1);
      return;
    case 'number':
      out[0] = hashNumber(value, SEED_HI ^ 0x2);
      out[1] = hashNumber(value, SEED_LO ^ 0x2);
      return;
    case 'bigint': {
      const text = value.toString();
      out[0] = hashString(text, SEED_HI ^ 0x3);
      out[1] = hashString(text, SEED_LO ^ 0x3);
      return;
    }
    default:
      if (!(value instanceof Uint8Array)) throw new TypeError(`cannot hash a ${typeof value} for a sketch: map it to a string, number, bigint or bytes first`);
      out[0] = hashBytes(value, SEED_HI ^ 0x4);
      out[1] = hashBytes(value, SEED_LO ^ 0x4);
  }
}
