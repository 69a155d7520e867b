/**
 * Rows of a column batch, made by code generated per column layout. An element-wise consumer of
 * a column batch takes each row as a plain object whose fields are the columns, in column order
 * (`rowOf`). Made by a closure with computed field names, each row costs a keyed store per field;
 * made by a function whose object literal names the fields in its source, V8 clones the literal's
 * template — one allocation, the fields written in place, one hidden class for every row of the
 * layout. So a class is written once per layout (the names, in order) and compiled with
 * `new Function`: an instance holds one batch's columns, and its `at(i)` makes row `i`. Every
 * batch of a layout is an instance of the same class, so a call site taking rows from batch after
 * batch sees one receiver shape and one target (a closure per batch is a new call target each
 * time, and V8 discards the optimized caller when the target changes). Only the names go into
 * the source, each as a JSON string literal, never a value.
 */

/** Rows of one batch: `at(i)` makes row `i` (a new object each call). */
export interface RowsAt<R = Record<string, unknown>> {
  at(i: number): R;
}

type RowsClass = new (columns: readonly ArrayLike<unknown>[]) => RowsAt;

/** Layouts compiled so far (a job reads few); past `MAX_LAYOUTS`, rows are no longer generated. */
const classes = new Map<string, RowsClass>();
const MAX_LAYOUTS = 1024;
/** Set when code cannot be generated here (`--disallow-code-generation-from-strings`, a CSP). */
let unavailable = false;

/** The generated class for rows with fields `names` in this order, or undefined when code cannot be generated here. */
export function generatedRows(names: readonly string[]): RowsClass | undefined {
  if (unavailable) return undefined;
  const key = `${names.length}\u0000${names.join('\u0000')}`;
  const known = classes.get(key);
  if (known || classes.size >= MAX_LAYOUTS) return known;
  let made: RowsClass;
  try {
    made = new Function(rowsClassSource(names))() as RowsClass;
  } catch {
    unavailable = true;
    return undefined;
  }
  classes.set(key, made);
  return made;
}

/**
 * The source of a function returning the class: its constructor takes the columns (an array, in
 * `names`' order). `__proto__` as a literal's plain field name would set the prototype, so that one
 * name is written computed (an own field, as in the batch).
 */
export function rowsClassSource(names: readonly string[]): string {
  const fields = names.map((n, j) => `${n === '__proto__' ? `[${JSON.stringify(n)}]` : JSON.stringify(n)}: this.c${j}[i]`);
  const init = names.map((_, j) => `this.c${j} = columns[${j}];`);
  return `'use strict';\nreturn class Rows {\n  constructor(columns) { ${init.join(' ')} }\n  at(i) { return { ${fields.join(', ')} }; }\n};`;
}
