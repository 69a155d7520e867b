/**
 * The aggregations a grouping folds values into, shared by the direct runner's GroupByKey and
 * Combine and the harness's GroupAlsoByWindow: a list for GroupByKey, a CombineFn's accumulator
 * for a combine (with the rows of a column batch added where they lie, when the CombineFn can).
 */
import { addsRows, type CombineFn, type RowCombineFn } from '../../../sdk/transforms/combine-fn.js';
import { toListFn } from '../../../sdk/transforms/combiners.js';
import type { ColumnsOf } from '../../../sdk/values/column-batch.js';
import { BatchRow } from '../batches.js';
import type { Aggregation } from './keyed-window-reducer.js';

/** GroupByKey's aggregation: the values as a list (ToList's CombineFn), which holds every value.
 *  A pane of an accumulating window gets a copy: later panes add to the list it came from. */
export const LIST_AGGREGATION: Aggregation<unknown, unknown[], unknown[]> = {
  ...combineAggregation(toListFn<unknown>()),
  extractKept: (acc) => acc.slice(),
  held: (acc) => acc.length,
};

/** A CombineFn as the reducer's aggregation; one that adds rows where they lie also takes batch rows. */
export function combineAggregation<I, A, O>(fn: CombineFn<I, A, O>): Aggregation<I, A, O> {
  const rows = addsRows(fn as CombineFn<unknown, unknown, unknown>) ? (fn as unknown as RowCombineFn<I, A, O>) : undefined;
  return {
    create: () => fn.createAccumulator(),
    add: rows ? (acc, v) => (v instanceof BatchRow ? rows.addRow(acc, v.batch.columns as ColumnsOf<I>, v.index) : rows.addInput(acc, v)) : (acc, v) => fn.addInput(acc, v),
    takesRows: rows !== undefined,
    merge: (accs) => fn.mergeAccumulators(accs),
    extract: (acc) => fn.extractOutput(acc),
    // An output may be (part of) the accumulator, as ToList's is; extracting from a merge of the
    // one accumulator gives a CombineFn the chance to copy, as mergeAccumulators builds anew.
    extractKept: (acc) => fn.extractOutput(fn.mergeAccumulators([acc])),
  };
}
