/**
 * The driving-score backfill (examples/kappa-demo.ts: two Parquet tables replayed in lockstep into
 * the driving score's sessions and element-predicate trigger) on a standalone Flink cluster — a
 * JobManager and two TaskManagers, each its own JVM, started here as `tributary flink-cluster`
 * starts them — through Beam's Flink job server, at parallelism 2 with the harnesses as processes
 * the TaskManagers start (`--environment=process`): the same panes as the direct runner.
 *
 * EARLY panes are compared as a subset: which of them come out on Flink is timing (Beam's Flink
 * runner merges watermark steps that reach a stateful stage while its bundle is open; one element
 * per bundle makes them exact only at parallelism 1; docs/runners.md, "KafkaIO on Flink"). Every session's ON_TIME and
 * LATE panes (their contents; the pane index is 0 where no EARLY pane came first, and "final"
 * depends on how far the watermark jumped), and every EARLY pane that comes out, must be the
 * direct runner's.
 */
import { chmodSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlinkCluster, startFlinkJobServer, type FlinkCluster, type FlinkJobServer } from '../../engines/flink.js';
import { runCli } from '../cli/run-cli.js';
import { tempDirForFile } from '../temp-dir.js';
import { DEFAULT_HARNESS_COMMAND } from '../../runners/portable/portable-runner.js';

/** The panes the example's `--out` sink wrote (one file per pane), as sorted lines: the harness
 *  processes run under the TaskManagers, whose standard output is not the CLI's. */
function writtenPanes(dir: string): string[] {
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8').trim())
    .sort();
}

const work = tempDirForFile('flink-cluster-e2e-');
let cluster: FlinkCluster | undefined;
let jobServer: FlinkJobServer | undefined;

beforeAll(async () => {
  cluster = await startFlinkCluster({ taskManagers: 2, workDir: join(work, 'cluster') });
  jobServer = await startFlinkJobServer({ flinkMaster: cluster.master, workDir: join(work, 'job-server'), heap: '384m' });
}, 30 * 60_000);

afterAll(async () => {
  await jobServer?.stop();
  await cluster?.stop();
});

describe('a standalone Flink cluster (a JobManager, two TaskManagers)', () => {
  it('the driving-score backfill at parallelism 2, harness processes started by the TaskManagers: the direct runner\'s panes', { timeout: 600_000 }, async () => {
    expect((await cluster!.overview()).taskmanagers).toBe(2);
    const args = ['--mode=backfill', '--days=2', '--users=4', '--trips=2', `--warehouse=${join(work, 'warehouse')}`];
    const direct = await runCli(['run', 'examples/kappa-demo.ts', '--runner=direct', ...args, `--out=${join(work, 'direct')}`], {}, 240_000);
    expect(direct.code, direct.stderr).toBe(0);
    const onCluster = await runCli(
      ['run', 'examples/kappa-demo.ts', '--runner=flink', `--jobEndpoint=${jobServer!.jobEndpoint}`, '--environment=process', '--parallelism=2', ...args, `--out=${join(work, 'cluster-out')}`],
      {},
      480_000,
    );
    expect(onCluster.code, onCluster.stderr).toBe(0);
    expect(onCluster.stdout).toMatch(/on runner "flink": DONE/);

    const expected = writtenPanes(join(work, 'direct'));
    const got = writtenPanes(join(work, 'cluster-out'));
    const early = (lines: string[]) => lines.filter((l) => / EARLY /.test(l));
    // A session whose EARLY pane did not come out has its ON_TIME pane at index 0, not 1; and
    // whether a pane is the window's last (" final") depends on how far the watermark jumped.
    const rest = (lines: string[]) => lines.filter((l) => !/ EARLY /.test(l)).map((l) => l.replace(/ #\d+(?: final| {6}) {2}/, ' #n  '));
    expect(rest(expected).length).toBeGreaterThan(0);
    expect(rest(got)).toEqual(rest(expected));
    expect(early(expected).length).toBeGreaterThan(0);
    for (const line of early(got)) expect(early(expected)).toContain(line);
  });

  it('a batch job\'s stages share one harness process: a GroupByKey does not restart the harness', { timeout: 600_000 }, async () => {
    // Beam releases a job's harness when no stage of it holds its context (environment_cache_millis
    // 0, the default). In Flink's batch mode the exchange into a GroupByKey is pipelined, so the
    // stage after it is deployed and holds the context from the start: one harness serves every
    // stage, and a TTL to carry it across stages would buy nothing (docs/runners.md, "One harness
    // per job"). The harness command is wrapped to append its process id to a file: the number of
    // harness processes the job started.
    const pids = join(work, 'harness.pids');
    const wrapper = join(work, 'harness.sh');
    writeFileSync(wrapper, `#!/bin/sh\necho $$ >> '${pids}'\nexec '${process.execPath}' '${DEFAULT_HARNESS_COMMAND}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    // Sessions at parallelism 1 in batch mode: generate + pre-merge, a GroupByKey (Flink's
    // GroupReduce), then merge and count: two harness stages around it.
    const r = await runCli(
      ['run', 'bench/flink/pipelines/sessions.ts', '--elements=2000', '--shards=2', '--runner=flink', `--jobEndpoint=${jobServer!.jobEndpoint}`, '--environment=process', `--harnessCommand=${wrapper}`, '--parallelism=1'],
      {},
      300_000,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/on runner "flink": DONE/);
    expect(readFileSync(pids, 'utf8').trim().split('\n')).toHaveLength(1);
  });
});
