/** Typed errors of the Kappa+ replay: each names the source, the table and what to do. */
import { TributaryError } from '../../sdk/errors.js';

/** A replay cannot go on: missing partitions under `onMissingPartition: 'fail'`, a row with no usable event time. */
export class KappaReplayError extends TributaryError {}

/**
 * A source of a replay has no partition to read at all: no partition present in the range (or,
 * without a range, none in the table). Replaying it would end at once with zero rows and exit 0,
 * which for a backfill is a silent wrong answer — typically a mistyped path, a wrong layout or a
 * range outside the data.
 */
export class NoPartitionsError extends TributaryError {
  constructor(
    readonly source: string,
    readonly table: string,
    /** The range that was asked for (`[from, to)` epoch ms), if any. */
    readonly range: { readonly from: number; readonly to: number } | undefined,
    /** Partitions present on storage outside the range: how many, first and last interval starts. */
    readonly present: { readonly count: number; readonly first: number; readonly last: number } | undefined,
    /** Partitions the range expected (all of them absent). */
    readonly expected: number,
  ) {
    const where = range ? `no partition in the range [${iso(range.from)}, ${iso(range.to)}) (${expected} expected, none present)` : 'no partitions';
    const elsewhere = present
      ? `; the table holds ${present.count} partition(s) from ${iso(present.first)} to ${iso(present.last)}: check the range`
      : range
        ? '; the table holds no partition at all: check the table path and its layout (hourly, daily, hive(...), template(...))'
        : ': check the table path and its layout (hourly, daily, hive(...), template(...))';
    super(`KappaReplay source "${source}": table ${table} has ${where}${elsewhere}`);
  }
}

function iso(t: number): string {
  return new Date(t).toISOString();
}
