/** Typed Parquet errors: each names the file (and row group or row) and the problem. */
import { TributaryError } from '../../sdk/errors.js';

/** `limit-exceeded`: the file claims more rows or bytes than the read's limits allow (see limits.ts). */
export type ParquetProblem = 'truncated' | 'corrupt' | 'schema-mismatch' | 'unreadable' | 'limit-exceeded';

export class ParquetFileError extends TributaryError {
  override readonly name = 'ParquetFileError';
  readonly path: string;
  readonly problem: ParquetProblem;
  readonly detail: string;
  /** The row group being read when the problem showed, if any. */
  readonly rowGroup: number | undefined;

  constructor(args: { path: string; problem: ParquetProblem; detail: string; rowGroup?: number; cause?: unknown }) {
    const where = args.rowGroup === undefined ? '' : ` (row group ${args.rowGroup})`;
    super(`Parquet file ${args.path}${where}: ${args.problem}: ${args.detail}`, { cause: args.cause });
    this.path = args.path;
    this.problem = args.problem;
    this.detail = args.detail;
    this.rowGroup = args.rowGroup;
  }
}

/** A row that does not fit the declared schema, found while writing. */
export class ParquetRowError extends TributaryError {
  override readonly name = 'ParquetRowError';
  readonly path: string;
  readonly column: string;
  readonly row: unknown;

  constructor(args: { path: string; column: string; row: unknown; detail: string }) {
    super(`Parquet file ${args.path}: row does not match the schema: ${args.detail}`);
    this.path = args.path;
    this.column = args.column;
    this.row = args.row;
  }
}

/** A row whose event-time column holds no usable timestamp, read or written without a dead-letter
 *  output (with one, the row goes there and is counted instead). */
export class RowTimestampError extends TributaryError {
  override readonly name = 'RowTimestampError';
  constructor(
    /** The file or table. */
    readonly path: string,
    readonly column: string,
    readonly row: unknown,
    message: string,
  ) {
    super(message);
  }
}

/** A ParquetWriter used after it was closed. */
export class ParquetWriterClosedError extends TributaryError {
  override readonly name = 'ParquetWriterClosedError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** A predicate (or time range) whose value cannot be compared with the column's values: a number
 *  against a string column, say. Comparing them would silently match nothing (or skip every row
 *  group by its statistics), so the read fails instead. */
export class PredicateTypeError extends TributaryError {
  override readonly name = 'PredicateTypeError';
  constructor(
    readonly column: string,
    readonly predicateKind: string,
    readonly valueKind: string,
    sample: unknown,
  ) {
    super(
      `a predicate on column "${column}" compares a ${predicateKind} with the column's ${valueKind} values (e.g. ${JSON.stringify(typeof sample === 'bigint' ? String(sample) : sample)}): ` +
        `give the predicate a ${valueKind}` + (predicateKind === 'number' && valueKind === 'string' ? ', or store the column as a timestamp or integer (a time range needs epoch milliseconds)' : ''),
    );
  }
}
