/**
 * `tributary:coder:json:v1` — a deterministic, compact binary coder for JSON-like JS values.
 *
 * Equal values encode to equal bytes (object keys are sorted, Map entries and Set elements are
 * sorted by their encoded bytes, every NaN is written the same way), so the bytes can identify a
 * GroupByKey key. Every value is self-delimiting, so the outer and nested encodings are the same.
 *
 * Byte format: one tag byte, then the tag's payload. Varints are unsigned base-128.
 *
 * | tag         | value                                   | payload                                  |
 * | ----------- | --------------------------------------- | ---------------------------------------- |
 * | 0x80 + n    | integer n in 0..127                     | none                                     |
 * | 0x00        | null                                    | none                                     |
 * | 0x01        | undefined                               | none                                     |
 * | 0x02 / 0x03 | false / true                            | none                                     |
 * | 0x04        | safe integer ≥ 128                      | varint n                                 |
 * | 0x05        | negative safe integer                   | varint −n                                |
 * | 0x06        | any other number (−0, fractions, NaN, ±Infinity, unsafe integers) | 8-byte IEEE 754 big-endian (NaN as 7ff8000000000000) |
 * | 0x07        | string                                  | varint UTF-8 byte length, UTF-8 bytes    |
 * | 0x08        | array (holes are undefined)             | varint count, the elements               |
 * | 0x09        | plain object (prototype Object or null) | varint count, then per key in sorted (UTF-16 code unit) order: varint length + UTF-8 key, value |
 * | 0x0a        | bigint                                  | varint length, decimal ASCII (e.g. "-12") |
 * | 0x0b        | Date                                    | 8-byte IEEE 754 big-endian epoch millis  |
 * | 0x0c        | Uint8Array (and Buffer)                 | varint length, the bytes                 |
 * | 0x0d        | Map                                     | varint count, key/value pairs sorted by the key's encoding |
 * | 0x0e        | Set                                     | varint count, elements sorted by their encoding |
 *
 * Decoding gives plain objects (a `__proto__` key is an own property, never a prototype),
 * arrays, Dates, Uint8Arrays, Maps and Sets. Properties whose value is undefined are kept (JSON
 * would drop them); symbol-keyed and non-enumerable properties are ignored, as in JSON.
 *
 * Not data, and refused with an error naming the path inside the value (`$.user.handler`):
 * functions, symbols, class instances other than the ones above (including other typed arrays
 * and boxed primitives), and cycles.
 */
import { ByteReader, ByteWriter } from './bytes.js';
import type { Coder } from './coder.js';
import { CoderUrns } from './urns.js';

const T_NULL = 0x00;
const T_UNDEFINED = 0x01;
const T_FALSE = 0x02;
const T_TRUE = 0x03;
const T_POS_INT = 0x04;
const T_NEG_INT = 0x05;
const T_DOUBLE = 0x06;
const T_STRING = 0x07;
const T_ARRAY = 0x08;
const T_OBJECT = 0x09;
const T_BIGINT = 0x0a;
const T_DATE = 0x0b;
const T_BYTES = 0x0c;
const T_MAP = 0x0d;
const T_SET = 0x0e;
const T_FIXINT = 0x80;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Raised for values the JSON coder cannot encode. `path` is where in the value it failed. */
export class JsonEncodeError extends TypeError {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`cannot encode value at ${path}: ${reason}`);
    this.name = 'JsonEncodeError';
  }
}

/** Internal: collects path segments while the stack unwinds. */
class PathFailure {
  readonly segments: string[] = [];
  constructor(
    readonly reason: string,
    /** For cycles: the depth of the ancestor the value points back to. */
    readonly cycleDepth = -1,
  ) {}
}

function keySegment(k: string): string {
  return IDENTIFIER.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}

function mapKeySegment(k: unknown, i: number): string {
  return typeof k === 'string' || (typeof k === 'number' && Number.isFinite(k)) || typeof k === 'boolean'
    ? `.get(${JSON.stringify(k)})`
    : `.get(<key #${i}>)`;
}

function addSegment(e: unknown, segment: string): never {
  if (e instanceof PathFailure) e.segments.push(segment);
  throw e;
}

function notData(v: object): string {
  const ctor = (v as { constructor?: { name?: string } }).constructor;
  const name = ctor && typeof ctor === 'function' && ctor.name ? ctor.name : 'an anonymous class';
  return `instances of ${name} are not data (plain objects, arrays, Date, Uint8Array, Map and Set are)`;
}

/** Ancestors of the value being encoded, for cycle detection. */
let ancestors: object[] = [];

function compareRanges(buf: Uint8Array, a0: number, a1: number, b0: number, b1: number): number {
  const la = a1 - a0;
  const lb = b1 - b0;
  const n = la < lb ? la : lb;
  for (let i = 0; i < n; i++) {
    const d = buf[a0 + i]! - buf[b0 + i]!;
    if (d !== 0) return d;
  }
  return la - lb;
}

