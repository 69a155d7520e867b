/**
 * A small row-type declaration for Parquet files, and its mapping to Parquet schema elements.
 *
 *   const Telemetry = { user_id: 'int32', ts: 'timestamp', speed: 'float', note: nullable('string') } as const;
 *
 * JavaScript values: int32/float/double → number; int64 → bigint (number accepted when writing);
 * boolean → boolean; string → string; bytes → Uint8Array; timestamp → epoch milliseconds as a
 * number (Date accepted when writing). Nullable fields also take `null`.
 */
import type { SchemaElement } from 'hyparquet';

export type FieldType = 'int32' | 'int64' | 'float' | 'double' | 'boolean' | 'string' | 'bytes' | 'timestamp';

export interface FieldSpec {
  type: FieldType;
  nullable: boolean;
}

export type FieldDecl = FieldType | FieldSpec;
export type RowSchema = Record<string, FieldDecl>;

export function nullable<T extends FieldType>(type: T): { type: T; nullable: true } {
  return { type, nullable: true };
}

export function fieldSpec(decl: FieldDecl): FieldSpec {
  return typeof decl === 'string' ? { type: decl, nullable: false } : decl;
}

interface JsTypes {
  int32: number;
  int64: bigint;
  float: number;
  double: number;
  boolean: boolean;
  string: string;
  bytes: Uint8Array;
  timestamp: number;
}
type ValueOf<D> = D extends FieldType ? JsTypes[D] : D extends { type: infer T extends FieldType; nullable: true } ? JsTypes[T] | null : D extends { type: infer T extends FieldType } ? JsTypes[T] : never;

/** The row type read from a file with schema `S`. */
export type RowOf<S extends RowSchema> = { [K in keyof S]: ValueOf<S[K]> };

/** Parquet schema elements (root first) for a declared row type. */
export function toSchemaElements(schema: RowSchema): SchemaElement[] {
  const names = Object.keys(schema);
  const out: SchemaElement[] = [{ name: 'root', num_children: names.length }];
  for (const name of names) {
    const { type, nullable } = fieldSpec(schema[name]!);
    const repetition_type = nullable ? 'OPTIONAL' : 'REQUIRED';
    switch (type) {
      case 'int32':
        out.push({ name, type: 'INT32', repetition_type });
        break;
      case 'int64':
        out.push({ name, type: 'INT64', repetition_type });
        break;
      case 'float':
        out.push({ name, type: 'FLOAT', repetition_type });
        break;
      case 'double':
        out.push({ name, type: 'DOUBLE', repetition_type });
        break;
      case 'boolean':
        out.push({ name, type: 'BOOLEAN', repetition_type });
        break;
      case 'string':
        out.push({ name, type: 'BYTE_ARRAY', repetition_type, converted_type: 'UTF8', logical_type: { type: 'STRING' } });
        break;
      case 'bytes':
        out.push({ name, type: 'BYTE_ARRAY', repetition_type });
        break;
      case 'timestamp':
        out.push({
          name,
          type: 'INT64',
          repetition_type,
          converted_type: 'TIMESTAMP_MILLIS',
          logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
        });
        break;
    }
  }
  return out;
}

/**
 * The declared field type of a file's top-level column, or a description of a type this
 * declaration language does not cover (e.g. `list`, `decimal`), for error messages.
 */
export function fieldOfElement(el: SchemaElement): FieldSpec | { type: string; nullable: boolean } {
  const nullable = el.repetition_type === 'OPTIONAL';
  if (el.num_children) return { type: 'group', nullable };
  if (el.repetition_type === 'REPEATED') return { type: 'repeated', nullable };
  const lt = el.logical_type?.type;
  const ct = el.converted_type;
  switch (el.type) {
    case 'INT32':
      if (ct === 'DATE' || lt === 'DATE') return { type: 'date', nullable };
      if (ct === 'DECIMAL' || lt === 'DECIMAL') return { type: 'decimal', nullable };
      return { type: 'int32', nullable };
    case 'INT64':
      if (lt === 'TIMESTAMP' || ct === 'TIMESTAMP_MILLIS' || ct === 'TIMESTAMP_MICROS') return { type: 'timestamp', nullable };
      if (ct === 'DECIMAL' || lt === 'DECIMAL') return { type: 'decimal', nullable };
      return { type: 'int64', nullable };
    case 'FLOAT':
      return { type: 'float', nullable };
    case 'DOUBLE':
      return { type: 'double', nullable };
    case 'BOOLEAN':
      return { type: 'boolean', nullable };
    case 'BYTE_ARRAY':
      if (ct === 'UTF8' || lt === 'STRING' || ct === 'ENUM' || lt === 'ENUM') return { type: 'string', nullable };
      if (ct === 'JSON' || lt === 'JSON') return { type: 'json', nullable };
      return { type: 'bytes', nullable };
    default:
      return { type: String(el.type ?? 'unknown').toLowerCase(), nullable };
  }
}

/** A file's top-level columns: name → type and nullability. */
export type FileSchema = Map<string, { type: string; nullable: boolean }>;

/** The top-level columns of a file's schema (root element first, as stored in the footer). */
export function describeFileSchema(elements: SchemaElement[]): FileSchema {
  const out = new Map<string, { type: string; nullable: boolean }>();
  // walk the flattened tree: only direct children of the root
  let i = 1;
  const skip = (idx: number): number => {
    const n = elements[idx]!.num_children ?? 0;
    let next = idx + 1;
    for (let c = 0; c < n; c++) next = skip(next);
    return next;
  };
  const rootChildren = elements[0]?.num_children ?? 0;
  for (let c = 0; c < rootChildren && i < elements.length; c++) {
    const el = elements[i]!;
    out.set(el.name, fieldOfElement(el));
    i = skip(i);
  }
  return out;
}

/**
 * Differences between a file's schema and the expected one, as sentences; empty when the file
 * can be read as `expected`. Extra columns in the file are fine; a column that is nullable in the
 * file but required in `expected` is not (a null would break the declared row type).
 */
export function schemaDifferences(file: Map<string, { type: string; nullable: boolean }>, expected: RowSchema, columns?: string[]): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(expected)) {
    if (columns && !columns.includes(name)) continue;
    const want = fieldSpec(expected[name]!);
    const got = file.get(name);
    if (!got) {
      problems.push(`column "${name}" is missing (expected ${describe(want)})`);
    } else if (got.type !== want.type) {
      problems.push(`column "${name}" is ${describe(got)} in the file but ${describe(want)} is expected`);
    } else if (got.nullable && !want.nullable) {
      problems.push(`column "${name}" is nullable in the file but required in the expected schema`);
    }
  }
  return problems;
}

function describe(f: { type: string; nullable: boolean }): string {
  return f.nullable ? `nullable ${f.type}` : f.type;
}
