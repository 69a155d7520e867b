/**
 * A CombineFn folds values into an accumulator. Because accumulators merge, a runner can combine
 * before shuffling (combiner lifting) and never hold a key's values as a list.
 */
import type { Coder } from '../coders/coder.js';
import type { ColumnsOf } from '../values/column-batch.js';

export interface CombineFn<I, A, O> {
  createAccumulator(): A;
  /** May mutate and return `accumulator`, or return a new one. */
  addInput(accumulator: A, input: I): A;
  mergeAccumulators(accumulators: Iterable<A>): A;
  extractOutput(accumulator: A): O;
  /** The accumulator's coder, for runners that shuffle accumulators (default: JSON coder). */
  accumulatorCoder?(): Coder<A>;
}

/**
 * A CombineFn over rows that can also add a row of a column batch where it lies, without the row
 * object (values/column-batch.ts): `addRow(acc, columns, i)` must do what
 * `addInput(acc, rowOf(batch, i))` does. A runner whose input arrives in batches calls it; any
 * other calls `addInput`.
 */
export interface RowCombineFn<I, A, O> extends CombineFn<I, A, O> {
  addRow(accumulator: A, columns: ColumnsOf<I>, row: number): A;
}

export function addsRows(fn: CombineFn<unknown, unknown, unknown>): fn is RowCombineFn<unknown, unknown, unknown> {
  return typeof (fn as { addRow?: unknown }).addRow === 'function';
}

const CALLS_NO_USER_CODE = new WeakSet<object>();

/**
 * @internal Marks one of the SDK's own CombineFns that calls no user code and updates no metrics
 * (Sum, Count, Mean, ToList, Min and Max in natural order): a runner may call it bare, without
 * swapping in its Combine's metrics container or wrapping its errors around every element.
 */
export function callsNoUserCode<F extends CombineFn<any, any, any>>(fn: F): F {
  CALLS_NO_USER_CODE.add(fn);
  return fn;
}

/** @internal False only for a CombineFn marked by `callsNoUserCode`. */
export function mayRunUserCode(fn: CombineFn<any, any, any>): boolean {
  return !CALLS_NO_USER_CODE.has(fn);
}

export type CombineInput<F> = F extends CombineFn<infer I, any, any> ? I : never;
export type CombineOutput<F> = F extends CombineFn<any, any, infer O> ? O : never;

/** A CombineFn from a binary function over outputs, like Beam's `BinaryCombineFn`. Empty input
 *  gives `identity`. */
export function binaryCombineFn<T>(combine: (a: T, b: T) => T, identity: T): CombineFn<T, T, T> {
  return {
    createAccumulator: () => identity,
    addInput: combine,
    mergeAccumulators(accs) {
      let acc = identity;
      for (const a of accs) acc = combine(acc, a);
      return acc;
    },
    extractOutput: (acc) => acc,
  };
}
