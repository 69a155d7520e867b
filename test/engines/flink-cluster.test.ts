/**
 * The standalone Flink cluster and Beam's Flink job server, fetched by the project's own code and
 * started as real JVMs on loopback: a JobManager and two TaskManagers register (counted by the
 * JobManager's REST API), a TaskManager killed with SIGKILL is noticed and replaced, and the job
 * server pointed at the cluster serves its Job API port. One cluster for the whole file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLINK_VERSION, restGet, startFlinkCluster, startFlinkJobServer, type FlinkCluster } from '../../engines/flink.js';

// First run on a bare machine downloads ~390 MB (Maven Central + PyPI).
const START_TIMEOUT = 20 * 60_000;

let cluster: FlinkCluster;
beforeAll(async () => {
  cluster = await startFlinkCluster({ taskManagers: 2, slotsPerTaskManager: 1 });
}, START_TIMEOUT);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

async function waitFor<T>(read: () => Promise<T>, ok: (t: T) => boolean, limitMs = 90_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('standalone Flink cluster', () => {
  it('runs the pinned Flink with two TaskManagers of one slot each', async () => {
    const overview = await restGet<Record<string, unknown>>(cluster.restPort, '/overview');
    expect(overview['flink-version']).toBe(FLINK_VERSION);
    expect(overview.taskmanagers).toBe(2);
    expect(overview['slots-total']).toBe(2);
    expect(cluster.master).toBe(`localhost:${cluster.restPort}`);
  });

  it("holds Beam's runner classes itself, loaded parent-first, so jobs do not load them again", async () => {
    const config = await restGet<{ key: string; value: string }[]>(cluster.restPort, '/jobmanager/config');
    expect(config.find((e) => e.key === 'classloader.resolve-order')?.value).toBe('parent-first');
    const classpath = /Classpath: (.*)/.exec(readFileSync(join(cluster.workDir, 'taskmanager-1.log'), 'utf8'))?.[1] ?? '';
    expect(classpath).toMatch(/beam-runners-flink-[\d.]+-[\d.]+\.jar/);
    expect(classpath).not.toMatch(/slf4j-simple/);
  });

  it("keeps Flink's working folders inside its own folder, not the system's temp folder", async () => {
    const config = await restGet<{ key: string; value: string }[]>(cluster.restPort, '/jobmanager/config');
    expect(config.find((e) => e.key === 'io.tmp.dirs')?.value).toBe(join(cluster.workDir, 'tmp'));
    // Each TaskManager's working folder (blob storage: every job's staged jars) and the JobManager's.
    const tmp = readdirSync(join(cluster.workDir, 'tmp'));
    expect(tmp.filter((name) => name.startsWith('tm_')).length).toBeGreaterThanOrEqual(2);
    expect(tmp.some((name) => name.startsWith('jm_'))).toBe(true);
  });

  it('notices a TaskManager killed with SIGKILL and takes a replacement', async () => {
    await cluster.taskManagers[0]!.kill();
    const after = await waitFor(cluster.overview, (o) => o.taskmanagers === 1);
    expect(after.taskmanagers).toBe(1);
    await cluster.addTaskManager();
    expect((await cluster.overview()).taskmanagers).toBe(2);
  }, 180_000);

  it("starts Beam's job server against the cluster and serves the Job API port", async () => {
    const server = await startFlinkJobServer({ flinkMaster: cluster.master, heap: '384m' });
    try {
      const port = Number(server.jobEndpoint.split(':')[1]);
      expect(await accepts(port)).toBe(true);
      expect(server.process.logTail(200)).toMatch(/JobService started on localhost:\d+/);
    } finally {
      await server.stop();
    }
    expect(server.process.running()).toBe(false);
    expect(existsSync(server.workDir)).toBe(false); // made by the server itself, so removed with it
  }, START_TIMEOUT);
});
