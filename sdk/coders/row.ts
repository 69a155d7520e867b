/**
 * beam:coder:row:v1 — rows with a Beam Schema (the `Schema` proto is the coder's payload).
 *
 * Byte format (Beam's): the varint number of fields; the null bitmap as a varint byte count and
 * that many bytes (bit i of byte i/8 set when field i is null; written minimal, so no bytes when
 * no field is null); then every non-null field in order, nested, with the coder of its type:
 *
 * | schema type                 | JS value                  | encoding                               |
 * | --------------------------- | ------------------------- | -------------------------------------- |
 * | BYTE                        | number (−128..127)        | 1 byte                                 |
 * | INT16                       | number                    | 2 bytes big-endian                     |
 * | INT32                       | number                    | varint; negatives as 32-bit unsigned, like Beam Java (5 bytes); decoding also accepts 10-byte int64 form |
 * | INT64                       | number (or bigint on encode) | varint                              |
 * | FLOAT / DOUBLE              | number                    | 4 / 8 bytes IEEE 754 big-endian        |
 * | STRING / BYTES              | string / Uint8Array       | varint length + bytes                  |
 * | BOOLEAN                     | boolean                   | 1 byte                                 |
 * | ARRAY / ITERABLE            | array                     | int32 count + elements                 |
 * | MAP                         | Map (or plain object on encode) | int32 count + key, value pairs  |
 * | ROW                         | plain object              | a nested row                           |
 * | logical type                | its representation's value | its representation's encoding (`beam:logical_type:millis_instant:v1` = INT64 millis, an Instant) |
 *
 * Nullable array elements and map values are wrapped in Beam's nullable encoding. A row is a
 * plain object keyed by field name; a missing (undefined) value counts as null. If the schema
 * sets `encoding_positions_set`, fields go on the wire in the order of their encoding positions.
 */
import type { ByteReader, ByteWriter } from './bytes.js';
import type { Coder } from './coder.js';
import { pipeline } from '../../portability-proto/index.js';
import { CoderUrns } from './urns.js';
import { BoolCoder, BytesCoder, DoubleCoder, StringUtf8Coder, describeValue } from './primitives.js';
import { NullableCoder } from './nullable.js';
import { CoderSpecError, RowSchemaError } from './errors.js';

export type SchemaProto = pipeline.Schema.$Properties;
export type FieldProto = pipeline.Field.$Properties;
export type FieldTypeProto = pipeline.FieldType.$Properties;
export const AtomicType = pipeline.AtomicType;

export const MILLIS_INSTANT_URN = 'beam:logical_type:millis_instant:v1';

/** A row as JS sees it. */
export type Row = Record<string, unknown>;

const TWO_32 = 4294967296;

/** A coder for the non-null values of one schema type (always used nested). */
type ValueCodec = Coder<unknown>;

function atomicCodec(
  name: string,
  deterministic: boolean,
  encode: (v: unknown, out: ByteWriter) => void,
  decode: (input: ByteReader) => unknown,
): ValueCodec {
  return {
    urn: `schema:${name}`,
    components: [],
    deterministic,
    encode,
    decode,
  };
}

function expectNumber(type: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`expected a number for ${type}, got ${describeValue(v)}`);
  return v;
}

function expectInteger(type: string, v: unknown, min: number, max: number): number {
  const n = expectNumber(type, v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new RangeError(`expected an integer in [${min}, ${max}] for ${type}, got ${n}`);
  }
  return n;
}

const BYTE_CODEC = atomicCodec(
  'BYTE',
  true,
  (v, out) => out.writeByte(expectInteger('BYTE', v, -128, 255) & 0xff),
  (input) => (input.readByte('a BYTE field') << 24) >> 24,
);
const INT16_CODEC = atomicCodec(
  'INT16',
  true,
  (v, out) => out.writeInt16BE(expectInteger('INT16', v, -32768, 32767)),
  (input) => input.readInt16BE('an INT16 field'),
);
const INT32_CODEC = atomicCodec(
  'INT32',
  true,
  (v, out) => out.writeVarInt(expectInteger('INT32', v, -2147483648, 2147483647) >>> 0),
  (input) => {
    const n = input.readVarInt('an INT32 field');
    return n >= 2147483648 && n < TWO_32 ? n - TWO_32 : n;
  },
);
const INT64_CODEC = atomicCodec(
  'INT64',
  true,
  (v, out) => {
    if (typeof v === 'bigint') out.writeVarBigInt(v);
    else if (typeof v === 'number' && Number.isInteger(v)) out.writeVarInt(v);
    else throw new TypeError(`expected an integer number or bigint for INT64, got ${describeValue(v)}`);
  },
  (input) => input.readVarInt('an INT64 field'),
);
const FLOAT_CODEC = atomicCodec(
  'FLOAT',
  false,
  (v, out) => out.writeFloat32(expectNumber('FLOAT', v)),
  (input) => input.readFloat32('a FLOAT field'),
);

