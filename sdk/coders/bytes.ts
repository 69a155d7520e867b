/**
 * The byte streams coders write to and read from. Both are on the hot path of every shuffle, so
 * they avoid per-call allocation: the writer grows one preallocated buffer (doubling), numbers go
 * through a single DataView, short strings are encoded by hand and long ones with
 * `TextEncoder.encodeInto`.
 *
 * Varints are Beam's: little-endian base-128 of the 64-bit two's complement value, so a negative
 * number takes ten bytes (-1 → `ff ff ff ff ff ff ff ff ff 01`). JavaScript numbers are exact for
 * |n| ≤ 2^53; `writeVarBigInt`/`readVarBigInt` carry the full int64 range.
 */

const TWO_32 = 4294967296;
const TWO_63 = 1n << 63n;
const TWO_64 = 1n << 64n;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

/** Raised when a reader runs past the end of its input. Names what was being read. */
export class TruncatedInputError extends RangeError {
  constructor(what: string, needed: number, offset: number, remaining: number) {
    super(
      `truncated input: reading ${what} at offset ${offset} needs ${needed} byte${needed === 1 ? '' : 's'}, ` +
        `but only ${remaining} remain`,
    );
    this.name = 'TruncatedInputError';
  }
}

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  /** Number of bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** Forgets what was written; keeps the buffer for reuse. */
  reset(): this {
    this.pos = 0;
    return this;
  }

  /** Drops everything written after `length` bytes (to undo a partly written value). */
  truncate(length: number): void {
    if (length < 0 || length > this.pos) throw new RangeError(`cannot truncate to ${length}: only ${this.pos} bytes written`);
    this.pos = length;
  }

  /** A copy of the bytes written, safe to keep after further writes or a reset. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** The bytes written, without copying: valid only until the next write or reset. */
  bytesView(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  writeByte(b: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = b;
  }

  writeBytes(bytes: Uint8Array): void {
    const n = bytes.length;
    if (this.pos + n > this.buf.length) this.ensure(n);
    if (n < 16) {
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) buf[p++] = bytes[i]!;
      this.pos = p;
    } else {
      this.buf.set(bytes, this.pos);
      this.pos += n;
    }
  }

  /**
   * A varint of an integer JS number: non-negative values as unsigned base-128, negative values
   * as their 64-bit two's complement (ten bytes). Exact for |n| ≤ 2^53 (and for every integer
   * double in the int64 range).
   */
  writeVarInt(n: number): void {
    if (n >>> 0 === n) {
      if (this.pos + 5 > this.buf.length) this.ensure(5);
      const buf = this.buf;
      let p = this.pos;
      while (n > 0x7f) {
        buf[p++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
      buf[p++] = n;
      this.pos = p;
      return;
    }
    if (!Number.isInteger(n)) {
      throw new RangeError(`cannot write ${n} as a varint: not an integer`);
    }
    if (n >= 9223372036854775808 || n < -9223372036854775808) {
      throw new RangeError(`cannot write ${n} as a varint: outside the int64 range`);
    }
    let hi: number;
    let lo: number;
    if (n > 0) {
      lo = n % TWO_32;
      hi = (n - lo) / TWO_32;
    } else {
      hi = Math.floor(n / TWO_32);
      lo = n - hi * TWO_32;
      hi = hi >>> 0;
    }
    this.writeVarInt64(lo >>> 0, hi >>> 0);
  }

  /** A varint of a bigint in the int64 (or uint64) range. */
  writeVarBigInt(n: bigint): void {
    if (n < -TWO_63 || n >= TWO_64) {
      throw new RangeError(`cannot write ${n} as a varint: outside the 64-bit range`);
    }
    const u = n < 0n ? n + TWO_64 : n;
    this.writeVarInt64(Number(u & 0xffffffffn), Number(u >> 32n));
  }

  /** A varint of the 64-bit value `hi:lo` (both unsigned 32-bit halves). */
  writeVarInt64(lo: number, hi: number): void {
    if (this.pos + 10 > this.buf.length) this.ensure(10);
    const buf = this.buf;
    let p = this.pos;
    while (hi !== 0 || lo > 0x7f) {
      buf[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi = hi >>> 7;
    }
    buf[p++] = lo;
    this.pos = p;
  }

  /**
   * Starts a varint length prefix whose value is not known yet: reserves one byte and returns a
   * mark for `fillLengthPrefix`, which writes the length of everything written in between
   * (moving it when the varint needs more than one byte). Avoids encoding into a temporary buffer.
   */
  reserveLengthPrefix(): number {
    if (this.pos >= this.buf.length) this.ensure(1);
    return this.pos++;
  }

  fillLengthPrefix(mark: number): void {
    const n = this.pos - mark - 1;
    if (n < 0x80) {
      this.buf[mark] = n;
      return;
    }
    const size = varIntSize(n);
    this.ensure(size - 1);
    this.buf.copyWithin(mark + size, mark + 1, this.pos);
    const end = this.pos + size - 1;
    this.pos = mark;
    this.writeVarInt(n);
    this.pos = end;
  }

  writeInt16BE(n: number): void {
    if (this.pos + 2 > this.buf.length) this.ensure(2);
    this.view.setInt16(this.pos, n);
    this.pos += 2;
  }

  writeInt32BE(n: number): void {
    if (this.pos + 4 > this.buf.length) this.ensure(4);
    this.view.setInt32(this.pos, n);
    this.pos += 4;
  }

  writeUint32BE(n: number): void {
    if (this.pos + 4 > this.buf.length) this.ensure(4);
    this.view.setUint32(this.pos, n);
    this.pos += 4;
  }

  /** A big-endian int64 of an integer JS number (exact for |n| ≤ 2^53) or a bigint. */
  writeInt64BE(n: number | bigint): void {
    if (this.pos + 8 > this.buf.length) this.ensure(8);
    if (typeof n === 'bigint') {
      this.view.setBigInt64(this.pos, n);
    } else {
      if (!Number.isInteger(n)) throw new RangeError(`cannot write ${n} as an int64: not an integer`);
      const hi = Math.floor(n / TWO_32);
      this.view.setInt32(this.pos, hi);
      this.view.setUint32(this.pos + 4, n - hi * TWO_32);
    }
    this.pos += 8;
  }

  /** A big-endian uint64 of a bigint. */
  writeUint64BE(n: bigint): void {
    if (this.pos + 8 > this.buf.length) this.ensure(8);
    this.view.setBigUint64(this.pos, n);
    this.pos += 8;
  }

  writeDouble(n: number): void {
    if (this.pos + 8 > this.buf.length) this.ensure(8);
    this.view.setFloat64(this.pos, n);
    this.pos += 8;
  }

  writeFloat32(n: number): void {
    if (this.pos + 4 > this.buf.length) this.ensure(4);
    this.view.setFloat32(this.pos, n);
    this.pos += 4;
  }

  /** The UTF-8 bytes of `s` (no length); returns the number of bytes written. */
  writeUtf8(s: string): number {
    const len = s.length;
    // Worst case: 3 bytes per UTF-16 code unit.
    if (this.pos + len * 3 > this.buf.length) this.ensure(len * 3);
    const start = this.pos;
    if (len < 48) {
      const buf = this.buf;
      let p = start;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (i === len) {
        this.pos = p;
        return p - start;
      }
      const r = encoder.encodeInto(i === 0 ? s : s.slice(i), buf.subarray(p));
      this.pos = p + r.written;
      return this.pos - start;
    }
    const r = encoder.encodeInto(s, this.buf.subarray(start));
    this.pos = start + r.written;
    return r.written;
  }

  /** A varint byte length followed by the UTF-8 bytes of `s` (Beam's nested string). */
  writeLengthPrefixedUtf8(s: string): void {
    const len = s.length;
    const max = len * 3;
    if (max < 0x80) {
      // The length fits one varint byte whatever the content.
      if (this.pos + 1 + max > this.buf.length) this.ensure(1 + max);
      const lenPos = this.pos++;
      const n = this.writeUtf8(s);
      this.buf[lenPos] = n;
      return;
    }
    // Reserve room for the largest possible length prefix, then close the gap if it was smaller.
    const reserve = varIntSize(max);
    if (this.pos + reserve + max > this.buf.length) this.ensure(reserve + max);
    const lenPos = this.pos;
    this.pos += reserve;
    const n = this.writeUtf8(s);
    const actual = varIntSize(n);
    if (actual !== reserve) {
      this.buf.copyWithin(lenPos + actual, lenPos + reserve, lenPos + reserve + n);
    }
    this.pos = lenPos;
    this.writeVarInt(n);
    this.pos = lenPos + actual + n;
  }
}

/** The number of bytes of the varint of a non-negative integer below 2^53. */
export function varIntSize(n: number): number {
  if (n < 0) return 10;
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

export class ByteReader {
  private readonly buf: Uint8Array;
  private dataView: DataView | undefined;
  private pos: number;
  private readonly end: number;

  constructor(bytes: Uint8Array, offset = 0, end = bytes.length) {
    if (offset < 0 || end > bytes.length || offset > end) {
      throw new RangeError(`cannot read bytes ${offset}..${end} of a ${bytes.length}-byte array`);
    }
    this.buf = bytes;
    this.pos = offset;
    this.end = end;
  }

  /** Created on first use: many readers only ever read varints and strings. */
  private get view(): DataView {
    return (this.dataView ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength));
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.end - this.pos;
  }

  get position(): number {
    return this.pos;
  }

  /** Moves the read position (for re-reading a field with another method). */
  seek(position: number): void {
    if (position < 0 || position > this.end) {
      throw new RangeError(`cannot seek to ${position}: input has ${this.end} bytes`);
    }
    this.pos = position;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  private truncated(what: string, needed: number): never {
    throw new TruncatedInputError(what, needed, this.pos, this.end - this.pos);
  }

  readByte(what = 'a byte'): number {
    if (this.pos >= this.end) this.truncated(what, 1);
    return this.buf[this.pos++]!;
  }

  /** A copy of the next `n` bytes. */
  readBytes(n: number, what = 'bytes'): Uint8Array {
    if (n < 0 || this.pos + n > this.end) this.truncated(what, n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** The next `n` bytes without copying (a view into the input). */
  readBytesView(n: number, what = 'bytes'): Uint8Array {
    if (n < 0 || this.pos + n > this.end) this.truncated(what, n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Everything left, copied. */
  readRest(): Uint8Array {
    const out = this.buf.slice(this.pos, this.end);
    this.pos = this.end;
    return out;
  }

  /** A Beam varint as a JS number: exact for |n| ≤ 2^53, the nearest double beyond. */
  readVarInt(what = 'a varint'): number {
    const buf = this.buf;
    const end = this.end;
    let p = this.pos;
    if (p >= end) this.truncated(what, 1);
    let b = buf[p++]!;
    if (b < 0x80) {
      this.pos = p;
      return b;
    }
    let lo = b & 0x7f;
    for (let shift = 7; shift < 28; shift += 7) {
      if (p >= end) this.truncatedVarInt(what, p);
      b = buf[p++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = p;
        return lo;
      }
    }
    if (p >= end) this.truncatedVarInt(what, p);
    b = buf[p++]!;
    lo = (lo | ((b & 0x0f) << 28)) >>> 0;
    let hi = (b & 0x7f) >> 4;
    if (b < 0x80) {
      this.pos = p;
      return hi * TWO_32 + lo;
    }
    for (let shift = 3; shift < 32; shift += 7) {
      if (p >= end) this.truncatedVarInt(what, p);
      b = buf[p++]!;
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = p;
        return (hi | 0) * TWO_32 + lo;
      }
    }
    this.pos = p;
    throw new RangeError(`malformed ${what} at offset ${p - 10}: more than 10 bytes`);
  }

  private truncatedVarInt(what: string, p: number): never {
    this.pos = p;
    throw new TruncatedInputError(`${what} (its continuation byte)`, 1, p, 0);
  }

  /** A Beam varint as an exact signed int64 bigint. */
  readVarBigInt(what = 'a varint'): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.truncated(what, 1);
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asIntN(64, result);
      shift += 7n;
    }
    throw new RangeError(`malformed ${what} at offset ${this.pos - 10}: more than 10 bytes`);
  }

  readInt16BE(what = 'an int16'): number {
    if (this.pos + 2 > this.end) this.truncated(what, 2);
    const v = this.view.getInt16(this.pos);
    this.pos += 2;
    return v;
  }

  readInt32BE(what = 'an int32'): number {
    const p = this.pos;
    if (p + 4 > this.end) this.truncated(what, 4);
    const b = this.buf;
    this.pos = p + 4;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }

  readUint32BE(what = 'a uint32'): number {
    const p = this.pos;
    if (p + 4 > this.end) this.truncated(what, 4);
    const b = this.buf;
    this.pos = p + 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  /** A big-endian int64 as a JS number (exact for |n| ≤ 2^53). */
  readInt64BE(what = 'an int64'): number {
    if (this.pos + 8 > this.end) this.truncated(what, 8);
    const hi = this.view.getInt32(this.pos);
    const lo = this.view.getUint32(this.pos + 4);
    this.pos += 8;
    return hi * TWO_32 + lo;
  }

  readBigInt64BE(what = 'an int64'): bigint {
    if (this.pos + 8 > this.end) this.truncated(what, 8);
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }

  readBigUint64BE(what = 'a uint64'): bigint {
    if (this.pos + 8 > this.end) this.truncated(what, 8);
    const v = this.view.getBigUint64(this.pos);
    this.pos += 8;
    return v;
  }

  readDouble(what = 'a double'): number {
    if (this.pos + 8 > this.end) this.truncated(what, 8);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  readFloat32(what = 'a float'): number {
    if (this.pos + 4 > this.end) this.truncated(what, 4);
    const v = this.view.getFloat32(this.pos);
    this.pos += 4;
    return v;
  }

  /** `n` bytes decoded as UTF-8 (invalid sequences become U+FFFD, as in Beam). */
  readUtf8(n: number, what = 'a UTF-8 string'): string {
    if (n < 0 || this.pos + n > this.end) this.truncated(what, n);
    const buf = this.buf;
    const start = this.pos;
    this.pos += n;
    if (n < 32) {
      let s = '';
      for (let i = start, e = start + n; i < e; i++) {
        const c = buf[i]!;
        if (c >= 0x80) return decoder.decode(buf.subarray(start, start + n));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return decoder.decode(buf.subarray(start, start + n));
  }
}
