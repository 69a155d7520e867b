/**
 * Kill trials on Flink (issue #13): the Kappa+ replay fixture (test/fixtures/pipelines/
 * kappa-resume.ts: 2-hour sums written as one file per pane) on an embedded Flink with
 * `--environment=process --checkpointingInterval=500`; in each trial the fixture's DoFn SIGKILLs
 * the harness process running it before a file drawn at random (2..files), once. Flink restarts
 * the job from its last checkpoint with new harnesses. A trial is identical when the job ends DONE
 * and its pane files equal the direct runner's.
 *
 *   npm run bench -- flink-kill      (node --import tsx bench/faults/flink-kill.ts [--trials=10] [--seed=1])
 *
 * One JSON line: trials, identical, medianSeconds (a whole killed run), killAtFiles.
 * Exits 1 unless every trial is identical. A TaskManager killed from outside: flink-kill-taskmanager.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFlinkJobServer } from '../../engines/flink.js';
import { KILL_FIXTURE, KILL_TABLE_FILES_PER_HOUR, KILL_TABLE_HOURS, writeKillTable, writtenPanes } from '../../test/flink/kill-trial.js';
import { arg } from '../args.js';
import { prng } from '../harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const trials = Number(arg('trials') ?? 10);
const random = prng(Number(arg('seed') ?? 1));

const work = mkdtempSync(join(tmpdir(), 'flink-kill-'));
const table = await writeKillTable(work);

function run(out: string, flags: string[]): { code: number | null; seconds: number; stderr: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['bin/tributary.mjs', 'run', KILL_FIXTURE, `--warehouse=${table}`, `--out=${out}`, ...flags], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
  return { code: r.status, seconds: (performance.now() - t0) / 1000, stderr: r.stderr };
}

const clean = run(join(work, 'clean'), ['--runner=direct']);
if (clean.code !== 0) throw new Error(`the clean run failed:\n${clean.stderr}`);
const expected = writtenPanes(join(work, 'clean'));

const server = await startFlinkJobServer({ heap: '512m' });
const seconds: number[] = [];
const killAtFiles: number[] = [];
let identical = 0;
try {
  for (let i = 0; i < trials; i++) {
    const killAt = 2 + Math.floor(random() * (KILL_TABLE_HOURS * KILL_TABLE_FILES_PER_HOUR - 1));
    killAtFiles.push(killAt);
    const out = join(work, `trial-${i}`);
    const r = run(out, ['--runner=flink', `--jobEndpoint=${server.jobEndpoint}`, '--environment=process', '--checkpointingInterval=500', '--fileDelayMs=200', `--crashAtFile=${killAt}`]);
    seconds.push(r.seconds);
    if (r.code === 0 && writtenPanes(out) === expected) identical++;
    else process.stderr.write(`trial ${i} (kill before file ${killAt}): exit ${r.code}${r.code === 0 ? ', panes differ' : `\n${r.stderr.slice(-2000)}`}\n`);
  }
} finally {
  await server.stop();
}
const median = [...seconds].sort((a, b) => a - b)[Math.floor(seconds.length / 2)] ?? 0;
process.stdout.write(`${JSON.stringify({ case: 'flink-kill-harness', trials, identical, medianSeconds: Math.round(median * 10) / 10, killAtFiles })}\n`);
process.exit(identical === trials ? 0 : 1);
