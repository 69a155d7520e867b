/**
 * Golden bytes for every tag of `tributary:coder:json:v1`, worked out by hand from the byte
 * format documented in sdk/coders/json.ts (not captured from the coder). These bytes live in
 * checkpoints and splittable restrictions: if one changes, a checkpoint written before the change
 * no longer restores. A format change therefore needs a new URN version (`...:json:v2`) and a new
 * golden table beside this one; the version test below fails until both exist.
 */
import { describe, expect, it } from 'vitest';
import { Coders, decodeFromBytes, encodeToBytes } from '../../sdk/coders/index.js';

const json = Coders.json();
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

interface Golden {
  readonly name: string;
  /** The tag byte the vector exercises (its first byte). */
  readonly tag: number;
  readonly value: unknown;
  readonly bytes: string;
}

/** Golden vectors, by format version. Add a table for a new version; never edit an old one. */
const GOLDEN: Record<string, readonly Golden[]> = {
  'tributary:coder:json:v1': [
    { name: 'fixint 0', tag: 0x80, value: 0, bytes: '80' },
    { name: 'fixint 127', tag: 0x80, value: 127, bytes: 'ff' },
    { name: 'null', tag: 0x00, value: null, bytes: '00' },
    { name: 'undefined', tag: 0x01, value: undefined, bytes: '01' },
    { name: 'false', tag: 0x02, value: false, bytes: '02' },
    { name: 'true', tag: 0x03, value: true, bytes: '03' },
    // 128 = 0b1_0000000: low group 0 with the continuation bit, then 1.
    { name: 'positive int 128', tag: 0x04, value: 128, bytes: '048001' },
    // 2^40: five zero groups of 7 bits (35 bits), then 2^5 = 0x20.
    { name: 'positive int 2^40', tag: 0x04, value: 2 ** 40, bytes: '04' + '8080808080' + '20' },
    { name: 'max safe integer', tag: 0x04, value: Number.MAX_SAFE_INTEGER, bytes: '04ffffffffffffff0f' },
    { name: 'negative int -1', tag: 0x05, value: -1, bytes: '0501' },
    { name: 'negative int -128', tag: 0x05, value: -128, bytes: '058001' },
    { name: 'negative zero', tag: 0x06, value: -0, bytes: '068000000000000000' },
    { name: 'fraction 1.5', tag: 0x06, value: 1.5, bytes: '063ff8000000000000' },
    { name: 'NaN', tag: 0x06, value: NaN, bytes: '067ff8000000000000' },
    { name: 'Infinity', tag: 0x06, value: Infinity, bytes: '067ff0000000000000' },
    { name: '-Infinity', tag: 0x06, value: -Infinity, bytes: '06fff0000000000000' },
    // 2^60 is an integer but not a safe one: a double, exponent 1023 + 60 = 0x43b.
    { name: 'unsafe integer 2^60', tag: 0x06, value: 2 ** 60, bytes: '0643b0000000000000' },
    { name: 'empty string', tag: 0x07, value: '', bytes: '0700' },
    { name: 'string ab', tag: 0x07, value: 'ab', bytes: '07026162' },
    { name: 'string é (two UTF-8 bytes)', tag: 0x07, value: 'é', bytes: '0702c3a9' },
    { name: 'empty array', tag: 0x08, value: [], bytes: '0800' },
    { name: 'array [1, "a"]', tag: 0x08, value: [1, 'a'], bytes: '0802' + '81' + '070161' },
    // eslint-disable-next-line no-sparse-arrays
    { name: 'array with a hole', tag: 0x08, value: [1, , 3], bytes: '0803' + '81' + '01' + '83' },
    { name: 'empty object', tag: 0x09, value: {}, bytes: '0900' },
    // Keys in sorted order: a before b, whatever order they were written in.
    { name: 'object {b: true, a: null}', tag: 0x09, value: { b: true, a: null }, bytes: '0902' + '0161' + '00' + '0162' + '03' },
    { name: 'object with a nested array', tag: 0x09, value: { k: [2] }, bytes: '0901' + '016b' + '0801' + '82' },
    { name: 'bigint 5', tag: 0x0a, value: 5n, bytes: '0a0135' },
    { name: 'bigint -12', tag: 0x0a, value: -12n, bytes: '0a032d3132' },
    { name: 'Date epoch', tag: 0x0b, value: new Date(0), bytes: '0b0000000000000000' },
    // 1000 = 1.953125 × 2^9: exponent 1032 = 0x408, mantissa 0.953125 = 0xf4 / 0x100.
    { name: 'Date 1000 ms', tag: 0x0b, value: new Date(1000), bytes: '0b408f400000000000' },
    { name: 'bytes', tag: 0x0c, value: new Uint8Array([0, 255]), bytes: '0c0200ff' },
    { name: 'empty bytes', tag: 0x0c, value: new Uint8Array([]), bytes: '0c00' },
    // Entries sorted by the key's encoding: 'a' (070161) before 'b' (070162).
    { name: 'Map', tag: 0x0d, value: new Map([['b', 1], ['a', 2]]), bytes: '0d02' + '070161' + '82' + '070162' + '81' },
    // Mixed keys: the string 'a' (07...) sorts before the fixint 3 (83).
    { name: 'Map with mixed keys', tag: 0x0d, value: new Map<unknown, unknown>([[3, 'x'], ['a', null]]), bytes: '0d02' + '070161' + '00' + '83' + '070178' },
    { name: 'Set', tag: 0x0e, value: new Set([3, 1]), bytes: '0e02' + '81' + '83' },
    { name: 'empty Set', tag: 0x0e, value: new Set(), bytes: '0e00' },
  ],
};

