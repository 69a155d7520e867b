import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ByteWriter,
  Coders,
  JsonEncodeError,
  decodeFromBytes,
  encodeToBytes,
  structuralKey,
} from '../../sdk/coders/index.js';

const json = Coders.json();
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const roundTrip = (v: unknown) => decodeFromBytes(json, encodeToBytes(json, v));

describe('tributary:coder:json:v1', () => {
  it('is deterministic and has its documented URN', () => {
    expect(json.urn).toBe('tributary:coder:json:v1');
    expect(json.deterministic).toBe(true);
  });

  it('encodes objects with reordered keys identically, at every depth', () => {
    const a = { b: 1, a: { y: [1, { q: 1, p: 2 }], x: 'x' }, c: null };
    const b = { c: null, a: { x: 'x', y: [1, { p: 2, q: 1 }] }, b: 1 };
    expect(hex(encodeToBytes(json, a))).toBe(hex(encodeToBytes(json, b)));
    expect(structuralKey(json, a)).toBe(structuralKey(json, b));
    // The same shape seen repeatedly (the sort cache) still sorts correctly.
    for (let i = 0; i < 3; i++) {
      expect(hex(encodeToBytes(json, { z: i, a: i }))).toBe(hex(encodeToBytes(json, { a: i, z: i })));
    }
  });

  it('encodes Map entries and Set elements in a canonical order', () => {
    const m1 = new Map<unknown, unknown>([['b', 1], ['a', 2], [3, 'x']]);
    const m2 = new Map<unknown, unknown>([[3, 'x'], ['a', 2], ['b', 1]]);
    expect(hex(encodeToBytes(json, m1))).toBe(hex(encodeToBytes(json, m2)));
    expect(hex(encodeToBytes(json, new Set([3, 1, 2])))).toBe(hex(encodeToBytes(json, new Set([1, 2, 3]))));
    expect(roundTrip(m1)).toEqual(m1);
  });

  it('keeps -0 apart from 0, and NaN and infinities', () => {
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    expect(Object.is(roundTrip(0), 0)).toBe(true);
    expect(hex(encodeToBytes(json, 0))).not.toBe(hex(encodeToBytes(json, -0)));
    expect(roundTrip(NaN)).toBeNaN();
    expect(roundTrip(Infinity)).toBe(Infinity);
    expect(roundTrip(-Infinity)).toBe(-Infinity);
    // Every NaN encodes the same way.
    const otherNaN = new Float64Array(new BigUint64Array([0x7ff0000000000001n]).buffer)[0]!;
    expect(otherNaN).toBeNaN();
    expect(hex(encodeToBytes(json, otherNaN))).toBe(hex(encodeToBytes(json, NaN)));
  });

  it('uses compact encodings', () => {
    expect(hex(encodeToBytes(json, 5))).toBe('85');
    expect(hex(encodeToBytes(json, 300))).toBe('04ac02');
    expect(hex(encodeToBytes(json, -1))).toBe('0501');
    expect(hex(encodeToBytes(json, 'ab'))).toBe('07026162');
    expect(hex(encodeToBytes(json, { b: true, a: null }))).toBe('0902' + '016100' + '016203');
    expect(hex(encodeToBytes(json, 0.5))).toBe('063fe0000000000000');
  });

  it('round-trips nested structures and every supported type', () => {
    const v = {
      n: null,
      u: undefined,
      t: true,
      f: false,
      ints: [0, 127, 128, -128, 2 ** 31, -(2 ** 40), Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 60],
      floats: [0.1, -1.5, 1e300, 5e-324],
      s: ['', 'héllo', '光线', '😀', 'x'.repeat(1000)],
      big: [0n, -123456789012345678901234567890n],
      date: new Date(1_700_000_000_000),
      bytes: new Uint8Array([0, 255, 3]),
      map: new Map<unknown, unknown>([[{ k: 1 }, [1]], ['s', new Set(['a'])]]),
      deep: { a: { b: { c: { d: [[[{}]]] } } } },
      'weird key': 1,
      sparse: [1, , 3],
    };
    const back = roundTrip(v) as typeof v;
    expect(back).toEqual({ ...v, sparse: [1, undefined, 3] });
    expect('u' in back).toBe(true);
    expect(back.date).toBeInstanceOf(Date);
    expect(back.bytes).toBeInstanceOf(Uint8Array);
  });

  it('accepts null-prototype objects and never lets __proto__ become a prototype', () => {
    const o = Object.create(null) as Record<string, unknown>;
    o.x = 1;
    expect(roundTrip(o)).toEqual({ x: 1 });
    const evil = JSON.parse('{"__proto__": {"polluted": true}}') as object;
    const back = roundTrip(evil) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect((back as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(back)).toEqual(['__proto__']);
  });

  it('round-trips arbitrary JSON values (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(roundTrip(v)).toEqual(v);
      }),
    );
  });

  describe('errors name the path of what is not data', () => {
    class Handler {}
    const cyclic: Record<string, unknown> = { a: { b: {} } };
    (cyclic.a as { b: Record<string, unknown> }).b.c = cyclic.a;
    const selfArray: unknown[] = [1];
    selfArray.push(selfArray);
    const cases: [string, unknown, string][] = [
      ['a function', { user: { handler: () => 1 } }, 'cannot encode value at $.user.handler: functions are not data'],
      ['a top-level function', () => 1, 'cannot encode value at $: functions are not data'],
      ['a symbol', { a: [1, Symbol('x')] }, 'cannot encode value at $.a[1]: symbols are not data'],
      [
        'a class instance',
        { 'weird key': new Handler() },
        'cannot encode value at $["weird key"]: instances of Handler are not data (plain objects, arrays, Date, Uint8Array, Map and Set are)',
      ],
      [
        'another typed array',
        { v: new Float64Array(2) },
        'cannot encode value at $.v: instances of Float64Array are not data (plain objects, arrays, Date, Uint8Array, Map and Set are)',
      ],
      [
        'a boxed primitive',
        [new String('x')],
        'cannot encode value at $[0]: instances of String are not data (plain objects, arrays, Date, Uint8Array, Map and Set are)',
      ],
      ['a cycle through objects', cyclic, 'cannot encode value at $.a.b.c: it is a cycle back to $.a'],
      ['a self-containing array', selfArray, 'cannot encode value at $[1]: it is a cycle back to $'],
      ['a function in a Map value', new Map([['k', () => 1]]), 'cannot encode value at $.get("k"): functions are not data'],
      ['a function in a Map key', new Map([[{ f: () => 1 }, 1]]), 'cannot encode value at $.keys()[0].f: functions are not data'],
      ['a symbol in a Set', new Set([1, Symbol('s')]), 'cannot encode value at $.values()[1]: symbols are not data'],
    ];
    it.each(cases)('%s', (_name, value, message) => {
      expect(() => encodeToBytes(json, value)).toThrow(message);
      expect(() => encodeToBytes(json, value)).toThrow(JsonEncodeError);
    });

    it('leaves the writer as it was before the failed value', () => {
      const w = new ByteWriter();
      w.writeByte(9);
      expect(() => json.encode({ a: 1, b: () => 1 }, w, false)).toThrow(JsonEncodeError);
      expect(w.finish()).toEqual(new Uint8Array([9]));
    });

    it('shares objects that are not cycles (a DAG is fine)', () => {
      const shared = { x: 1 };
      expect(roundTrip({ a: shared, b: shared, c: [shared, shared] })).toEqual({ a: { x: 1 }, b: { x: 1 }, c: [{ x: 1 }, { x: 1 }] });
    });
  });

  it('rejects malformed bytes clearly', () => {
    expect(() => decodeFromBytes(json, new Uint8Array([0x7f]))).toThrow('malformed JSON coder bytes: unknown tag 0x7f at offset 0');
    expect(() => decodeFromBytes(json, new Uint8Array([0x07, 0x05, 0x61]))).toThrow(
      'truncated input: reading a JSON string at offset 2 needs 5 bytes, but only 1 remain',
    );
  });
});
