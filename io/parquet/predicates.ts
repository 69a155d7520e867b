/**
 * Simple predicates on one column, used twice: to skip whole row groups whose min/max statistics
 * prove that no row can match, and to filter the rows of the row groups that are read.
 * Several predicates are ANDed. A null value never matches.
 */
import type { ColumnChunk, RowGroup } from 'hyparquet';
import { PredicateTypeError } from './errors.js';

export type Scalar = number | bigint | string | boolean | Date;

export type Predicate =
  | { column: string; op: 'eq' | 'lt' | 'le' | 'gt' | 'ge'; value: Scalar }
  | { column: string; op: 'in'; values: Scalar[] }
  | { column: string; op: 'between'; low: Scalar; high: Scalar };

export const eq = (column: string, value: Scalar): Predicate => ({ column, op: 'eq', value });
export const lt = (column: string, value: Scalar): Predicate => ({ column, op: 'lt', value });
export const le = (column: string, value: Scalar): Predicate => ({ column, op: 'le', value });
export const gt = (column: string, value: Scalar): Predicate => ({ column, op: 'gt', value });
export const ge = (column: string, value: Scalar): Predicate => ({ column, op: 'ge', value });
export const isIn = (column: string, values: Scalar[]): Predicate => ({ column, op: 'in', values });
/** Inclusive on both ends. */
export const between = (column: string, low: Scalar, high: Scalar): Predicate => ({ column, op: 'between', low, high });

/** Rows with `start ≤ column < end` (epoch milliseconds). */
export interface TimeRange {
  column: string;
  start: number;
  end: number;
}

/** A time range as predicates: `ge(start)` and `lt(end)`. */
export function timeRangePredicates(range: TimeRange): Predicate[] {
  return [ge(range.column, range.start), lt(range.column, range.end)];
}

type Comparable = number | bigint | string | boolean;

function norm(v: unknown): Comparable | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' || typeof v === 'boolean') return v;
  return null; // bytes and others are not comparable here
}

/** number and bigint are one kind (they compare natively); strings and booleans each their own. */
function kindOf(v: Comparable): 'number' | 'string' | 'boolean' {
  return typeof v === 'bigint' ? 'number' : (typeof v as 'number' | 'string' | 'boolean');
}

/** The order of two values of one kind; undefined for two kinds (JavaScript would coerce a string
 *  to NaN and call every comparison false — equal, to this function). */
function cmp(a: Comparable, b: Comparable): number | undefined {
  if (kindOf(a) !== kindOf(b)) return undefined;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `cmp` for a row value, where two kinds are the caller's mistake, said as such. */
function cmpRow(p: Predicate, v: Comparable, x: Comparable): number {
  const c = cmp(v, x);
  if (c === undefined) throw new PredicateTypeError(p.column, kindOf(x), kindOf(v), v);
  return c;
}

/** True when the row value satisfies the predicate. */
export function matches(p: Predicate, raw: unknown): boolean {
  const v = norm(raw);
  if (v === null) return false;
  switch (p.op) {
    case 'eq':
      return cmpRow(p, v, norm(p.value)!) === 0;
    case 'lt':
      return cmpRow(p, v, norm(p.value)!) < 0;
    case 'le':
      return cmpRow(p, v, norm(p.value)!) <= 0;
    case 'gt':
      return cmpRow(p, v, norm(p.value)!) > 0;
    case 'ge':
      return cmpRow(p, v, norm(p.value)!) >= 0;
    case 'in':
      return p.values.some((x) => cmpRow(p, v, norm(x)!) === 0);
    case 'between':
      return cmpRow(p, v, norm(p.low)!) >= 0 && cmpRow(p, v, norm(p.high)!) <= 0;
  }
}

export function matchesAll(predicates: Predicate[], row: Record<string, unknown>): boolean {
  for (const p of predicates) if (!matches(p, row[p.column])) return false;
  return true;
}

/** min/max of one column chunk, when the statistics allow them to be trusted as bounds. */
export function chunkBounds(chunk: ColumnChunk | undefined, numRows: bigint): { min?: Comparable; max?: Comparable; allNull: boolean } | undefined {
  const st = chunk?.meta_data?.statistics;
  if (!st) return undefined;
  const allNull = st.null_count !== undefined && st.null_count === numRows;
  const min = norm(st.min_value ?? st.min);
  let max = norm(st.max_value ?? st.max);
  // a truncated string maximum is not a bound
  if (typeof max === 'string' && st.is_max_value_exact === false) max = null;
  return { min: min ?? undefined, max: max ?? undefined, allNull };
}

/** True when the statistics prove that no row of the row group satisfies `p`. Statistics of
 *  another kind than the predicate's value prove nothing: the group is read (and its rows say
 *  what is wrong). */
export function canSkip(p: Predicate, b: { min?: Comparable; max?: Comparable; allNull: boolean }): boolean {
  if (b.allNull) return true; // nulls never match
  const { min, max } = b;
  const order = (bound: Comparable | undefined, x: Scalar): number | undefined => (bound === undefined ? undefined : cmp(bound, norm(x)!));
  const below = (x: Scalar) => (order(max, x) ?? 0) < 0; // every value < x
  const above = (x: Scalar) => (order(min, x) ?? 0) > 0; // every value > x
  switch (p.op) {
    case 'eq':
      return below(p.value) || above(p.value);
    case 'lt':
      return (order(min, p.value) ?? -1) >= 0;
    case 'le':
      return above(p.value);
    case 'gt':
      return (order(max, p.value) ?? 1) <= 0;
    case 'ge':
      return below(p.value);
    case 'in':
      return p.values.every((x) => below(x) || above(x));
    case 'between':
      return below(p.low) || above(p.high);
  }
}

/**
 * True when the row group's statistics of `range.column` prove every value outside
 * `[start, end)`. Only numeric and timestamp statistics count (a string column's bounds are not
 * comparable with epoch milliseconds). A group of nulls only is read: a row with no time is the
 * caller's error to report, not a row to skip.
 */
export function rowGroupOutside(rowGroup: RowGroup, range: TimeRange): boolean {
  const chunk = rowGroup.columns.find((c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === range.column);
  const b = chunkBounds(chunk, rowGroup.num_rows);
  if (!b || b.allNull) return false;
  const numeric = (v: Comparable | undefined): v is number | bigint => typeof v === 'number' || typeof v === 'bigint';
  if (!numeric(b.min) || !numeric(b.max)) return false;
  return Number(b.max) < range.start || Number(b.min) >= range.end;
}

/** True when some predicate proves that the row group holds no matching row. */
export function rowGroupCanBeSkipped(rowGroup: RowGroup, predicates: Predicate[]): boolean {
  for (const p of predicates) {
    const chunk = rowGroup.columns.find((c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === p.column);
    const bounds = chunkBounds(chunk, rowGroup.num_rows);
    if (bounds && canSkip(p, bounds)) return true;
  }
  return false;
}
