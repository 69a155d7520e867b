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
  return rowMaker(batch)(i);
}

type Columns = Readonly<Record<string, ArrayLike<unknown>>>;

/**
 * Makes rows of `batch` (`make(i)` is `rowOf(batch, i)`), for code that makes many: the columns
 * are looked up once, and a row's first 8 fields are one object literal — every row of a batch
 * gets the same hidden class at once, where filling an empty object field by field (a keyed store
 * per field) cost about three times as much per row.
 */
export function rowMaker<R>(batch: ColumnBatch<R>): (i: number) => R {
  const columns = batch.columns as Columns;
  const names = Object.keys(columns);
  const c = names.map((n) => columns[n]!);
  const [a, b, d, e, f, g, h, k] = names as [string, string, string, string, string, string, string, string];
  const [ca, cb, cd, ce, cf, cg, ch, ck] = c as [ArrayLike<unknown>, ArrayLike<unknown>, ArrayLike<unknown>, ArrayLike<unknown>, ArrayLike<unknown>, ArrayLike<unknown>, ArrayLike<unknown>, ArrayLike<unknown>];
  let make: (i: number) => Record<string, unknown>;
  switch (names.length) {
    case 0: make = () => ({}); break;
    case 1: make = (i) => ({ [a]: ca[i] }); break;
    case 2: make = (i) => ({ [a]: ca[i], [b]: cb[i] }); break;
    case 3: make = (i) => ({ [a]: ca[i], [b]: cb[i], [d]: cd[i] }); break;
    case 4: make = (i) => ({ [a]: ca[i], [b]: cb[i], [d]: cd[i], [e]: ce[i] }); break;
    case 5: make = (i) => ({ [a]: ca[i], [b]: cb[i], [d]: cd[i], [e]: ce[i], [f]: cf[i] }); break;
    case 6: make = (i) => ({ [a]: ca[i], [b]: cb[i], [d]: cd[i], [e]: ce[i], [f]: cf[i], [g]: cg[i] }); break;
    case 7: make = (i) => ({ [a]: ca[i], [b]: cb[i], [d]: cd[i], [e]: ce[i], [f]: cf[i], [g]: cg[i], [h]: ch[i] }); break;
    case 8: make = (i) => ({ [a]: ca[i], [b]: cb[i], [d]: cd[i], [e]: ce[i], [f]: cf[i], [g]: cg[i], [h]: ch[i], [k]: ck[i] }); break;
    default:
      // the first 8 fields as above, the rest one by one
      make = (i) => {
        const row: Record<string, unknown> = { [a]: ca[i], [b]: cb[i], [d]: cd[i], [e]: ce[i], [f]: cf[i], [g]: cg[i], [h]: ch[i], [k]: ck[i] };
        for (let j = 8; j < names.length; j++) row[names[j]!] = c[j]![i];
        return row;
      };
  }
  return make as (i: number) => R;
}

export function isKeyedBatch(batch: ColumnBatch<unknown>): batch is KeyedColumnBatch<unknown, unknown> {
  return (batch as { keys?: unknown }).keys !== undefined;
}
