/**
 * Beam's external worker pool (`beam:env:external:v1`): a runner calls StartWorker with the
 * endpoints a new worker should use, and the pool starts a harness for it — as a child process
 * (`tributary worker-pool`), or inside this process (loopback: the submitting program serves its
 * own workers, so nothing is staged or rebuilt). StopWorker ends it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { packagePath } from '../../engines/package-root.js';
import * as grpc from '@grpc/grpc-js';
import type { fnExecution as fn } from '../../portability-proto/index.js';
import { startServer, stopServer } from '../grpc/service.js';
import { startHarness, type RunningHarness } from './harness.js';
import { stderrLogger } from './logging.js';
import { WorkerPoolService } from './services.js';

export interface WorkerPoolOptions {
  readonly host?: string;
  /** 0 (default): any free port. */
  readonly port?: number;
  /** Loopback: run harnesses in this process with these user functions. */
  readonly userFns?: ReadonlyMap<string, unknown>;
}

export interface WorkerPool {
  /** `host:port` for ExternalPayload.endpoint. */
  readonly endpoint: string;
  readonly port: number;
  /** Workers started and not yet stopped. */
  readonly workers: number;
  /** StartWorker requests answered so far. */
  readonly starts: number;
  stop(options?: StopPoolOptions): Promise<void>;
}

export interface StopPoolOptions {
  /** Keep answering until this many StartWorker requests have come (a job server that starts
   *  workers when a job starts may ask after the job has already ended; Prism v2.78.0 panics,
   *  and takes every other job down with it, when the pool it dials is gone). */
  readonly awaitStarts?: number;
  /** How long to wait for them at most (default 5 s). */
  readonly awaitStartsMs?: number;
}

const BIN = packagePath('bin', 'tributary.mjs');

export async function startWorkerPool(opts: WorkerPoolOptions = {}): Promise<WorkerPool> {
  const children = new Map<string, ChildProcess>();
  const inProcess = new Map<string, RunningHarness>();
  const server = new grpc.Server();
  let starts = 0;
  let draining = false;
  let startArrived: (() => void) | undefined;
  server.addService(WorkerPoolService, {
    StartWorker: (call: grpc.ServerUnaryCall<fn.StartWorkerRequest, fn.IStartWorkerResponse>, cb: grpc.sendUnaryData<fn.IStartWorkerResponse>) => {
      const r = call.request;
      starts++;
      startArrived?.();
      // Stopping: the job is over. Answer without starting anything, never with an error.
      if (draining) return cb(null, {});
      const url = (d: { url?: string | null } | null | undefined) => d?.url ?? '';
      // In process too, the provision info carries the job's options (its experiments).
      if (opts.userFns) {
        startHarness({ id: r.workerId, controlEndpoint: url(r.controlEndpoint), loggingEndpoint: url(r.loggingEndpoint) || undefined, provisionEndpoint: url(r.provisionEndpoint) || undefined, userFns: opts.userFns }).then(
          (h) => {
            inProcess.set(r.workerId, h);
            h.done.catch((e: Error) => stderrLogger.log('ERROR', `loopback worker ${r.workerId} failed: ${e.message}`)).finally(() => inProcess.delete(r.workerId));
            cb(null, {});
          },
          (e: Error) => cb(null, { error: `loopback worker ${r.workerId} could not start: ${e.message}` }),
        );
        return;
      }
      const args = [BIN, 'harness', `--id=${r.workerId}`, `--control_endpoint=${url(r.controlEndpoint)}`, `--provision_endpoint=${url(r.provisionEndpoint)}`];
      if (url(r.loggingEndpoint)) args.push(`--logging_endpoint=${url(r.loggingEndpoint)}`);
      if (url(r.artifactEndpoint)) args.push(`--artifact_endpoint=${url(r.artifactEndpoint)}`);
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
      children.set(r.workerId, child);
      child.once('exit', () => children.delete(r.workerId));
      child.once('error', (e) => stderrLogger.log('ERROR', `worker ${r.workerId} could not be started: ${e.message}`));
      cb(null, {});
    },
    StopWorker: (call: grpc.ServerUnaryCall<fn.StopWorkerRequest, fn.IStopWorkerResponse>, cb: grpc.sendUnaryData<fn.IStopWorkerResponse>) => {
      const id = call.request.workerId;
      children.get(id)?.kill('SIGTERM');
      const h = inProcess.get(id);
      inProcess.delete(id);
      if (h) h.stop().then(() => cb(null, {}), (e: Error) => cb(null, { error: `worker ${id} did not stop cleanly: ${e.message}` }));
      else cb(null, {});
    },
  });
  const host = opts.host ?? '127.0.0.1';
  const port = await startServer(server, `${host}:${opts.port ?? 0}`);
  return {
    endpoint: `${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    get workers() {
      return children.size + inProcess.size;
    },
    get starts() {
      return starts;
    },
    async stop(options: StopPoolOptions = {}) {
      draining = true;
      const deadline = Date.now() + (options.awaitStartsMs ?? 5000);
      while (starts < (options.awaitStarts ?? 0) && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, deadline - Date.now());
          startArrived = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      startArrived = undefined;
      for (const c of children.values()) c.kill('SIGTERM');
      await Promise.all([...inProcess.values()].map((h) => h.stop()));
      await stopServer(server);
    },
  };
}

/** Loopback mode: a pool in the submitting process that runs workers with its own functions. */
export function startLoopbackPool(userFns: ReadonlyMap<string, unknown>): Promise<WorkerPool> {
  return startWorkerPool({ userFns });
}
