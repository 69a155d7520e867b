/**
 * The files of one table must agree on the types of the columns a read uses. Without a declared
 * schema the first file a read opens sets the types; every later file is checked against it, so
 * a sibling whose `speed` is a string where the others hold doubles is a `schema-mismatch` error
 * naming both files — not rows with strings in them, silently accepted.
 */
import type { FileSchema } from './schema.js';

export class SiblingSchema {
  private reference: { path: string; types: Map<string, string> } | undefined;

  /**
   * Problems of `path` against the first file checked (none for the first): a column of
   * `columns` (default: every column of the first file) missing, or of another type.
   * Nullability may differ: both read as the value or null.
   */
  check(path: string, schema: FileSchema, columns?: readonly string[]): string[] {
    if (!this.reference) {
      const names = columns ?? [...schema.keys()];
      this.reference = { path, types: new Map(names.filter((c) => schema.has(c)).map((c) => [c, schema.get(c)!.type])) };
      return [];
    }
    const problems: string[] = [];
    const ref = this.reference;
    for (const [column, type] of ref.types) {
      if (columns && !columns.includes(column)) continue;
      const got = schema.get(column);
      if (!got) problems.push(`column "${column}" is missing here but present in ${ref.path}, a file of the same read`);
      else if (got.type !== type) {
        problems.push(`column "${column}" is ${got.type} here but ${type} in ${ref.path}, a file of the same read; every file must give a read column one type (rewrite this file, or read it separately)`);
      }
    }
    return problems;
  }
}
