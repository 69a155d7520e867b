import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  Coders,
  RowCoder,
  coderFromSpec,
  decodeFromBytes,
  encodeToBytes,
  field,
  row,
  structuralKey,
  type RowOf,
} from '../../sdk/coders/index.js';
import { pipeline } from '../../portability-proto/index.js';
import { Instant } from '../../sdk/time/instant.js';

const Trip = row({
  user: field.string(),
  speed: field.double(),
  ts: field.timestamp(),
  tags: field.array(field.string()),
  note: field.nullable(field.string()),
});
type Trip = RowOf<typeof Trip>;

describe('row types', () => {
  it('give a TypeScript type with nullable fields optional', () => {
    expectTypeOf<Trip>().toEqualTypeOf<{
      user: string;
      speed: number;
      ts: Instant;
      tags: string[];
      note?: string | null;
    }>();
  });

  it('give the Schema proto, with a stable id', () => {
    const s = Trip.schema;
    expect(s.fields!.map((f) => f.name)).toEqual(['user', 'speed', 'ts', 'tags', 'note']);
    expect(s.fields![0]!.type).toEqual({ atomicType: pipeline.AtomicType.STRING });
    expect(s.fields![2]!.type!.logicalType!.urn).toBe('beam:logical_type:millis_instant:v1');
    expect(s.fields![4]!.type!.nullable).toBe(true);
    expect(s.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const again = row({
      user: field.string(),
      speed: field.double(),
      ts: field.timestamp(),
      tags: field.array(field.string()),
      note: field.nullable(field.string()),
    });
    expect(again.schema.id).toBe(s.id);
    expect(row({ user: field.int32() }).schema.id).not.toBe(s.id);
  });

  it('give a beam:coder:row:v1 coder that round-trips, also rebuilt from its payload', () => {
    const t: Trip = { user: 'ann', speed: 12.5, ts: Instant.ofEpochMillis(1_700_000_000_000), tags: ['a', 'b'] };
    const bytes = encodeToBytes(Trip.coder, t);
    expect(decodeFromBytes(Trip.coder, bytes)).toEqual({ ...t, note: null });
    expect(Trip.coder.urn).toBe('beam:coder:row:v1');
    const rebuilt = coderFromSpec('beam:coder:row:v1', [], Trip.coder.payload);
    expect(decodeFromBytes(rebuilt, bytes)).toEqual({ ...t, note: null });
    expect(encodeToBytes(rebuilt, { ...t, note: 'hi' })).toEqual(encodeToBytes(Trip.coder, { ...t, note: 'hi' }));
    expect(pipeline.Schema.decode(Trip.coder.payload).id).toBe(Trip.schema.id);
  });

  it('report a missing non-nullable field by name', () => {
    const bad = { user: 'ann', ts: 1, tags: [] } as unknown as Trip;
    expect(() => encodeToBytes(Trip.coder, bad)).toThrow(
      'row coder cannot encode row: field "speed" (DOUBLE) is missing but not nullable',
    );
    expect(() => encodeToBytes(Trip.coder, { ...bad, speed: null } as unknown as Trip)).toThrow(
      'row coder cannot encode row: field "speed" (DOUBLE) is null but not nullable',
    );
    expect(() => Trip.of(bad)).toThrow('row is missing field "speed", which is not nullable');
  });

  it('report a wrongly typed field by name', () => {
    const bad = { user: 'ann', speed: 'fast', ts: 1, tags: [] } as unknown as Trip;
    expect(() => encodeToBytes(Trip.coder, bad)).toThrow(
      'row coder cannot encode field "speed" (DOUBLE): double coder cannot encode the string "fast": expected a number',
    );
  });

  it('support nested rows, maps, iterables, nullable elements and every atomic type', () => {
    const Point = row({ lat: field.double(), lon: field.double() });
    const All = row({
      b: field.byte(),
      i16: field.int16(),
      i32: field.int32(),
      i64: field.int64(),
      f32: field.float(),
      f64: field.double(),
      s: field.string(),
      ok: field.bool(),
      raw: field.bytes(),
      at: field.row(Point),
      where: field.nullable(field.row(Point)),
      counts: field.map(field.string(), field.int64()),
      seen: field.iterable(field.nullable(field.int32())),
    });
    type All = RowOf<typeof All>;
    const v: All = {
      b: -5,
      i16: -300,
      i32: -7,
      i64: 2 ** 40,
      f32: 1.5,
      f64: 0.1,
      s: 'héllo',
      ok: true,
      raw: new Uint8Array([1, 2]),
      at: { lat: 1, lon: 2 },
      where: null,
      counts: new Map([['a', 1]]),
      seen: [1, null, -3],
    };
    expect(decodeFromBytes(All.coder, encodeToBytes(All.coder, v))).toEqual(v);
    // Nested row errors name the path.
    expect(() => encodeToBytes(All.coder, { ...v, at: { lat: 1 } } as unknown as All)).toThrow(
      'row coder cannot encode row: field "at.lon" (DOUBLE) is missing but not nullable',
    );
  });

  it('encode INT32 negatives like Beam Java (5-byte varint) and decode both forms', () => {
    const R = row({ i: field.int32() });
    expect(Buffer.from(encodeToBytes(R.coder, { i: -1 })).toString('hex')).toBe('0100ffffffff0f');
    expect(decodeFromBytes(R.coder, new Uint8Array(Buffer.from('0100ffffffffffffffffff01', 'hex')))).toEqual({ i: -1 });
    expect(() => encodeToBytes(R.coder, { i: 2 ** 31 })).toThrow('expected an integer in [-2147483648, 2147483647] for INT32, got 2147483648');
  });

  it('write the null bitmap minimally, and decode rows written with fewer fields as nulls', () => {
    const R = row({ a: field.nullable(field.int32()), b: field.nullable(field.int32()) });
    expect(Buffer.from(encodeToBytes(R.coder, { a: 1, b: 2 })).toString('hex')).toBe('02000102');
    expect(Buffer.from(encodeToBytes(R.coder, { a: null, b: 2 })).toString('hex')).toBe('02010102');
    // A writer with an older, one-field schema.
    expect(decodeFromBytes(R.coder, new Uint8Array([1, 0, 5]))).toEqual({ a: 5, b: null });
  });

  it('are deterministic only without floating-point fields', () => {
    const K = row({ user: field.string(), n: field.int64() });
    expect(K.coder.deterministic).toBe(true);
    expect(Trip.coder.deterministic).toBe(false);
    expect(typeof structuralKey(K.coder, { user: 'a', n: 1 })).toBe('string');
    expect(() => structuralKey(Trip.coder, { user: 'a', speed: 1, ts: Instant.ofEpochMillis(0), tags: [] })).toThrow(/not deterministic/);
  });

  it('Coders.row builds a coder from a Schema proto', () => {
    const c = Coders.row(Trip.schema);
    expect(c).toBeInstanceOf(RowCoder);
    expect(c.payload).toEqual(Trip.coder.payload);
  });

  it('reject a bad payload clearly', () => {
    expect(() => coderFromSpec('beam:coder:row:v1', [], new Uint8Array([0x0a, 0x05]))).toThrow(/row coder payload is not a valid Schema proto/);
    expect(() => coderFromSpec('beam:coder:row:v1', [])).toThrow('coder "beam:coder:row:v1" needs a payload, but its spec has none');
  });
});
