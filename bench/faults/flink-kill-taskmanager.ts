/**
 * TaskManager kill trials on a Flink cluster (issue #13): a JobManager and two TaskManagers of one
 * slot each (separate JVMs, small heaps) with Beam's Flink job server in front; the Kappa+ replay
 * fixture (test/fixtures/pipelines/kappa-resume.ts: 2-hour sums written as one file per pane, an
 * idempotent sink) runs with `--environment=process --checkpointingInterval=500 --parallelism=1`.
 * In each trial, from outside the job, the TaskManager whose child is a harness process is killed
 * with SIGKILL at a random moment after the first harness appeared (0..--killWithinMs). Flink
 * restarts the job on the other TaskManager (from its last checkpoint, if one completed); a
 * replacement TaskManager is started after the trial. A trial is identical when the job ends
 * DONE and its pane files equal the direct runner's.
 *
 *   npm run bench -- flink-kill-taskmanager   (node --import tsx bench/faults/flink-kill-taskmanager.ts [--trials=5] [--killWithinMs=10000] [--seed=1])
 *
 * One JSON line: trials, identical, killed (trials whose kill landed before the job ended), the
 * kill moments, and median seconds per trial. Exits 1 unless every trial is identical.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFlinkCluster, startFlinkJobServer } from '../../engines/flink.js';
import { runCli } from '../../test/cli/run-cli.js';
import { KILL_FIXTURE, killTrial, writeKillTable, writtenPanes } from '../../test/flink/kill-trial.js';
import { arg } from '../args.js';
import { prng } from '../harness.js';

const trials = Number(arg('trials') ?? 5);
const killWithinMs = Number(arg('killWithinMs') ?? 10_000);
const random = prng(Number(arg('seed') ?? 1));

const work = mkdtempSync(join(tmpdir(), 'flink-kill-tm-'));
const table = await writeKillTable(work);
const clean = await runCli(['run', KILL_FIXTURE, '--runner=direct', `--warehouse=${table}`, `--out=${join(work, 'clean')}`], {}, 300_000);
if (clean.code !== 0) throw new Error(`the clean run failed:\n${clean.stderr}`);
const expected = writtenPanes(join(work, 'clean'));

const cluster = await startFlinkCluster({ taskManagers: 2, workDir: join(work, 'cluster') });
const seconds: number[] = [];
const killAfter: number[] = [];
let identical = 0;
let killed = 0;
try {
  const jobServer = await startFlinkJobServer({ flinkMaster: cluster.master, workDir: join(work, 'job-server'), heap: '384m' });
  try {
    for (let i = 0; i < trials; i++) {
      const killAfterMs = Math.floor(random() * killWithinMs);
      killAfter.push(killAfterMs);
      const out = join(work, `trial-${i}`);
      const r = await killTrial({
        jobEndpoint: jobServer.jobEndpoint,
        table,
        out,
        killAfterMs,
        fileDelayMs: 400,
        hosts: () => cluster.taskManagers.filter((t) => t.running()).map((t) => t.pid),
        kill: (_harness, host) => {
          process.kill(host, 'SIGKILL');
        },
        extraFlags: ['--parallelism=1'],
      });
      seconds.push(r.totalMs / 1000);
      if (r.killed) killed++;
      let panes = '';
      try {
        panes = writtenPanes(out);
      } catch {
        /* nothing written */
      }
      if (r.result.code === 0 && panes === expected) identical++;
      else process.stderr.write(`trial ${i} (kill ${killAfterMs} ms after the first harness): exit ${r.result.code}${r.result.code === 0 ? `, panes differ (${panes.split('\n').filter(Boolean).length} written)` : `\n${r.result.stderr.slice(-2000)}`}\n`);
      // The killed TaskManager's slot is gone: start a replacement for the next trial.
      const alive = cluster.taskManagers.filter((t) => t.running());
      cluster.taskManagers.splice(0, cluster.taskManagers.length, ...alive);
      while (cluster.taskManagers.length < 2) await cluster.addTaskManager();
    }
  } finally {
    await jobServer.stop();
  }
} finally {
  await cluster.stop();
}
const median = [...seconds].sort((a, b) => a - b)[Math.floor(seconds.length / 2)] ?? 0;
process.stdout.write(`${JSON.stringify({ case: 'flink-kill-taskmanager', trials, identical, killed, medianSeconds: Math.round(median * 10) / 10, killAfterMs: killAfter })}\n`);
process.exit(identical === trials ? 0 : 1);
