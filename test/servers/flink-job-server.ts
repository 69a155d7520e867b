/**
 * One Beam Flink job server (embedded Flink, `[local]`) per test file: started before the file's
 * tests (the engines are fetched on first use: minutes on a bare machine; a cached start takes
 * 15–40 s) and stopped after them. `TRIBUTARY_FLINK_JOB_ENDPOINT` reuses a running one instead
 * (while working on the Flink tests: start it once, run the file many times).
 */
import { afterAll, beforeAll } from 'vitest';
import { startFlinkJobServer, type FlinkJobServer } from '../../engines/flink.js';

export interface FlinkJobServerHolder {
  readonly endpoint: string;
  /** The job server's JVM: an embedded Flink's harness processes are its children. */
  readonly pid: number;
  readonly server?: FlinkJobServer;
}

export function useFlinkJobServer(): FlinkJobServerHolder {
  const holder = {} as { endpoint: string; pid: number; server?: FlinkJobServer };
  beforeAll(async () => {
    const given = process.env.TRIBUTARY_FLINK_JOB_ENDPOINT;
    if (given) {
      holder.endpoint = given;
      holder.pid = Number(process.env.TRIBUTARY_FLINK_JOB_SERVER_PID ?? -1);
      return;
    }
    holder.server = await startFlinkJobServer({ heap: '512m' });
    holder.endpoint = holder.server.jobEndpoint;
    holder.pid = holder.server.process.pid;
  }, 30 * 60_000);
  afterAll(async () => {
    await holder.server?.stop();
  });
  return holder;
}
