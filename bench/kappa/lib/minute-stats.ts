/**
 * The backfill workload of `bench/kappa/backfill.ts` (issue #20): per user per 1-minute
 * event-time window, the row count, the maximum speed and the count of rows with |accel| > 3.
 * Every variant folds its panes into the same `PaneChecksum`, so their results can be compared
 * field by field; every field is an integer sum (exact, independent of the order panes come in).
 */

export const COLUMNS = ['user_id', 'ts', 'speed', 'accel'] as const;
export const MINUTE = 60_000;
export const HARD_ACCEL = 3;

export interface PaneChecksum {
  rows: number;
  panes: number;
  /** Σ |accel| > 3 counts. */
  hard: number;
  /** Σ round(max speed × 1000). */
  maxSpeedMilli: number;
  /** Σ (user × 31 + minute index) mod 1,000,003: which panes, not only how many. */
  keys: number;
}

export function emptyChecksum(): PaneChecksum {
  return { rows: 0, panes: 0, hard: 0, maxSpeedMilli: 0, keys: 0 };
}

/** Folds one pane: user, window start (epoch ms), and its three figures. */
export function addPane(c: PaneChecksum, user: number, windowStart: number, count: number, maxSpeed: number, hard: number): void {
  c.rows += count;
  c.panes++;
  c.hard += hard;
  c.maxSpeedMilli += Math.round(maxSpeed * 1000);
  c.keys += (user * 31 + Math.floor(windowStart / MINUTE)) % 1_000_003;
}

export function sameChecksum(a: PaneChecksum, b: PaneChecksum): boolean {
  return a.rows === b.rows && a.panes === b.panes && a.hard === b.hard && a.maxSpeedMilli === b.maxSpeedMilli && a.keys === b.keys;
}
