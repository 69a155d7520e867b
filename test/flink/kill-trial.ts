/**
 * One kill trial on Flink, from outside the job: the Kappa+ replay fixture
 * (test/fixtures/pipelines/kappa-resume.ts, an idempotent sink that names each file by its pane)
 * runs with Flink checkpointing on and `--environment=process`, so its harnesses are processes
 * Flink's TaskManagers started; some time after the first harness appears, `kill` gets the
 * harness and the JVM it runs under (a TaskManager) and kills one of them with SIGKILL. The caller
 * compares the panes with a clean run's. The trials run in bench/faults/flink-kill-taskmanager.ts
 * (many, at random moments); test/e2e/flink.test.ts (a harness killed) shares the fixture, the
 * table and the pane reader.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeParquet } from '../../io/parquet/write.js';
import { runCli, type CliResult } from '../cli/run-cli.js';

export const KILL_FIXTURE = 'test/fixtures/pipelines/kappa-resume.ts';

export interface KillTrialOptions {
  readonly jobEndpoint: string;
  readonly table: string;
  readonly out: string;
  /** The JVMs whose child processes are the harnesses (the job server embedding Flink, or the
   *  TaskManagers); re-read while the trial runs. */
  readonly hosts: () => readonly number[];
  /** How long after the first harness appears the kill comes. */
  readonly killAfterMs: number;
  /** Kills something: given the harness pid and the host pid it runs under. */
  readonly kill: (harness: number, host: number) => Promise<void> | void;
  readonly checkpointingIntervalMs?: number;
  readonly fileDelayMs?: number;
  readonly extraFlags?: readonly string[];
}

export interface KillTrialResult {
  readonly result: CliResult;
  /** False when the job had ended (or no harness appeared) before the kill was due. */
  readonly killed: boolean;
  /** Milliseconds from the kill to the end of the job. */
  readonly recoveryMs?: number;
  readonly totalMs: number;
}

export const KILL_TABLE_HOURS = 6;
export const KILL_TABLE_FILES_PER_HOUR = 2;

/** The table the kill trials replay under `dir` (returned): 6 hourly partitions × 2 files × 20
 *  rows, keys k0..k3; the fixture's 2-hour windows span partitions. */
export async function writeKillTable(dir: string): Promise<string> {
  const table = join(dir, 't');
  let value = 0;
  for (let h = 0; h < KILL_TABLE_HOURS; h++) {
    for (let f = 0; f < KILL_TABLE_FILES_PER_HOUR; f++) {
      const part = join(table, 'dt=2024-01-01', `hr=0${h}`);
      mkdirSync(part, { recursive: true });
      const rows = Array.from({ length: 20 }, (_, i) => ({ ts: Date.UTC(2024, 0, 1, h, i * 3 + f), key: `k${(i + f) % 4}`, value: ++value }));
      await writeParquet(join(part, `f${f}.parquet`), rows, { schema: { ts: 'timestamp', key: 'string', value: 'int32' } });
    }
  }
  return table;
}

/** What the fixture's sink wrote, as one comparable string (file name = pane, and content). */
export function writtenPanes(dir: string): string {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => `${f}=${readFileSync(join(dir, f), 'utf8')}`)
    .join('\n');
}

/** The direct child processes of `pid` (from /proc, Linux). */
export function childProcesses(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/)) if (c) out.push(Number(c));
    } catch {
      /* the thread ended */
    }
  }
  return out;
}

function isHarness(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('tributary-harness');
  } catch {
    return false;
  }
}

/** The harness processes under `hosts`, with the host each runs under. */
export function harnessProcesses(hosts: readonly number[]): { harness: number; host: number }[] {
  return hosts.flatMap((host) => childProcesses(host).filter(isHarness).map((harness) => ({ harness, host })));
}

export function flinkRunFlags(o: Pick<KillTrialOptions, 'table' | 'out' | 'checkpointingIntervalMs' | 'fileDelayMs'>): string[] {
  return [`--warehouse=${o.table}`, `--out=${o.out}`, `--checkpointingInterval=${o.checkpointingIntervalMs ?? 500}`, `--fileDelayMs=${o.fileDelayMs ?? 400}`];
}

export async function killTrial(o: KillTrialOptions): Promise<KillTrialResult> {
  const started = Date.now();
  let ended = false;
  let killedAt: number | undefined;
  const run = runCli(
    ['run', KILL_FIXTURE, '--runner=flink', `--jobEndpoint=${o.jobEndpoint}`, '--environment=process', ...flinkRunFlags(o), ...(o.extraFlags ?? [])],
    {},
    600_000,
  ).finally(() => (ended = true));
  const watcher = (async () => {
    let firstSeen: number | undefined;
    while (!ended) {
      const found = harnessProcesses(o.hosts());
      if (found.length && firstSeen === undefined) firstSeen = Date.now();
      if (firstSeen !== undefined && Date.now() - firstSeen >= o.killAfterMs && found.length) {
        const victim = found[0]!;
        killedAt = Date.now();
        await o.kill(victim.harness, victim.host);
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const result = await run;
  await watcher;
  const end = Date.now();
  return { result, killed: killedAt !== undefined, recoveryMs: killedAt === undefined ? undefined : end - killedAt, totalMs: end - started };
}
