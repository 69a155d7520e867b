/**
 * `tributary flink-cluster start|stop` through the real CLI: start stays in the foreground and
 * says where the cluster listens; the JobManager's REST API counts the TaskManager; stop, from
 * another process, shuts everything down and the start process exits 0.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { restGet } from '../../engines/flink.js';
import { FLINK_TASKMANAGER_MAIN } from '../../engines/flink-versions.js';
import { tempDirForTest } from '../temp-dir.js';
import { BIN, ROOT, runCli } from './run-cli.js';

function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return []; // ended meanwhile
  }
}

/** The processes started by `pid` and by those, and so on. */
function descendantsOf(pid: number): number[] {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  return children.flatMap((child) => [child, ...descendantsOf(child)]);
}

describe('tributary flink-cluster', () => {
  it('rejects --taskManagerJitFlags that are not JVM flags, naming the flag', async () => {
    const r = await runCli(['flink-cluster', 'start', '--taskManagerJitFlags=TieredStopAtLevel=1', '--dir', tempDirForTest('tributary-flink-cli-')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--taskManagerJitFlags expects JVM flags .*"TieredStopAtLevel=1" is not one/);
  });

  it('starts a one-TaskManager cluster in the foreground (with the JIT flags given) and stops it from another process', async () => {
    const dir = tempDirForTest('tributary-flink-cli-');
    // C1 only: a flag the pinned default (the JVM's own settings) does not have.
    const jit = '-XX:TieredStopAtLevel=1';
    const start = spawn(process.execPath, [BIN, 'flink-cluster', 'start', '--taskManagers', '1', '--no-jobServer', '--dir', dir, `--taskManagerJitFlags=${jit}`], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    start.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    start.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => start.once('exit', r));
    try {
      const master = await new Promise<string>((resolve, reject) => {
        const check = setInterval(() => {
          const m = /--flinkMaster=(localhost:\d+)/.exec(stdout);
          if (m) (clearInterval(check), resolve(m[1]!));
        }, 200);
        void exited.then((code) => (clearInterval(check), reject(new Error(`start exited with ${code}: ${stderr}`))));
      });
      const overview = await restGet<{ taskmanagers: number }>(Number(master.split(':')[1]), '/overview');
      expect(overview.taskmanagers).toBe(1);
      const taskManager = descendantsOf(start.pid!).find((pid) => commandLine(pid).includes(FLINK_TASKMANAGER_MAIN));
      expect(taskManager).toBeDefined();
      expect(commandLine(taskManager!)).toContain(jit);

      const again = await runCli(['flink-cluster', 'start', '--dir', dir]);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/is running .*tributary flink-cluster stop --dir/);

      const stop = await runCli(['flink-cluster', 'stop', '--dir', dir], {}, 90_000);
      expect(stop.stdout).toContain(`stopped the Flink cluster at ${master}`);
      expect(stop.code).toBe(0);
      expect(await exited).toBe(0);
      await expect(restGet(Number(master.split(':')[1]), '/overview')).rejects.toThrow();
    } finally {
      start.kill('SIGKILL');
    }
  }, 20 * 60_000);
});
