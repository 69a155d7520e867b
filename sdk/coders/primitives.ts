/**
 * Beam's atomic standard coders: bytes, bool, string_utf8, varint and double.
 *
 * - bytes / string_utf8: outer context = the raw bytes to the end of the buffer; nested = varint
 *   byte length, then the bytes.
 * - bool: one byte, 0 or 1.
 * - varint: Beam's base-128 varint of the int64 two's complement (negative values take ten
 *   bytes). Decodes to a JS number (exact for |n| ≤ 2^53); encodes numbers and bigints.
 * - double: 8 bytes, IEEE 754 big-endian. Like Beam, not deterministic (−0 and 0 are equal
 *   numbers with different bytes, NaN has many encodings), so it cannot be a GroupByKey key coder.
 */
import type { ByteReader, ByteWriter } from './bytes.js';
import type { Coder } from './coder.js';
import { CoderUrns } from './urns.js';

const NO_COMPONENTS: readonly Coder<unknown>[] = Object.freeze([]);

export class BytesCoder implements Coder<Uint8Array> {
  static readonly INSTANCE = new BytesCoder();
  readonly urn = CoderUrns.BYTES;
  readonly components = NO_COMPONENTS;
  readonly deterministic = true;
  encode(value: Uint8Array, out: ByteWriter, nested: boolean): void {
    if (!(value instanceof Uint8Array)) {
      throw new TypeError(`bytes coder cannot encode ${describeValue(value)}: expected a Uint8Array`);
    }
    if (nested) out.writeVarInt(value.length);
    out.writeBytes(value);
  }
  decode(input: ByteReader, nested: boolean): Uint8Array {
    if (!nested) return input.readRest();
    const n = input.readVarInt('the length of a byte array');
    return input.readBytes(n, `a byte array of length ${n}`);
  }
}

export class BoolCoder implements Coder<boolean> {
  static readonly INSTANCE = new BoolCoder();
  readonly urn = CoderUrns.BOOL;
  readonly components = NO_COMPONENTS;
  readonly deterministic = true;
  encode(value: boolean, out: ByteWriter): void {
    if (typeof value !== 'boolean') {
      throw new TypeError(`bool coder cannot encode ${describeValue(value)}: expected a boolean`);
    }
    out.writeByte(value ? 1 : 0);
  }
  decode(input: ByteReader): boolean {
    const b = input.readByte('a bool');
    if (b === 0) return false;
    if (b === 1) return true;
    throw new RangeError(`malformed bool: byte ${b} at offset ${input.position - 1} is neither 0 nor 1`);
  }
}

export class StringUtf8Coder implements Coder<string> {
  static readonly INSTANCE = new StringUtf8Coder();
  readonly urn = CoderUrns.STRING_UTF8;
  readonly components = NO_COMPONENTS;
  readonly deterministic = true;
  encode(value: string, out: ByteWriter, nested: boolean): void {
    if (typeof value !== 'string') {
      throw new TypeError(`string_utf8 coder cannot encode ${describeValue(value)}: expected a string`);
    }
    if (nested) out.writeLengthPrefixedUtf8(value);
    else out.writeUtf8(value);
  }
  decode(input: ByteReader, nested: boolean): string {
    if (!nested) return input.readUtf8(input.remaining);
    const n = input.readVarInt('the length of a string');
    return input.readUtf8(n, `a string of ${n} UTF-8 bytes`);
  }
}

export class VarIntCoder implements Coder<number> {
  static readonly INSTANCE = new VarIntCoder();
  readonly urn = CoderUrns.VARINT;
  readonly components = NO_COMPONENTS;
  readonly deterministic = true;
  encode(value: number | bigint, out: ByteWriter): void {
    if (typeof value === 'number') {
      if (value >>> 0 === value || Number.isInteger(value)) {
        out.writeVarInt(value);
        return;
      }
      throw new RangeError(`varint coder cannot encode ${value}: not an integer`);
    }
    if (typeof value === 'bigint') {
      out.writeVarBigInt(value);
      return;
    }
    throw new TypeError(`varint coder cannot encode ${describeValue(value)}: expected an integer number or bigint`);
  }
  decode(input: ByteReader): number {
    return input.readVarInt();
  }
}

export class DoubleCoder implements Coder<number> {
  static readonly INSTANCE = new DoubleCoder();
  readonly urn = CoderUrns.DOUBLE;
  readonly components = NO_COMPONENTS;
  readonly deterministic = false;
  encode(value: number, out: ByteWriter): void {
    if (typeof value !== 'number') {
      throw new TypeError(`double coder cannot encode ${describeValue(value)}: expected a number`);
    }
    out.writeDouble(value);
  }
  decode(input: ByteReader): number {
    return input.readDouble();
  }
}

/** A short description of a value for error messages. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  switch (typeof v) {
    case 'string':
      return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof v} ${String(v)}`;
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    default: {
      if (Array.isArray(v)) return 'an array';
      const ctor = (v as object).constructor;
      return ctor && ctor !== Object ? `an instance of ${ctor.name || 'an anonymous class'}` : 'an object';
    }
  }
}
