/**
 * Backfill equals realtime (issue 6): the same generated driving telemetry, once written to a
 * warehouse (two tables, hourly partitions by arrival time, several files per hour) and replayed
 * with KappaReplay.group, once fed live through LiveSource, scored by the same DrivingScore
 * transform → equal multisets of panes (window, key, value, timing, index).
 *
 * The early-firing trigger is what makes this non-trivial: an EARLY pane fires when the
 * watermark passes a trip's `end` message, and holds whatever has arrived by then. The two modes
 * move the watermark very differently — an hour at a time (less the backward skew) in backfill,
 * a few seconds at a time live — yet both give exactly one EARLY pane (#0, the whole trip) and one
 * ON_TIME pane (#1) per session, because
 * - backfill: the watermark after step k is its end E_k less the backward skew B ≥ the largest
 *   delay, so every message with an event time below it arrived before E_k: its partition has
 *   been read;
 * - realtime: the watermark trails the newest event time (and the feed's clock) by at least the
 *   largest delay, so nothing behind it is still to arrive;
 * - neither mode's watermark jumps a whole session gap (1 h) at once past an end message, which
 *   would fire ON_TIME without the EARLY pane: live heartbeats every 5 s; in backfill the step
 *   watermarks E_k − B are whole seconds while messages carry 1–999 ms (`telemetry.ts`), so an
 *   end message never sits exactly on one.
 * What legitimately differs is the pane's `final` flag (see `paneKey`), so it is not compared.
 * The last test shows the comparison failing when the live bound is smaller than the delays.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { ParDo, Pipeline, type MetricResults } from '../../sdk/index.js';
import { parseOptions } from '../../sdk/options/index.js';
import { DrivingScore, gpsSource, options, telemetryOptions, type SessionScore } from '../../examples/driving-score.js';
import { CollectScores, comparePanes } from '../../examples/lib/panes.js';
import { writeTelemetryWarehouse, type WarehouseSummary } from '../../examples/lib/telemetry.js';

// Seed 8: trips that cross an hour, so the slow warehouse has rows stored after their hour.
const SIZE = { days: 2, users: 3, trips: 2, seed: 8, sampleSeconds: 2 };
const roots: string[] = [];

interface Warehouse {
  readonly root: string;
  readonly summary: WarehouseSummary;
  readonly maxDelayMillis: number;
  readonly lateFraction: number;
}

/** A warehouse of the telemetry generated with network delays up to `maxDelayMillis` (for `lateFraction` of the messages). */
async function makeWarehouse(maxDelayMillis: number, lateFraction: number): Promise<Warehouse> {
  const root = await mkdtemp(join(tmpdir(), 'kappa-equal-'));
  roots.push(root);
  const o = parseOptions(options, { ...SIZE, maxDelayMillis, lateFraction, warehouse: root });
  return { root, maxDelayMillis, lateFraction, summary: await writeTelemetryWarehouse(root, { ...telemetryOptions(o), gpsFilesPerHour: 3, tripFilesPerHour: 2 }) };
}

let usual: Warehouse;
let slow: Warehouse;
beforeAll(async () => {
  usual = await makeWarehouse(4000, 0.05);
  // Half the messages up to a minute late: many land in the hour after their event time's.
  slow = await makeWarehouse(60_000, 0.5);
});
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

interface Run {
  readonly scores: SessionScore[];
  readonly metrics: MetricResults;
}

/** Scores the telemetry of `w` in `mode`: replayed from its tables, or generated again and fed live. */
async function score(w: Warehouse, mode: 'backfill' | 'realtime', bounds: { backwardSkewMillis: number; maxOutOfOrdernessMillis: number }): Promise<Run> {
  const opts = parseOptions(options, { ...SIZE, maxDelayMillis: w.maxDelayMillis, lateFraction: w.lateFraction, warehouse: w.root, mode, ...bounds });
  const scores: SessionScore[] = [];
  const p = new Pipeline();
  // The one line that differs between the modes is inside gpsSource(opts).
  gpsSource(opts)(p).apply('DrivingScore', DrivingScore.fromOptions(opts)).scores.apply('Collect', ParDo.of(new CollectScores(scores)));
  const result = new DirectRunner().run(p);
  await result.waitUntilFinish();
  return { scores, metrics: result.metrics() };
}

