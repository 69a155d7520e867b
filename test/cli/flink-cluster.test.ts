/**
 * `tributary flink-cluster start|stop` through the real CLI: start stays in the foreground and
 * says where the cluster listens; the JobManager's REST API counts the TaskManager; stop, from
 * another process, shuts everything down and the start process exits 0.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { restGet } from '../../engines/flink.js';
import { tempDirForTest } from '../temp-dir.js';
import { BIN, ROOT, runCli } from './run-cli.js';

describe('tributary flink-cluster', () => {
  it('starts a one-TaskManager cluster in the foreground and stops it from another process', async () => {
    const dir = tempDirForTest('tributary-flink-cli-');
    const start = spawn(process.execPath, [BIN, 'flink-cluster', 'start', '--taskManagers', '1', '--no-jobServer', '--dir', dir], { cwd: ROOT });
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
