/**
 * Row types declared once, giving a TypeScript type, a `beam:coder:row:v1` coder and the Schema
 * proto together:
 *
 *   const Trip = row({
 *     user: field.string(),
 *     speed: field.double(),
 *     ts: field.timestamp(),
 *     tags: field.array(field.string()),
 *     note: field.nullable(field.string()),
 *   });
 *   type Trip = RowOf<typeof Trip>;   // { user: string; speed: number; ts: Instant; tags: string[]; note?: string | null }
 *   Trip.coder; Trip.schema;          // Coder<Trip>, the Schema proto
 *
 * `field.timestamp()` is Beam's `beam:logical_type:millis_instant:v1` (representation INT64
 * millis), so a Beam Java pipeline reads it as a millisecond Instant. The schema id is derived
 * from the fields (a name-based UUID), so building the same row type twice gives the same proto.
 */
import { createHash } from 'node:crypto';
import type { Instant } from '../time/instant.js';
import { pipeline } from '../../portability-proto/index.js';
import { MILLIS_INSTANT_URN, RowCoder, type FieldTypeProto, type SchemaProto } from './row.js';
import { RowSchemaError } from './errors.js';

/** A field's schema type, carrying the JS type of its values. */
export interface FieldDef<T> {
  readonly fieldType: FieldTypeProto;
  /** Type-level only. */
  readonly __value?: T;
}

type ValueOf<F> = F extends FieldDef<infer T> ? T : never;
type NullableKeys<F> = { [K in keyof F]: null extends ValueOf<F[K]> ? K : never }[keyof F];
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The JS type of rows with these fields: nullable fields are optional. */
export type RowValue<F extends Record<string, FieldDef<unknown>>> = Simplify<
  { [K in Exclude<keyof F, NullableKeys<F>>]: ValueOf<F[K]> } & { [K in NullableKeys<F>]?: ValueOf<F[K]> }
>;

export interface RowDef<F extends Record<string, FieldDef<unknown>>> extends FieldDef<RowValue<F>> {
  readonly fields: F;
  readonly schema: SchemaProto;
  readonly coder: RowCoder<RowValue<F>>;
  /** Checks a value against the schema (every non-nullable field present) and returns it typed. */
  of(value: RowValue<F>): RowValue<F>;
}

/** The row type of a `row(...)` definition. */
export type RowOf<D> = D extends RowDef<infer F> ? RowValue<F> : never;

const atomic = <T>(t: number): FieldDef<T> => ({ fieldType: { atomicType: t } });

export const field = {
  byte: (): FieldDef<number> => atomic(pipeline.AtomicType.BYTE),
  int16: (): FieldDef<number> => atomic(pipeline.AtomicType.INT16),
  int32: (): FieldDef<number> => atomic(pipeline.AtomicType.INT32),
  /** int64 as a JS number (exact to ±2^53; bigints accepted on encode). */
  int64: (): FieldDef<number> => atomic(pipeline.AtomicType.INT64),
  float: (): FieldDef<number> => atomic(pipeline.AtomicType.FLOAT),
  double: (): FieldDef<number> => atomic(pipeline.AtomicType.DOUBLE),
  string: (): FieldDef<string> => atomic(pipeline.AtomicType.STRING),
  boolean: (): FieldDef<boolean> => atomic(pipeline.AtomicType.BOOLEAN),
  bool: (): FieldDef<boolean> => atomic(pipeline.AtomicType.BOOLEAN),
  bytes: (): FieldDef<Uint8Array> => atomic(pipeline.AtomicType.BYTES),
  /** Event time in milliseconds: Beam's millis_instant logical type over INT64. */
  timestamp: (): FieldDef<Instant> => ({
    fieldType: {
      logicalType: { urn: MILLIS_INSTANT_URN, representation: { atomicType: pipeline.AtomicType.INT64 } },
    },
  }),
  array: <T>(element: FieldDef<T>): FieldDef<T[]> => ({ fieldType: { arrayType: { elementType: element.fieldType } } }),
  iterable: <T>(element: FieldDef<T>): FieldDef<readonly T[]> => ({
    fieldType: { iterableType: { elementType: element.fieldType } },
  }),
  map: <K, V>(key: FieldDef<K>, value: FieldDef<V>): FieldDef<Map<K, V>> => ({
    fieldType: { mapType: { keyType: key.fieldType, valueType: value.fieldType } },
  }),
  /** A nested row: pass another `row(...)` definition. */
  row: <F extends Record<string, FieldDef<unknown>>>(def: RowDef<F>): FieldDef<RowValue<F>> => ({
    fieldType: { rowType: { schema: def.schema } },
  }),
  nullable: <T>(inner: FieldDef<T>): FieldDef<T | null> => ({ fieldType: { ...inner.fieldType, nullable: true } }),
};

/** A deterministic UUID (v5 layout) from the schema's fields, so rebuilt pipelines match. */
function schemaId(schemaWithoutId: SchemaProto): string {
  const bytes = pipeline.Schema.encode(schemaWithoutId).finish();
  const h = createHash('sha1').update('tributary-schema:').update(bytes).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** Declares a row type. Field order is the declaration order. */
export function row<F extends Record<string, FieldDef<unknown>>>(fields: F): RowDef<F> {
  const names = Object.keys(fields);
  if (names.length === 0) throw new RowSchemaError('row(...)', 'row(...) needs at least one field');
  const protoFields = names.map((name) => {
    const def = fields[name];
    if (!def || !def.fieldType) {
      throw new TypeError(`row(...): field "${name}" is not a field definition (use field.string(), field.double(), ...)`);
    }
    return { name, type: def.fieldType };
  });
  const base: SchemaProto = { fields: protoFields };
  const schema: SchemaProto = { fields: protoFields, id: schemaId(base) };
  const coder = new RowCoder<RowValue<F>>(schema);
  const required = names.filter((n) => !fields[n]!.fieldType.nullable);
  return {
    fields,
    schema,
    coder,
    fieldType: { rowType: { schema } },
    of(value) {
      if (value === null || typeof value !== 'object') {
        throw new TypeError(`expected a row object with fields ${names.join(', ')}, got ${String(value)}`);
      }
      for (const n of required) {
        const v = (value as Record<string, unknown>)[n];
        if (v === null || v === undefined) {
          throw new TypeError(`row is missing field "${n}", which is not nullable`);
        }
      }
      return value;
    },
  };
}
