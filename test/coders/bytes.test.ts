import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ByteReader, ByteWriter, TruncatedInputError, varIntSize } from '../../sdk/coders/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s/g, ''), 'hex'));

function written(f: (w: ByteWriter) => void, capacity = 16): Uint8Array {
  const w = new ByteWriter(capacity);
  f(w);
  return w.finish();
}

describe('ByteWriter varints', () => {
  const cases: [number, string][] = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [2 ** 31 - 1, 'ffffffff07'],
    [2 ** 31, '8080808008'],
    [2 ** 32 - 1, 'ffffffff0f'],
    [2 ** 32, '8080808010'],
    [2 ** 53 - 1, 'ffffffffffffff0f'],
    [-1, 'ffffffffffffffffff01'],
    [-2, 'feffffffffffffffff01'],
    [-(2 ** 31), '80808080f8ffffffff01'],
    [-(2 ** 53) + 1, '81808080808080f0ff01'],
  ];
  it.each(cases)('writes %d as %s and reads it back', (n, h) => {
    const b = written((w) => w.writeVarInt(n));
    expect(hex(b)).toBe(h);
    expect(new ByteReader(b).readVarInt()).toBe(n);
  });

  it('matches the bigint encoding for the int64 extremes', () => {
    const min = written((w) => w.writeVarBigInt(-(1n << 63n)));
    expect(hex(min)).toBe('80808080808080808001');
    expect(new ByteReader(min).readVarBigInt()).toBe(-(1n << 63n));
    const max = written((w) => w.writeVarBigInt((1n << 63n) - 1n));
    expect(hex(max)).toBe('ffffffffffffffff7f');
    expect(new ByteReader(max).readVarBigInt()).toBe((1n << 63n) - 1n);
    expect(hex(written((w) => w.writeVarBigInt(-1n)))).toBe('ffffffffffffffffff01');
  });

  it('round-trips every safe integer it is given (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (n) => {
        const b = written((w) => w.writeVarInt(n));
        expect(b.length).toBe(n < 0 ? 10 : varIntSize(n));
        const r = new ByteReader(b);
        expect(r.readVarInt()).toBe(n);
        expect(r.remaining).toBe(0);
        expect(new ByteReader(b).readVarBigInt()).toBe(BigInt(n));
        expect(b).toEqual(written((w) => w.writeVarBigInt(BigInt(n))));
      }),
    );
  });

  it('refuses non-integers and values outside int64', () => {
    expect(() => new ByteWriter().writeVarInt(1.5)).toThrow('cannot write 1.5 as a varint: not an integer');
    expect(() => new ByteWriter().writeVarInt(NaN)).toThrow('cannot write NaN as a varint: not an integer');
    expect(() => new ByteWriter().writeVarInt(2 ** 64)).toThrow('outside the int64 range');
    expect(() => new ByteWriter().writeVarBigInt(1n << 64n)).toThrow('outside the 64-bit range');
  });

  it('rejects a varint longer than ten bytes', () => {
    expect(() => new ByteReader(bytes('ffffffffffffffffffff01')).readVarInt()).toThrow(/malformed a varint.*more than 10 bytes/);
  });
});

