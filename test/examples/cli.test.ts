/** The event-time examples run from the command line, in both source modes, with their flags. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';

describe('event-time examples through the CLI', () => {
  it('driving-score: an EARLY and an ON_TIME pane per session of the generated trace', async () => {
    const r = await runCli(['run', 'examples/driving-score.ts', '--runner=direct', '--users=2', '--trips=2', '--seed=3']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.filter((l) => / EARLY /.test(l))).toHaveLength(4);
    expect(lines.filter((l) => / ON_TIME /.test(l))).toHaveLength(4);
  });

  it('driving-score --source=batch: one ON_TIME pane per session; thresholds are flags', async () => {
    const r = await runCli(['run', 'examples/driving-score.ts', '--runner=direct', '--users=2', '--trips=2', '--source=batch', '--speedLimit=1']);
    expect(r.code, r.stderr).toBe(0);
    const panes = r.stdout.split('\n').filter((l) => /^user-/.test(l));
    expect(panes).toHaveLength(4);
    for (const p of panes) expect(p).toMatch(/ON_TIME .*speeding 1 /); // every trip is one long speeding run at 1 km/h
  });

  it('driving-score --mode=backfill and --mode=realtime print the same panes (the final flag aside)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ds-modes-'));
    try {
      const size = ['--runner=direct', '--days=2', '--users=2', '--trips=2', '--seed=5', `--warehouse=${join(root, 'wh')}`];
      const backfill = await runCli(['run', 'examples/driving-score.ts', '--mode=backfill', ...size]);
      expect(backfill.code, backfill.stderr).toBe(0);
      expect(backfill.stdout).toMatch(/kappa\/partitionsRead\s+Warehouse\/Replay\s+\d+/);
      const realtime = await runCli(['run', 'examples/driving-score.ts', '--mode=realtime', '--maxOutOfOrdernessMillis=4000', ...size]);
      expect(realtime.code, realtime.stderr).toBe(0);
      expect(realtime.stdout).toMatch(/kappa\/liveElements\s+Live\/Read\s+\d+/);
      // `final` depends on how far the watermark jumped, not on the data (see examples/lib/panes.ts).
      const panes = (out: string) => out.split('\n').filter((l) => /^user-/.test(l)).map((l) => l.replace(' final', '      ')).sort();
      expect(panes(backfill.stdout)).toHaveLength(16); // 8 sessions × (EARLY, ON_TIME)
      expect(panes(realtime.stdout)).toEqual(panes(backfill.stdout));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('sliding-metrics: every event enriched or late', async () => {
    const r = await runCli(['run', 'examples/sliding-metrics.ts', '--runner=direct', '--events=500', '--print=5']);
    expect(r.code, r.stderr).toBe(0);
    const enriched = Number(/sliding-metrics\/enriched\s+\S+\s+(\d+)/.exec(r.stdout + r.stderr)?.[1]);
    const late = (r.stdout.match(/^late: /gm) ?? []).length;
    expect(enriched + late).toBe(500);
    expect(r.stdout).toMatch(/distinct users in the week to/);
  });
});
