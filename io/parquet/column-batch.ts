/**
 * Column batches of a row slice: which columns to decode and how (ColumnPlan), and joining the
 * chunks hyparquet hands over into one array per column.
 */
import type { FileMetaData } from 'hyparquet';

/** Rows of one column batch: file row index of the first, and one array per read column. */
export interface ColumnSlice {
  path: string;
  rowGroup: number;
  firstRow: number;
  length: number;
  columns: Record<string, ArrayLike<unknown>>;
  /** Columns holding epoch milliseconds decoded from INT64 millisecond timestamps: a Float64Array of integers. */
  millis: ReadonlySet<string>;
}

/**
 * How column batches are decoded: the read columns' names in file order, and a footer in which
 * required INT64 millisecond timestamps carry no timestamp type — hyparquet then hands their
 * values over as the BigInt64Array it decoded, and `millisOf` makes numbers of them without a
 * BigInt per value (hyparquet builds one per value to pass it to its timestamp parser).
 */
export interface ColumnPlan {
  readonly names: readonly string[];
  readonly metadata: FileMetaData;
  readonly millis: ReadonlySet<string>;
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

export function columnPlan(metadata: FileMetaData, readColumns: readonly string[] | undefined): ColumnPlan {
  // top-level fields, in file order (a group's children follow it in the flattened schema)
  const names: string[] = [];
  const schema = metadata.schema;
  for (let i = 1, children = [schema[0]?.num_children ?? 0]; i < schema.length; i++) {
    if (children.length === 1) names.push(schema[i]!.name);
    children[children.length - 1]!--;
    if (schema[i]!.num_children) children.push(schema[i]!.num_children!);
    while (children.length > 1 && children[children.length - 1] === 0) children.pop();
  }
  const wanted = readColumns ? new Set(readColumns) : undefined;
  const millis = new Set<string>();
  const plain = schema.map((e, i) => {
    const isMillis = e.type === 'INT64' && e.repetition_type === 'REQUIRED' && (e.converted_type === 'TIMESTAMP_MILLIS' || (e.logical_type?.type === 'TIMESTAMP' && e.logical_type.unit === 'MILLIS'));
    if (i === 0 || !isMillis || !LITTLE_ENDIAN || !names.includes(e.name) || (wanted && !wanted.has(e.name))) return e;
    millis.add(e.name);
    return { ...e, converted_type: undefined, logical_type: undefined };
  });
  // file order, as hyparquet orders a row's fields
  return { names: wanted ? names.filter((n) => wanted.has(n)) : names, metadata: millis.size > 0 ? { ...metadata, schema: plain } : metadata, millis };
}

/**
 * Epoch-ms numbers of INT64 values, read as two 32-bit halves (exact within ±2^53; beyond, as
 * `Number(bigint)`). `inPlace`: written over `values`' own bytes (8 per value either way), which
 * then hold the numbers — no 8 bytes per row allocated and zeroed; only for values nothing else
 * reads (not a view of bytes another slice decodes again).
 */
export function millisOf(values: BigInt64Array, inPlace = false): Float64Array {
  const n = values.length;
  const out = inPlace ? new Float64Array(values.buffer, values.byteOffset, n) : new Float64Array(n);
  const halves = new Int32Array(values.buffer, values.byteOffset, n * 2);
  const low = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  for (let i = 0; i < n; i++) {
    // value i is read whole before out[i] (the same 8 bytes when in place) is written
    const high = halves[2 * i + 1]!;
    out[i] = high > -0x200000 && high < 0x200000 ? high * 4294967296 + low[2 * i]! : Number(values[i]!);
  }
  return out;
}

export interface ColumnChunk {
  data: ArrayLike<unknown>;
  /** File row index of `data[0]`. */
  start: number;
}

/** The values of rows [first, end) from a column's chunks: the one chunk as is when it is exactly that, else copied into one array (typed when the chunks are). */
export function joinChunks(chunks: readonly ColumnChunk[], first: number, end: number): ArrayLike<unknown> {
  if (chunks.length === 1 && chunks[0]!.start === first && chunks[0]!.data.length === end - first) return chunks[0]!.data;
  const sorted = [...chunks].sort((a, b) => a.start - b.start);
  const values: unknown[] = [];
  for (const c of sorted) {
    for (let r = Math.max(first, c.start); r < Math.min(end, c.start + c.data.length); r++) values.push(c.data[r - c.start]);
  }
  const kind = sorted[0]?.data;
  const typed = kind !== undefined && ArrayBuffer.isView(kind) && sorted.every((c) => c.data.constructor === kind.constructor);
  if (!typed) return values;
  const out = new (kind.constructor as new (n: number) => { [i: number]: unknown; length: number })(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out as ArrayLike<unknown>;
}
