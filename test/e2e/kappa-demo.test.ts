/**
 * The main job (`npm start`, examples/kappa-demo.ts) run as a user runs it, at a small size: it
 * generates the warehouse, replays it with progress, prints per-day results, runs realtime, and
 * says the two modes agree.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

function npmStart(args: string[]) {
  return spawnSync('npm', ['start', '--silent', '--', ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe('npm start: the Kappa+ demo', () => {
  it('is the start script', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8'));
    expect(pkg.scripts.start).toBe('node --import tsx examples/kappa-demo.ts');
  });

  it('generates a warehouse, backfills with progress, runs realtime, and the results agree', async () => {
    const root = await mkdtemp(join(tmpdir(), 'kappa-demo-'));
    roots.push(root);
    const warehouse = join(root, 'wh');
    // A relative path, as a user types it (storage paths must be absolute: the demo resolves it).
    const r = npmStart(['--days=2', '--users=2', '--trips=2', `--warehouse=${relative(process.cwd(), warehouse)}`, '--progress=json']);
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/generated in [\d.]+ s/);
    expect(out).toMatch(/gps\s+\d+ partitions\s+\d+ files\s+\d+ rows/);
    expect(out).toMatch(/trip_events\s+\d+ partitions\s+\d+ files\s+16 rows/); // 2 days × 2 users × 2 trips × (start, end)
    // Per-day results: two days, both drivers, two completed trips each; a session is 2 panes.
    expect(out).toMatch(/^2018-06-29$/m);
    expect(out).toMatch(/^2018-06-30$/m);
    expect(out.match(/^ {2}user-\d\s+trips {2}2 /gm)).toHaveLength(4);
    expect(out).toMatch(/Backfill summary: \d+ partitions read .* 16 panes \(8 EARLY, 8 ON_TIME, 0 LATE\); 0 dropped late/);
    expect(out).toMatch(/Realtime summary: \d+ messages .* 16 panes \(8 EARLY, 8 ON_TIME, 0 LATE\)/);
    expect(out).toContain('backfill and realtime agree: 16 panes, equal as multisets of (window, key, value, timing, index)');
    // Not a terminal: progress as JSON lines on stderr, the last one done at +∞.
    const progress = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)).toMatchObject({ event: 'kappa.progress', label: 'backfill', done: true, watermark: '+∞' });
    expect(progress.at(-1).partitionsCompleted).toBe(progress.at(-1).partitionsTotal);
    // The warehouse: two tables, hourly, several files in the busiest hours.
    expect((await readdir(warehouse)).sort()).toEqual(['_telemetry.json', 'gps', 'trip_events']);

    // A second run reuses the warehouse.
    const again = npmStart(['--days=2', '--users=2', '--trips=2', `--warehouse=${warehouse}`, '--progress=off']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain('already there');
    expect(again.stdout).toContain('backfill and realtime agree: 16 panes');
  });

  it('rejects an unknown flag', () => {
    const r = npmStart(['--nope=1']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unknown flag --nope/);
  });
});