function typeName(t: FieldTypeProto): string {
  if (t.atomicType != null) return pipeline.AtomicType[t.atomicType] ?? `atomic type ${t.atomicType}`;
  if (t.arrayType) return `ARRAY<${t.arrayType.elementType ? typeName(t.arrayType.elementType) : '?'}>`;
  if (t.iterableType) return `ITERABLE<${t.iterableType.elementType ? typeName(t.iterableType.elementType) : '?'}>`;
  if (t.mapType) return 'MAP';
  if (t.rowType) return 'ROW';
  if (t.logicalType) return `logical type ${t.logicalType.urn}`;
  return 'an unspecified type';
}

/** The coder of a field type's non-null values, nested. */
export function codecForType(t: FieldTypeProto, where: string): ValueCodec {
  if (t.atomicType != null) {
    switch (t.atomicType) {
      case pipeline.AtomicType.BYTE:
        return BYTE_CODEC;
      case pipeline.AtomicType.INT16:
        return INT16_CODEC;
      case pipeline.AtomicType.INT32:
        return INT32_CODEC;
      case pipeline.AtomicType.INT64:
        return INT64_CODEC;
      case pipeline.AtomicType.FLOAT:
        return FLOAT_CODEC;
      case pipeline.AtomicType.DOUBLE:
        return DoubleCoder.INSTANCE as ValueCodec;
      case pipeline.AtomicType.STRING:
        return StringUtf8Coder.INSTANCE as ValueCodec;
      case pipeline.AtomicType.BOOLEAN:
        return BoolCoder.INSTANCE as ValueCodec;
      case pipeline.AtomicType.BYTES:
        return BytesCoder.INSTANCE as ValueCodec;
      default:
        throw new RowSchemaError(where, `row schema: ${where} has unsupported atomic type ${t.atomicType}`);
    }
  }
  const elementCodec = (e: FieldTypeProto | null | undefined, what: string): ValueCodec => {
    if (!e) throw new RowSchemaError(where, `row schema: ${where} has no ${what} type`);
    const c = codecForType(e, `${where}'s ${what}`);
    return e.nullable ? (new NullableCoder(c) as ValueCodec) : c;
  };
  if (t.arrayType || t.iterableType) {
    const kind = t.arrayType ? 'ARRAY' : 'ITERABLE';
    const ec = elementCodec((t.arrayType ?? t.iterableType)!.elementType, 'element');
    return {
      urn: `schema:${kind}`,
      components: [ec],
      deterministic: ec.deterministic,
      encode(v, out) {
        const arr: readonly unknown[] = Array.isArray(v)
          ? v
          : v != null && typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function' && typeof v !== 'string'
            ? Array.from(v as Iterable<unknown>)
            : fail(`expected an array for ${kind}, got ${describeValue(v)}`);
        out.writeInt32BE(arr.length);
        for (let i = 0; i < arr.length; i++) ec.encode(arr[i], out, true);
      },
      decode(input) {
        const n = input.readInt32BE(`the length of an ${kind} field`);
        if (n < 0) throw new RangeError(`malformed ${kind} field: length ${n}`);
        const out: unknown[] = [];
        for (let i = 0; i < n; i++) out.push(ec.decode(input, true));
        return out;
      },
    };
  }
  if (t.mapType) {
    const kc = elementCodec(t.mapType.keyType, 'key');
    const vc = elementCodec(t.mapType.valueType, 'value');
    return {
      urn: 'schema:MAP',
      components: [kc, vc],
      // Map entries are written in iteration order, which equal maps need not share.
      deterministic: false,
      encode(v, out) {
        const entries: [unknown, unknown][] =
          v instanceof Map
            ? [...v.entries()]
            : v !== null && typeof v === 'object' && !Array.isArray(v)
              ? Object.entries(v)
              : fail(`expected a Map for MAP, got ${describeValue(v)}`);
        out.writeInt32BE(entries.length);
        for (const [k, val] of entries) {
          kc.encode(k, out, true);
          vc.encode(val, out, true);
        }
      },
      decode(input) {
        const n = input.readInt32BE('the size of a MAP field');
        if (n < 0) throw new RangeError(`malformed MAP field: size ${n}`);
        const m = new Map<unknown, unknown>();
        for (let i = 0; i < n; i++) {
          const k = kc.decode(input, true);
          m.set(k, vc.decode(input, true));
        }
        return m;
      },
    };
  }
  if (t.rowType) {
    if (!t.rowType.schema) throw new RowSchemaError(where, `row schema: ${where} is a ROW without a schema`);
    return new RowCoder(t.rowType.schema) as ValueCodec;
  }
  if (t.logicalType) {
    const rep = t.logicalType.representation;
    if (!rep) {
      throw new RowSchemaError(where, `row schema: ${where} has logical type ${t.logicalType.urn} without a representation`);
    }
    return codecForType(rep, `${where} (${t.logicalType.urn})`);
  }
  throw new RowSchemaError(where, `row schema: ${where} has no type`);
}