describe('ByteWriter fixed-width numbers and strings', () => {
  it('writes big-endian ints and doubles', () => {
    expect(hex(written((w) => w.writeInt32BE(-2)))).toBe('fffffffe');
    expect(hex(written((w) => w.writeUint32BE(0xdeadbeef)))).toBe('deadbeef');
    expect(hex(written((w) => w.writeInt16BE(-2)))).toBe('fffe');
    expect(hex(written((w) => w.writeInt64BE(-2)))).toBe('fffffffffffffffe');
    expect(hex(written((w) => w.writeInt64BE(2 ** 40 + 5)))).toBe('0000010000000005');
    expect(hex(written((w) => w.writeInt64BE(-(2n ** 63n))))).toBe('8000000000000000');
    expect(hex(written((w) => w.writeDouble(0.1)))).toBe('3fb999999999999a');
    expect(hex(written((w) => w.writeFloat32(1.5)))).toBe('3fc00000');
    const r = new ByteReader(bytes('fffffffe fffe fffffffffffffffe 3fb999999999999a 3fc00000'));
    expect([r.readInt32BE(), r.readInt16BE(), r.readInt64BE(), r.readDouble(), r.readFloat32()]).toEqual([-2, -2, -2, 0.1, 1.5]);
  });

  it.each([
    ['', ''],
    ['abc', '616263'],
    ['ÿ', 'c3bf'],
    ['光线', 'e58589e7babf'],
    ['😀', 'f09f9880'],
    ['a😀b', '61f09f988062'],
  ])('encodes %j as UTF-8', (s, h) => {
    expect(hex(written((w) => w.writeUtf8(s)))).toBe(h);
    const b = bytes(h);
    expect(new ByteReader(b).readUtf8(b.length)).toBe(s);
  });

  it('writes correct length prefixes around the one-byte boundary and for long text', () => {
    for (const s of ['x'.repeat(42), 'x'.repeat(43), 'x'.repeat(127), 'x'.repeat(128), 'é'.repeat(63), 'é'.repeat(64), 'é'.repeat(5000), '光'.repeat(30000), `${'a'.repeat(100)}é${'b'.repeat(30)}`]) {
      const b = written((w) => w.writeLengthPrefixedUtf8(s), 16);
      const utf8 = Buffer.from(s, 'utf8');
      const r = new ByteReader(b);
      expect(r.readVarInt()).toBe(utf8.length);
      expect(r.readUtf8(r.remaining)).toBe(s);
      expect(b.length).toBe(varIntSize(utf8.length) + utf8.length);
    }
  });

  it('round-trips arbitrary strings (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const b = written((w) => w.writeLengthPrefixedUtf8(s), 16);
        const r = new ByteReader(b);
        const n = r.readVarInt();
        expect(Buffer.from(b.subarray(b.length - n)).equals(Buffer.from(s, 'utf8'))).toBe(true);
      }),
    );
  });

  it('grows from a tiny buffer, and finish() returns an independent copy', () => {
    const w = new ByteWriter(1);
    for (let i = 0; i < 1000; i++) w.writeByte(i & 0xff);
    w.writeBytes(new Uint8Array(5000).fill(7));
    const a = w.finish();
    expect(a.length).toBe(6000);
    expect(a[999]).toBe(999 & 0xff);
    w.reset();
    w.writeByte(42);
    expect(a[0]).toBe(0);
    expect(w.finish()).toEqual(new Uint8Array([42]));
  });

  it('fills a reserved length prefix, moving the content when it needs several bytes', () => {
    for (const n of [0, 5, 127, 128, 20000]) {
      const w = new ByteWriter(4);
      w.writeByte(0xaa);
      const mark = w.reserveLengthPrefix();
      w.writeBytes(new Uint8Array(n).fill(1));
      w.fillLengthPrefix(mark);
      w.writeByte(0xbb);
      const r = new ByteReader(w.finish());
      expect(r.readByte()).toBe(0xaa);
      expect(r.readVarInt()).toBe(n);
      expect(r.readBytes(n)).toEqual(new Uint8Array(n).fill(1));
      expect(r.readByte()).toBe(0xbb);
      expect(r.remaining).toBe(0);
    }
  });

  it('truncates back to a mark', () => {
    const w = new ByteWriter();
    w.writeBytes(bytes('010203'));
    w.truncate(1);
    expect(hex(w.finish())).toBe('01');
    expect(() => w.truncate(5)).toThrow('cannot truncate to 5: only 1 bytes written');
  });
});

describe('ByteReader on truncated input', () => {
  it('names what was being read, where, and what was missing', () => {
    expect(() => new ByteReader(bytes('0102')).readDouble()).toThrow(
      'truncated input: reading a double at offset 0 needs 8 bytes, but only 2 remain',
    );
    expect(() => new ByteReader(new Uint8Array()).readByte()).toThrow(TruncatedInputError);
    expect(() => new ByteReader(new Uint8Array()).readByte()).toThrow(RangeError);
    expect(() => new ByteReader(bytes('000000')).readInt32BE('the element count')).toThrow(
      'truncated input: reading the element count at offset 0 needs 4 bytes, but only 3 remain',
    );
    expect(() => new ByteReader(bytes('ff')).readVarInt()).toThrow(
      'truncated input: reading a varint (its continuation byte) at offset 1 needs 1 byte, but only 0 remain',
    );
    expect(() => new ByteReader(bytes('ffffffffff')).readVarInt()).toThrow(/truncated input: reading a varint/);
    expect(() => new ByteReader(bytes('6162')).readUtf8(3)).toThrow(
      'truncated input: reading a UTF-8 string at offset 0 needs 3 bytes, but only 2 remain',
    );
    expect(() => new ByteReader(bytes('61')).readBytes(2, 'a byte array of length 2')).toThrow(
      'truncated input: reading a byte array of length 2 at offset 0 needs 2 bytes, but only 1 remain',
    );
    for (const read of ['readInt16BE', 'readUint32BE', 'readInt64BE', 'readBigInt64BE', 'readBigUint64BE', 'readFloat32'] as const) {
      expect(() => new ByteReader(bytes('01'))[read]()).toThrow(TruncatedInputError);
    }
  });

  it('reads within a window of a larger buffer', () => {
    const buf = bytes('ff 0103 ff');
    const r = new ByteReader(buf.subarray(1, 3));
    expect(r.readInt16BE()).toBe(0x0103);
    expect(r.remaining).toBe(0);
    const r2 = new ByteReader(buf, 1, 2);
    expect(r2.readByte()).toBe(1);
    expect(() => r2.readByte()).toThrow(TruncatedInputError);
  });

  it('decodes invalid UTF-8 with replacement characters, like Beam', () => {
    const b = bytes('61ff62');
    expect(new ByteReader(b).readUtf8(3)).toBe('a\ufffdb');
  });
});
