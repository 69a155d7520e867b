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
import { generatedRows, type RowsAt } from './row-source.js';

export type { RowsAt } from './row-source.js';

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
  return rowsOf(batch).at(i);
}

type Columns = Readonly<Record<string, ArrayLike<unknown>>>;

/**
 * Makes rows of `batch` (`make(i)` is `rowOf(batch, i)`), for code that makes many: `rowsOf`'s
 * `at` as a function.
 */
export function rowMaker<R>(batch: ColumnBatch<R>): (i: number) => R {
  const rows = rowsOf(batch);
  return (i) => rows.at(i);
}

/**
 * The rows of `batch` (`at(i)` is `rowOf(batch, i)`), for code that makes many. A class generated
 * once per column layout makes them (`row-source.ts`: the row one object literal with the names
 * written in, one hidden class and one call target for every batch of the layout). Where code
 * cannot be generated, a closure with computed names does the same, slower (`closureRowMaker`).
 */
export function rowsOf<R>(batch: ColumnBatch<R>): RowsAt<R> {
  const columns = batch.columns as Columns;
  const names = Object.keys(columns);
  const c = names.map((n) => columns[n]!);
  const Rows = generatedRows(names);
  return (Rows ? new Rows(c) : { at: closureRowMaker(names, c) }) as RowsAt<R>;
}

/**
 * The maker without generated code: the columns looked up once, a row's first 8 fields one
 * object literal with computed names (every row of a batch gets the same hidden class at once,
 * where filling an empty object field by field cost about three times as much per row).
 */
export function closureRowMaker(names: readonly string[], c: readonly ArrayLike<unknown>[]): (i: number) => Record<string, unknown> {
  const [a, b, d, e, f, g, h, k] = names as [string, string, string, string, string, string, string, string];
  const [ca, cb, cd, ce, cf, cg, ch, ck] = c as [ArrayLike<unknown>, ArrayLike<unknown>, ArrayLike<unknown>, ArrayLike<unknown>, ArrayLike<unknown>, ArrayLike<unknown>, ArrayLike<unknown>, ArrayLike<unknown>];
  switch (names.length) {
    case 0: return () => ({});
    case 1: return (i) => ({ [a]: ca[i] });
    case 2: return (i) => ({ [a]: ca[i], [b]: cb[i] });
    case 3: return (i) => ({ [a]: ca[i], [b]: cb[i], [d]: cd[i] });
    case 4: return (i) => ({ [a]: ca[i], [b]: cb[i], [d]: cd[i], [e]: ce[i] });
    case 5: return (i) => ({ [a]: ca[i], [b]: cb[i], [d]: cd[i], [e]: ce[i], [f]: cf[i] });
    case 6: return (i) => ({ [a]: ca[i], [b]: cb[i], [d]: cd[i], [e]: ce[i], [f]: cf[i], [g]: cg[i] });
    case 7: return (i) => ({ [a]: ca[i], [b]: cb[i], [d]: cd[i], [e]: ce[i], [f]: cf[i], [g]: cg[i], [h]: ch[i] });
    case 8: return (i) => ({ [a]: ca[i], [b]: cb[i], [d]: cd[i], [e]: ce[i], [f]: cf[i], [g]: cg[i], [h]: ch[i], [k]: ck[i] });
    default:
      // the first 8 fields as above, the rest one by one (`__proto__` defined, not assigned: an
      // assignment would set the prototype)
      return (i) => {
        const row: Record<string, unknown> = { [a]: ca[i], [b]: cb[i], [d]: cd[i], [e]: ce[i], [f]: cf[i], [g]: cg[i], [h]: ch[i], [k]: ck[i] };
        for (let j = 8; j < names.length; j++) {
          if (names[j] === '__proto__') Object.defineProperty(row, '__proto__', { value: c[j]![i], writable: true, enumerable: true, configurable: true });
          else row[names[j]!] = c[j]![i];
        }
        return row;
      };
  }
}

export function isKeyedBatch(batch: ColumnBatch<unknown>): batch is KeyedColumnBatch<unknown, unknown> {
  return (batch as { keys?: unknown }).keys !== undefined;
}