function fail(message: string): never {
  throw new TypeError(message);
}

interface FieldPlan {
  readonly name: string;
  readonly nullable: boolean;
  readonly codec: ValueCodec;
  readonly typeName: string;
}

export class RowCoder<R extends Row = Row> implements Coder<R> {
  readonly urn = CoderUrns.ROW;
  readonly components: readonly Coder<unknown>[] = [];
  readonly deterministic: boolean;
  readonly payload: Uint8Array;
  readonly schema: SchemaProto;
  /** Field plans in wire order. */
  private readonly plans: readonly FieldPlan[];
  /** Field names in schema order (the order of decoded objects' keys). */
  readonly fieldNames: readonly string[];

  constructor(schema: SchemaProto, payload?: Uint8Array) {
    this.schema = schema;
    this.payload = payload ?? pipeline.Schema.encode(schema).finish();
    const fields = schema.fields ?? [];
    const plans = fields.map((f, i): FieldPlan & { pos: number } => {
      const name = f.name ?? '';
      if (!f.type) throw new RowSchemaError(`field "${name}"`, `row schema: field "${name}" has no type`);
      return {
        name,
        nullable: !!f.type.nullable,
        codec: codecForType(f.type, `field "${name}"`),
        typeName: typeName(f.type),
        pos: schema.encodingPositionsSet ? (f.encodingPosition ?? i) : i,
      };
    });
    plans.sort((a, b) => a.pos - b.pos);
    this.plans = plans;
    this.fieldNames = fields.map((f) => f.name ?? '');
    this.deterministic = plans.every((p) => p.codec.deterministic);
  }

  /** Rebuilds the coder from its proto payload (a serialized Schema). */
  static fromPayload(payload: Uint8Array): RowCoder {
    let schema: SchemaProto;
    try {
      schema = pipeline.Schema.decode(payload);
    } catch (e) {
      throw new CoderSpecError(CoderUrns.ROW, `row coder payload is not a valid Schema proto: ${(e as Error).message}`, { cause: e });
    }
    return new RowCoder(schema, payload);
  }

  encode(row: R, out: ByteWriter): void {
    if (row === null || typeof row !== 'object') {
      throw new TypeError(`row coder cannot encode ${describeValue(row)}: expected an object with fields ${this.fieldNames.join(', ')}`);
    }
    const plans = this.plans;
    const n = plans.length;
    out.writeVarInt(n);
    // Null bitmap: minimal length (up to the last null field), as Beam Java writes it.
    let lastNull = -1;
    for (let i = 0; i < n; i++) {
      const p = plans[i]!;
      const v = row[p.name];
      if (v === null || v === undefined) {
        if (!p.nullable) {
          throw new TypeError(
            `row coder cannot encode row: field "${p.name}" (${p.typeName}) is ${v === null ? 'null' : 'missing'} but not nullable`,
          );
        }
        lastNull = i;
      }
    }
    if (lastNull < 0) {
      out.writeByte(0);
    } else {
      const nbytes = (lastNull >> 3) + 1;
      out.writeVarInt(nbytes);
      for (let b = 0; b < nbytes; b++) {
        let byte = 0;
        for (let bit = 0; bit < 8; bit++) {
          const i = b * 8 + bit;
          if (i < n) {
            const v = row[plans[i]!.name];
            if (v === null || v === undefined) byte |= 1 << bit;
          }
        }
        out.writeByte(byte);
      }
    }
    let i = 0;
    try {
      for (; i < n; i++) {
        const p = plans[i]!;
        const v = row[p.name];
        if (v !== null && v !== undefined) p.codec.encode(v, out, true);
      }
    } catch (e) {
      const err = e as Error;
      if (err instanceof Error && !err.message.startsWith('row coder cannot encode')) {
        err.message = `row coder cannot encode field "${plans[i]!.name}" (${plans[i]!.typeName}): ${err.message}`;
      } else if (err instanceof Error) {
        err.message = err.message.replace('field "', `field "${plans[i]!.name}.`);
      }
      throw err;
    }
  }

  decode(input: ByteReader): R {
    const plans = this.plans;
    const count = input.readVarInt('the field count of a row');
    if (count > plans.length) {
      throw new RangeError(`malformed row: ${count} fields encoded but the schema has ${plans.length}`);
    }
    const nbytes = input.readVarInt('the null bitmap length of a row');
    const bitmap = nbytes === 0 ? undefined : input.readBytesView(nbytes, 'the null bitmap of a row');
    const row: Row = {};
    for (const name of this.fieldNames) row[name] = null;
    for (let i = 0; i < count; i++) {
      const p = plans[i]!;
      const isNull = bitmap !== undefined && i >> 3 < bitmap.length && (bitmap[i >> 3]! & (1 << (i & 7))) !== 0;
      if (!isNull) row[p.name] = p.codec.decode(input, true);
    }
    return row as R;
  }
}
