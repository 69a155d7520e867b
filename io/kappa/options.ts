/** Options of a Kappa+ replay (KAPPA.md) and the events it reports. */
import type { Duration, Instant } from '../../sdk/index.js';
import type { Predicate } from '../parquet/predicates.js';
import type { Layout } from '../warehouse/layout.js';
import type { ReplayClock } from './clock.js';

export interface Throttle {
  /** Most rows per second (a token bucket holding one second's worth). */
  readonly rowsPerSecond?: number;
  /** Most Parquet bytes fetched per second. */
  readonly bytesPerSecond?: number;
}

/** One warehouse table of a lockstep group. */
export interface KappaTable {
  /** Table root: a local path or `s3://bucket/prefix`. */
  readonly table: string;
  /** `'hourly'`, `'daily'` or a `hive(...)` / `template(...)` layout (default `'hourly'`). */
  readonly layout?: Layout | 'hourly' | 'daily';
  /** The column holding each row's event time (epoch ms, a Parquet timestamp, a Date or an ISO string). */
  readonly timestampColumn: string;
  /** Columns to read (default all); pushed down to Parquet. */
  readonly columns?: readonly string[];
  /** ANDed predicates, pushed down to Parquet (row groups skipped by statistics, rows filtered). */
  readonly predicates?: readonly Predicate[];
  /** Rows may sit in a partition *earlier* than their timestamp by up to this much (default 0). */
  readonly forwardSkew?: Duration;
  /** Rows may sit in a partition *later* than their timestamp by up to this much (default 0). */
  readonly backwardSkew?: Duration;
  readonly throttle?: Throttle;
}

export interface KappaReplayOptions {
  /** Replay only rows with `from ≤ ts < to`; others are counted in `outOfRange`. */
  readonly range?: { readonly from: Instant; readonly to: Instant };
  /** Files of a partition read at once (default 4). */
  readonly fileConcurrency?: number;
  /** An expected partition whose directory is absent: replayed as empty (default) or fails the run before any row. */
  readonly onMissingPartition?: 'empty' | 'fail';
  /** A throttle over the whole group, on top of each source's own. */
  readonly throttle?: Throttle;
  /** Row groups fetched ahead per open file (default 1). */
  readonly readAhead?: number;
  /** Receives open / complete / watermark events (tests, debugging). */
  readonly trace?: (event: ReplayTraceEvent) => void;
  /** Receives progress after every partition and at most once a second in between. */
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** Time for throttling and progress (default: the system clock); tests pass a virtual clock. */
  readonly clock?: ReplayClock;
  /** Called before each file is read (tests inject delays or crashes here). */
  readonly beforeFile?: (source: string, partition: string, path: string) => void | Promise<void>;
  /** Called after each row is emitted (tests inject per-row delays here). */
  readonly afterRow?: (source: string) => void | Promise<void>;
}

export type ReplayTraceEvent =
  | { readonly kind: 'open'; readonly source: string; readonly partition: string }
  | { readonly kind: 'complete'; readonly source: string; readonly partition: string; readonly rows: number }
  | { readonly kind: 'watermark'; readonly operator: string; readonly value: Instant };

export interface ReplayProgress {
  readonly partitionsCompleted: number;
  readonly partitionsTotal: number;
  readonly rows: number;
  /** Rows per second since the replay started (clock time). */
  readonly rowsPerSecond: number;
  /** The group's watermark (−∞ before the first step completes). */
  readonly watermark: Instant;
  /** Estimated time to finish, from the partitions left at the rate so far (undefined before the first). */
  readonly etaMs: number | undefined;
  readonly elapsedMs: number;
  readonly done: boolean;
}
