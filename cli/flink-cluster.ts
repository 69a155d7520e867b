/**
 * `tributary flink-cluster start|stop`: a standalone Flink cluster on this machine (a JobManager
 * and N TaskManagers, each its own JVM on loopback) plus Beam's Flink job server in front of it,
 * for `tributary run --runner=flink --jobEndpoint=...` (or `--flinkMaster=...`).
 *
 * `start` stays in the foreground (the JVMs are its children and die with it) and writes where
 * everything listens to `<dir>/cluster.json`; `stop`, from another shell, reads that file and
 * asks the `start` process to shut the cluster down. See docs/runners.md.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { FlinkJobServer } from '../engines/flink.js';
// A constant only (no engine code): the flag's help names the pinned default.
import { DEFAULT_TASK_MANAGER_JIT_FLAGS } from '../engines/flink-jit-flags.js';
import type { CliIO } from './main.js';
import { UsageError } from './errors.js';

export const FLINK_CLUSTER_FLAGS = ['taskManagers', 'slots', 'jobServer', 'dir', 'taskManagerJitFlags'];

export function flinkClusterCommand(y: Argv): Argv {
  return y
    .positional('action', { type: 'string', choices: ['start', 'stop'], describe: 'start a cluster (stays in the foreground) or stop the one started from the same --dir' })
    .option('taskManagers', { type: 'number', default: 2, describe: 'TaskManager processes to start' })
    .option('slots', { type: 'number', default: 1, describe: 'task slots per TaskManager (one SDK harness process per slot)' })
    .option('jobServer', { type: 'boolean', default: true, describe: "also start Beam's Flink job server against the cluster (--no-jobServer: only the cluster)" })
    .option('dir', { type: 'string', default: '.tributary/flink-cluster', describe: 'where logs, the generated Flink configuration and cluster.json go' })
    .option('taskManagerJitFlags', {
      type: 'string',
      describe: `JIT flags of the TaskManager JVMs, space-separated (for example -XX:TieredStopAtLevel=1), instead of the pinned ${DEFAULT_TASK_MANAGER_JIT_FLAGS.length ? DEFAULT_TASK_MANAGER_JIT_FLAGS.join(' ') : "none (the JVM's own defaults)"}`,
    });
}

/** `--taskManagerJitFlags`: undefined keeps the pinned default; each entry must be a JVM flag. */
export function parseJitFlags(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const flags = String(value).split(' ').filter(Boolean);
  const bad = flags.find((f) => !f.startsWith('-X'));
  if (bad !== undefined) throw new UsageError(`--taskManagerJitFlags expects JVM flags such as -XX:TieredStopAtLevel=1, separated by spaces; "${bad}" is not one`);
  return flags;
}

interface ClusterFile {
  pid: number;
  flinkMaster: string;
  jobEndpoint?: string;
  logs: string;
}

export async function runFlinkClusterCommand(argv: Record<string, unknown>, io: CliIO): Promise<number> {
  const dir = resolve(String(argv.dir));
  const stateFile = join(dir, 'cluster.json');
  // The engines are loaded here, not with the CLI: every other command starts without them.
  const [{ startFlinkCluster, startFlinkJobServer }, { isAlive }] = await Promise.all([import('../engines/flink.js'), import('../engines/java-process.js')]);
  if (argv.action === 'stop') return stop(stateFile, io, isAlive);

  const taskManagers = Number(argv.taskManagers);
  const slots = Number(argv.slots);
  if (!Number.isInteger(taskManagers) || taskManagers < 1) throw new UsageError(`--taskManagers expects a whole number ≥ 1, got ${String(argv.taskManagers)}`);
  if (!Number.isInteger(slots) || slots < 1) throw new UsageError(`--slots expects a whole number ≥ 1, got ${String(argv.slots)}`);
  const taskManagerJitFlags = parseJitFlags(argv.taskManagerJitFlags);
  if (existsSync(stateFile)) {
    const running = readState(stateFile);
    if (running && isAlive(running.pid)) {
      throw new UsageError(`a cluster started from ${dir} is running (pid ${running.pid}, --flinkMaster=${running.flinkMaster}): stop it with "tributary flink-cluster stop --dir ${String(argv.dir)}" or use another --dir`);
    }
  }
  mkdirSync(dir, { recursive: true });
  io.err(`starting a Flink cluster: a JobManager and ${taskManagers} TaskManager(s) of ${slots} slot(s) (first run downloads Flink and Beam's job server) ...\n`);
  const cluster = await startFlinkCluster({ taskManagers, slotsPerTaskManager: slots, workDir: join(dir, 'cluster'), taskManagerJitFlags });
  let jobServer: FlinkJobServer | undefined;
  try {
    if (argv.jobServer !== false) jobServer = await startFlinkJobServer({ flinkMaster: cluster.master, workDir: join(dir, 'job-server'), heap: '512m' });
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  const state: ClusterFile = { pid: process.pid, flinkMaster: cluster.master, jobEndpoint: jobServer?.jobEndpoint, logs: dir };
  writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`);
  io.out(
    `Flink cluster ready: --flinkMaster=${cluster.master} (web UI http://${cluster.master})\n` +
      (jobServer ? `Beam Flink job server: --jobEndpoint=${jobServer.jobEndpoint}\n` : '') +
      `logs in ${dir}; stop with Ctrl-C or "tributary flink-cluster stop --dir ${String(argv.dir)}"\n`,
  );
  await new Promise<void>((done) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => done());
  });
  io.err('stopping the Flink cluster ...\n');
  await jobServer?.stop();
  await cluster.stop();
  rmSync(stateFile, { force: true });
  io.err('stopped\n');
  return 0;
}

function readState(file: string): ClusterFile | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ClusterFile;
  } catch {
    return undefined;
  }
}

async function stop(stateFile: string, io: CliIO, isAlive: (pid: number) => boolean): Promise<number> {
  const state = existsSync(stateFile) ? readState(stateFile) : undefined;
  if (!state || !isAlive(state.pid)) {
    rmSync(stateFile, { force: true });
    io.err(`no running cluster was started from ${stateFile.replace(/\/cluster\.json$/, '')}\n`);
    return 1;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while (isAlive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  if (isAlive(state.pid)) {
    io.err(`the cluster's process ${state.pid} did not stop within 60 s\n`);
    return 1;
  }
  io.out(`stopped the Flink cluster at ${state.flinkMaster}\n`);
  return 0;
}
