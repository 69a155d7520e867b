/**
 * Panes of the driving score as comparable data: collected in-process from a run on the direct
 * runner, and compared as multisets of (window, key, value, timing, index) — how the Kappa+
 * demo and tests check that backfill and realtime agree.
 */
import { DoFn, type ProcessContext } from '../../sdk/index.js';
import type { SessionScore } from '../driving-score.js';

/** Keeps every pane in `sink` (in-process runners only) and passes it on. */
export class CollectScores extends DoFn<SessionScore, SessionScore> {
  constructor(private readonly sink: SessionScore[]) {
    super();
  }
  process(s: SessionScore, ctx: ProcessContext<SessionScore>): void {
    this.sink.push(s);
    ctx.output(s);
  }
}

/**
 * One pane as text: window, key, value (the factors), timing and index. `final` (the pane's
 * isLast) is left out on purpose: whether the ON_TIME pane is also the last depends on how far
 * the watermark jumped when it fired — past the allowed lateness in one step in a backfill
 * (watermarks move an hour at a time), a few seconds at a time live — not on the data.
 */
export function paneKey(s: SessionScore): string {
  const iso = (t: number) => new Date(t).toISOString();
  return [
    `[${iso(s.sessionStart)},${iso(s.sessionEnd)})`,
    s.user,
    `messages=${s.messages} trips=${s.completedTrips} speeding=${s.speeding} accel=${s.rapidAccel} decel=${s.rapidDecel}`,
    s.timing,
    `#${s.paneIndex}`,
  ].join(' ');
}

export interface PaneComparison {
  readonly equal: boolean;
  readonly left: number;
  readonly right: number;
  /** Panes (as `paneKey`) with more copies on the left, and on the right. */
  readonly onlyLeft: string[];
  readonly onlyRight: string[];
}

/** Compares two runs' panes as multisets. */
export function comparePanes(left: readonly SessionScore[], right: readonly SessionScore[]): PaneComparison {
  const counts = new Map<string, number>();
  for (const s of left) counts.set(paneKey(s), (counts.get(paneKey(s)) ?? 0) + 1);
  for (const s of right) counts.set(paneKey(s), (counts.get(paneKey(s)) ?? 0) - 1);
  const onlyLeft: string[] = [];
  const onlyRight: string[] = [];
  for (const [k, n] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (let i = 0; i < n; i++) onlyLeft.push(k);
    for (let i = 0; i < -n; i++) onlyRight.push(k);
  }
  return { equal: onlyLeft.length === 0 && onlyRight.length === 0, left: left.length, right: right.length, onlyLeft, onlyRight };
}