function expectOnePaneOfEachKind(run: Run): void {
  const sessions = SIZE.days * SIZE.users * SIZE.trips;
  expect(run.scores).toHaveLength(2 * sessions);
  expect(run.scores.filter((s) => s.timing === 'EARLY' && s.paneIndex === 0 && s.completedTrips === 1)).toHaveLength(sessions);
  expect(run.scores.filter((s) => s.timing === 'ON_TIME' && s.paneIndex === 1)).toHaveLength(sessions);
  expect(run.metrics.counter('droppedLate')).toBe(0);
}

describe('backfill equals realtime', () => {
  it('the warehouse is what the comparison needs: hourly partitions, several files each, rows stored after their hour', () => {
    const t = usual.summary.tables;
    expect(t['gps']!.partitions).toBeGreaterThan(4);
    expect(t['gps']!.files).toBeGreaterThan(2 * t['gps']!.partitions);
    expect(t['trip_events']!.rows).toBe(2 * SIZE.days * SIZE.users * SIZE.trips);
    expect(t['gps']!.rows).toBeGreaterThan(20 * t['trip_events']!.rows);
    expect(slow.summary.skewedRows).toBeGreaterThan(10);
  });

  it('gives equal multisets of panes (window, key, value, timing, index)', async () => {
    const bounds = { backwardSkewMillis: 5000, maxOutOfOrdernessMillis: 4000 };
    const [backfill, realtime] = await Promise.all([score(usual, 'backfill', bounds), score(usual, 'realtime', bounds)]);
    const cmp = comparePanes(backfill.scores, realtime.scores);
    expect(cmp.onlyLeft, 'panes only in backfill').toEqual([]);
    expect(cmp.onlyRight, 'panes only in realtime').toEqual([]);
    // Each session: an EARLY pane #0 holding the whole trip, then ON_TIME #1, in both modes.
    expectOnePaneOfEachKind(backfill);
    expectOnePaneOfEachKind(realtime);
    // Every message was read once in each mode, every file opened once.
    const t = usual.summary.tables;
    expect(backfill.metrics.counter('rows')).toBe(t['gps']!.rows + t['trip_events']!.rows);
    expect(realtime.metrics.counter('liveElements')).toBe(t['gps']!.rows + t['trip_events']!.rows);
    expect(backfill.metrics.counter('filesOpened')).toBe(t['gps']!.files + t['trip_events']!.files);
  });

  it('still equal with minute-long network delays, when both bounds cover them', async () => {
    const bounds = { backwardSkewMillis: 60_000, maxOutOfOrdernessMillis: 60_000 };
    const [backfill, realtime] = await Promise.all([score(slow, 'backfill', bounds), score(slow, 'realtime', bounds)]);
    expect(comparePanes(backfill.scores, realtime.scores).equal).toBe(true);
    expectOnePaneOfEachKind(realtime);
  });

  it('differs when the live watermark trails by less than the delays: EARLY panes miss stragglers', async () => {
    const [backfill, realtime] = await Promise.all([
      score(slow, 'backfill', { backwardSkewMillis: 60_000, maxOutOfOrdernessMillis: 0 }),
      score(slow, 'realtime', { backwardSkewMillis: 60_000, maxOutOfOrdernessMillis: 0 }),
    ]);
    const cmp = comparePanes(backfill.scores, realtime.scores);
    expect(cmp.equal).toBe(false);
    // Only EARLY panes differ: the ON_TIME pane waits an hour past the end, long after every straggler.
    expect([...cmp.onlyLeft, ...cmp.onlyRight].every((k) => k.includes(' EARLY '))).toBe(true);
    expect(cmp.onlyLeft.length).toBe(cmp.onlyRight.length);
  });
});