/** Every tag the v1 format defines (0x80 stands for the fixints 0x80..0xff). */
const V1_TAGS = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x80];

describe('tributary:coder:json:v1 golden bytes', () => {
  it('has a golden table for the version the coder says it writes (a format change needs a new version)', () => {
    expect(Object.keys(GOLDEN)).toContain(json.urn);
  });

  it('covers every tag of the v1 format', () => {
    const covered = [...new Set(GOLDEN['tributary:coder:json:v1']!.map((g) => g.tag))].sort((a, b) => a - b);
    expect(covered).toEqual(V1_TAGS);
    for (const g of GOLDEN['tributary:coder:json:v1']!) {
      const first = Number.parseInt(g.bytes.slice(0, 2), 16);
      expect(g.tag === 0x80 ? first >= 0x80 : first === g.tag, g.name).toBe(true);
    }
  });

  for (const [urn, vectors] of Object.entries(GOLDEN)) {
    describe(urn, () => {
      for (const g of vectors) {
        // Only the current version is written; older tables stay for the decoder.
        if (urn === json.urn) {
          it(`encodes ${g.name} as ${g.bytes}`, () => {
            expect(hex(encodeToBytes(json, g.value))).toBe(g.bytes);
          });
        }
        it(`decodes ${g.bytes} as ${g.name}`, () => {
          const back = decodeFromBytes(json, unhex(g.bytes));
          if (typeof g.value === 'number' && Number.isNaN(g.value)) expect(back).toBeNaN();
          else if (Object.is(g.value, -0)) expect(Object.is(back, -0)).toBe(true);
          else expect(back).toEqual(g.value);
          // The decoded type is the encoded one (a Set must not come back as a Map or an array).
          if (g.value instanceof Map) expect(back).toBeInstanceOf(Map);
          if (g.value instanceof Set) expect(back).toBeInstanceOf(Set);
          if (g.value instanceof Date) expect(back).toBeInstanceOf(Date);
          if (g.value instanceof Uint8Array) expect(back).toBeInstanceOf(Uint8Array);
          if (Array.isArray(g.value)) expect(Array.isArray(back)).toBe(true);
        });
      }
    });
  }

  it('nests: the bytes of a value inside a container are its top-level bytes', () => {
    // [Map{'a' -> Set{1}}, 2^40]
    const v = [new Map([['a', new Set([1])]]), 2 ** 40];
    expect(hex(encodeToBytes(json, v))).toBe('0802' + '0d01' + '070161' + '0e01' + '81' + '04808080808020');
  });
});
