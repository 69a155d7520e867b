/** Options of a Kappa+ replay (KAPPA.md) and the events it reports. */
import type { Duration, Instant } from '../../sdk/index.js';
import type { Predicate } from '../parquet/predicates.js';
import type { Layout } from '../warehouse/layout.js';
import type { ReplayClock } from './clock.js';

export interface Throttle {
  /** Most rows per second, paced row by row: no row goes out before its token is in the bucket. */
  readonly rowsPerSecond?: number;
  /** Rows the bucket holds (default one second's worth, `rowsPerSecond`): the most that go out
   *  at once after a pause, and the largest delivery while throttled. */
  readonly rowsBurst?: number;
  /** Most Parquet bytes fetched per second (a file's bytes are counted after they are fetched). */
  readonly bytesPerSecond?: number;
  /** Bytes the bucket holds (default one second's worth, `bytesPerSecond`). */
  readonly bytesBurst?: number;
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

/** One source's share of a replay's progress (`ReplayProgress.sources`). */
export interface SourceProgress {
  readonly partitionsCompleted: number;
  readonly partitionsTotal: number;
  readonly filesCompleted: number;
  readonly filesTotal: number;
  /** Rows emitted. */
  readonly rows: number;
  /** Rows outside the range (row groups skipped by their statistics included). */
  readonly outOfRange: number;
  readonly rowGroupsSkipped: number;
  readonly bytesFetched: number;
}

/**
 * A progress event. In order: a `file` event when a file has been read to its end, a `partition`
 * event when every file of a partition has (after its files' events; the partition that completes
 * a step for the whole group reports once the step's watermark has moved, and carries it), a
 * `tick` at most once a second of clock time while nothing else is reported, and one `done`.
 */
export interface ReplayProgress {
  readonly event: 'file' | 'partition' | 'tick' | 'done';
  /** The source, partition (label) and file of a `file` or `partition` event. */
  readonly source?: string;
  readonly partition?: string;
  readonly file?: string;
  readonly partitionsCompleted: number;
  readonly partitionsTotal: number;
  readonly filesCompleted: number;
  readonly filesTotal: number;
  readonly rows: number;
  /** Rows per second since the replay started (clock time). */
  readonly rowsPerSecond: number;
  /** The group's watermark (−∞ before the first step completes, +∞ when done). */
  readonly watermark: Instant;
  /**
   * Share of the work done, 0..1: bytes of the files read to their end over the bytes of every
   * file to read (listed sizes); by partitions when there are no bytes at all; 1 when done.
   */
  readonly fractionComplete: number;
  /** Estimated time to finish, from the bytes left at this run's rate so far (undefined before the first file). */
  readonly etaMs: number | undefined;
  readonly elapsedMs: number;
  readonly done: boolean;
  /** Per source (group order), the same counters; the fields above are the group's totals. */
  readonly sources: Readonly<Record<string, SourceProgress>>;
}
