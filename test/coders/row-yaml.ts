/** Converts a row example of standard_coders.yaml to the JS row the row coder decodes. */
import { fromLatin1, AtomicType, type FieldTypeProto, type SchemaProto } from '../../sdk/coders/index.js';

function num(v: unknown): number {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  throw new Error(`expected a number, got ${String(v)}`);
}

function convertField(t: FieldTypeProto, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (t.atomicType != null) {
    switch (t.atomicType) {
      case AtomicType.BYTE:
      case AtomicType.INT16:
      case AtomicType.INT32:
      case AtomicType.INT64:
      case AtomicType.FLOAT:
      case AtomicType.DOUBLE:
        return num(v);
      case AtomicType.STRING:
        return String(v);
      case AtomicType.BOOLEAN:
        return v as boolean;
      case AtomicType.BYTES:
        return fromLatin1(v as string);
    }
  }
  if (t.arrayType || t.iterableType) {
    const e = (t.arrayType ?? t.iterableType)!.elementType!;
    return (v as unknown[]).map((x) => convertField(e, x));
  }
  if (t.mapType) {
    return new Map(Object.entries(v as object).map(([k, x]) => [convertField(t.mapType!.keyType!, k), convertField(t.mapType!.valueType!, x)]));
  }
  if (t.rowType) return convertRowValue(t.rowType.schema!, v);
  if (t.logicalType) return convertField(t.logicalType.representation!, v);
  throw new Error(`no YAML conversion for field type ${JSON.stringify(t)}`);
}

export function convertRowValue(schema: SchemaProto, v: unknown): Record<string, unknown> {
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of schema.fields ?? []) out[f.name!] = convertField(f.type!, o[f.name!]);
  return out;
}
