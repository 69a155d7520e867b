/**
 * Column batches: many elements of a PCollection of rows held as one array per column (typed
 * arrays for numbers), the way a Parquet reader decodes them. A batch is an execution detail, not
 * a new element type: a `PCollection<R>` may travel as batches of `R` between transforms that can
 * take them (Beam Python's batched DoFns), and row `i` of a batch is exactly the element
 * `rowOf(batch, i)` — same values, same event time, same windows and pane. Wherever a transform
 * cannot take a batch, the runner hands it those elements one by one; under a portable runner
 * batches never cross the data plane, elements do (Beam-encoded).
 */
import type { KV } from './kv.js';

/** One array per field of `R`, a value per row. */
export type ColumnsOf<R> = { readonly [F in keyof R]: ArrayLike<R[F]> };

export interface ColumnBatch<R> {
  /** Rows in the batch; every column has this many values. */
  readonly length: number;
  readonly columns: ColumnsOf<R>;
}

/** A batch of `KV<K, R>`: the rows' columns, and each row's key. */
export interface KeyedColumnBatch<K, R> extends ColumnBatch<R> {
  readonly keys: ArrayLike<K>;
}

/** How a PCollection of `T` travels in batches: keyed rows for `KV<K, R>`, columns otherwise. */
export type BatchOf<T> = T extends KV<infer K, infer R> ? KeyedColumnBatch<K, R> : ColumnBatch<T>;

/** Row `i` of `batch` as the element it stands for (fields in column order). */
export function rowOf<R>(batch: ColumnBatch<R>, i: number): R {
  const row: Record<string, unknown> = {};
  const columns = batch.columns as Readonly<Record<string, ArrayLike<unknown>>>;
  for (const name in columns) row[name] = columns[name]![i];
  return row as R;
}

export function isKeyedBatch(batch: ColumnBatch<unknown>): batch is KeyedColumnBatch<unknown, unknown> {
  return (batch as { keys?: unknown }).keys !== undefined;
}