/** The last key order seen at each depth and its sorted form: objects of one shape skip the sort. */
const shapeKeys: (string[] | undefined)[] = [];
const shapeSorted: (string[] | undefined)[] = [];

function sortedKeys(keys: string[], depth: number): string[] {
  const last = shapeKeys[depth];
  if (last !== undefined && last.length === keys.length) {
    let same = true;
    for (let i = 0; i < keys.length; i++) {
      if (last[i] !== keys[i]) {
        same = false;
        break;
      }
    }
    if (same) return shapeSorted[depth]!;
  }
  if (depth < 32) {
    shapeKeys[depth] = keys;
    shapeSorted[depth] = keys.slice().sort();
    return shapeSorted[depth]!;
  }
  return keys.sort();
}

function encodeNumber(v: number, out: ByteWriter): void {
  if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
    if (v >= 0) {
      if (v < 128) out.writeByte(T_FIXINT | v);
      else {
        out.writeByte(T_POS_INT);
        out.writeVarInt(v);
      }
    } else {
      out.writeByte(T_NEG_INT);
      out.writeVarInt(-v);
    }
    return;
  }
  if (Number.isInteger(v) && v >= -MAX_SAFE && v <= MAX_SAFE && v !== 0) {
    out.writeByte(v > 0 ? T_POS_INT : T_NEG_INT);
    out.writeVarInt(v > 0 ? v : -v);
    return;
  }
  out.writeByte(T_DOUBLE);
  if (v !== v) {
    out.writeInt32BE(0x7ff80000);
    out.writeInt32BE(0);
  } else out.writeDouble(v);
}

function encodeValue(v: unknown, out: ByteWriter, depth: number): void {
  switch (typeof v) {
    case 'string':
      out.writeByte(T_STRING);
      out.writeLengthPrefixedUtf8(v);
      return;
    case 'number':
      encodeNumber(v, out);
      return;
    case 'boolean':
      out.writeByte(v ? T_TRUE : T_FALSE);
      return;
    case 'undefined':
      out.writeByte(T_UNDEFINED);
      return;
    case 'bigint': {
      out.writeByte(T_BIGINT);
      out.writeLengthPrefixedUtf8(v.toString());
      return;
    }
    case 'function':
      throw new PathFailure('functions are not data');
    case 'symbol':
      throw new PathFailure('symbols are not data');
    default:
      break;
  }
  if (v === null) {
    out.writeByte(T_NULL);
    return;
  }
  const o = v as object;
  for (let i = 0; i < depth; i++) {
    if (ancestors[i] === o) throw new PathFailure('it contains itself (a cycle)', i);
  }
  ancestors[depth] = o;
  const next = depth + 1;
  if (Array.isArray(o)) {
    const n = o.length;
    out.writeByte(T_ARRAY);
    out.writeVarInt(n);
    let i = 0;
    try {
      for (; i < n; i++) encodeValue(o[i], out, next);
    } catch (e) {
      addSegment(e, `[${i}]`);
    }
    return;
  }
  const proto = Object.getPrototypeOf(o);
  if (proto === Object.prototype || proto === null) {
    const n0 = Object.keys(o);
    const keys = n0.length > 1 ? sortedKeys(n0, depth) : n0;
    const n = keys.length;
    out.writeByte(T_OBJECT);
    out.writeVarInt(n);
    let i = 0;
    try {
      for (; i < n; i++) {
        const k = keys[i]!;
        out.writeLengthPrefixedUtf8(k);
        encodeValue((o as Record<string, unknown>)[k], out, next);
      }
    } catch (e) {
      addSegment(e, keySegment(keys[i]!));
    }
    return;
  }
  if (o instanceof Uint8Array) {
    out.writeByte(T_BYTES);
    out.writeVarInt(o.length);
    out.writeBytes(o);
    return;
  }
  if (o instanceof Date) {
    out.writeByte(T_DATE);
    const t = o.getTime();
    if (t !== t) {
      out.writeInt32BE(0x7ff80000);
      out.writeInt32BE(0);
    } else out.writeDouble(t);
    return;
  }
  if (o instanceof Map) {
    encodeSorted(o, true, out, next);
    return;
  }
  if (o instanceof Set) {
    encodeSorted(o, false, out, next);
    return;
  }
  throw new PathFailure(notData(o));
}

/** Map entries / Set elements, each encoded apart, then written in the order of their bytes. */
function encodeSorted(c: Map<unknown, unknown> | Set<unknown>, isMap: boolean, out: ByteWriter, depth: number): void {
  const scratch = new ByteWriter(64);
  const n = c.size;
  // Per entry: start, end of key (= start of value), end of value.
  const ranges = new Array<number>(n * 3);
  let i = 0;
  let inKey = true;
  let current: unknown;
  try {
    for (const entry of c as Iterable<unknown>) {
      ranges[i * 3] = scratch.length;
      current = isMap ? (entry as [unknown, unknown])[0] : entry;
      inKey = true;
      encodeValue(current, scratch, depth);
      ranges[i * 3 + 1] = scratch.length;
      if (isMap) {
        inKey = false;
        encodeValue((entry as [unknown, unknown])[1], scratch, depth);
      }
      ranges[i * 3 + 2] = scratch.length;
      i++;
    }
  } catch (e) {
    addSegment(e, isMap ? (inKey ? `.keys()[${i}]` : mapKeySegment(current, i)) : `.values()[${i}]`);
  }
  const buf = scratch.bytesView();
  const order = Array.from({ length: n }, (_, j) => j);
  order.sort((a, b) => {
    const d = compareRanges(buf, ranges[a * 3]!, ranges[a * 3 + 1]!, ranges[b * 3]!, ranges[b * 3 + 1]!);
    return d !== 0 ? d : compareRanges(buf, ranges[a * 3 + 1]!, ranges[a * 3 + 2]!, ranges[b * 3 + 1]!, ranges[b * 3 + 2]!);
  });
  out.writeByte(isMap ? T_MAP : T_SET);
  out.writeVarInt(n);
  for (const j of order) out.writeBytes(buf.subarray(ranges[j * 3]!, ranges[j * 3 + 2]!));
}

/** Encodes one JSON-like value; throws `JsonEncodeError` naming the path of what is not data. */
export function encodeJsonValue(v: unknown, out: ByteWriter): void {
  const start = out.length;
  try {
    encodeValue(v, out, 0);
  } catch (e) {
    if (!(e instanceof PathFailure)) throw e;
    const segs = e.segments.reverse();
    const path = `$${segs.join('')}`;
    let reason = e.reason;
    if (e.cycleDepth >= 0) reason = `it is a cycle back to $${segs.slice(0, e.cycleDepth).join('')}`;
    // Leave the writer as it was before this value.
    out.truncate(start);
    throw new JsonEncodeError(path, reason);
  } finally {
    if (ancestors.length > 64) ancestors = [];
  }
}

function readString(input: ByteReader, what: string): string {
  const n = input.readVarInt(`the length of ${what}`);
  return input.readUtf8(n, what);
}

export function decodeJsonValue(input: ByteReader): unknown {
  const tag = input.readByte('a JSON value tag');
  if (tag >= T_FIXINT) return tag - T_FIXINT;
  switch (tag) {
    case T_NULL:
      return null;
    case T_UNDEFINED:
      return undefined;
    case T_FALSE:
      return false;
    case T_TRUE:
      return true;
    case T_POS_INT:
      return input.readVarInt('a JSON integer');
    case T_NEG_INT:
      return -input.readVarInt('a JSON integer');
    case T_DOUBLE:
      return input.readDouble('a JSON number');
    case T_STRING:
      return readString(input, 'a JSON string');
    case T_ARRAY: {
      const n = input.readVarInt('the length of a JSON array');
      const arr: unknown[] = n <= input.remaining ? new Array(n) : [];
      for (let i = 0; i < n; i++) arr[i] = decodeJsonValue(input);
      return arr;
    }
    case T_OBJECT: {
      const n = input.readVarInt('the size of a JSON object');
      const obj: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const k = readString(input, 'a JSON object key');
        const val = decodeJsonValue(input);
        if (k === '__proto__') {
          Object.defineProperty(obj, k, { value: val, enumerable: true, writable: true, configurable: true });
        } else obj[k] = val;
      }
      return obj;
    }
    case T_BIGINT:
      return BigInt(readString(input, 'a JSON bigint'));
    case T_DATE:
      return new Date(input.readDouble('a JSON date'));
    case T_BYTES: {
      const n = input.readVarInt('the length of a JSON byte array');
      return input.readBytes(n, 'a JSON byte array');
    }
    case T_MAP: {
      const n = input.readVarInt('the size of a JSON map');
      const m = new Map<unknown, unknown>();
      for (let i = 0; i < n; i++) {
        const k = decodeJsonValue(input);
        m.set(k, decodeJsonValue(input));
      }
      return m;
    }
    case T_SET: {
      const n = input.readVarInt('the size of a JSON set');
      const s = new Set<unknown>();
      for (let i = 0; i < n; i++) s.add(decodeJsonValue(input));
      return s;
    }
    default:
      throw new RangeError(`malformed JSON coder bytes: unknown tag 0x${tag.toString(16)} at offset ${input.position - 1}`);
  }
}

/** JSON-like values the coder handles. */
export type JsonValue =
  | null
  | undefined
  | boolean
  | number
  | string
  | bigint
  | Date
  | Uint8Array
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue }
  | ReadonlyMap<JsonValue, JsonValue>
  | ReadonlySet<JsonValue>;

export class JsonCoder<T = unknown> implements Coder<T> {
  static readonly INSTANCE = new JsonCoder<unknown>();
  readonly urn = CoderUrns.JSON;
  readonly components: readonly Coder<unknown>[] = [];
  readonly deterministic = true;
  encode(value: T, out: ByteWriter): void {
    encodeJsonValue(value, out);
  }
  decode(input: ByteReader): T {
    return decodeJsonValue(input) as T;
  }
}
