/**
 * beam:env:external:v1: a runner asks a worker pool (over gRPC) to start a worker with its
 * endpoints; the worker connects and runs bundles; StopWorker ends it. Here with the loopback
 * pool (workers inside this process) and a test Fn API runner.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import type { fnExecution as fn } from '../../portability-proto/index.js';
import { makeClient } from '../../runners/grpc/service.js';
import { SERVICE_NAMES, WorkerPoolService } from '../../runners/harness/services.js';
import { startLoopbackPool, type WorkerPool } from '../../runners/harness/worker-pool.js';
import { Create, Map, Pipeline } from '../../sdk/index.js';
import { NO_FIRING } from '../../sdk/values/pane.js';
import { GLOBAL_WINDOWS } from '../../sdk/window/bounded-window.js';
import type { Instant } from '../../sdk/time/instant.js';
import { TestFnApiRunner, cut, decodeAll, encodeAll } from './fn-api-runner.js';

type PoolClient = grpc.Client & {
  StartWorker(r: fn.IStartWorkerRequest, cb: (e: grpc.ServiceError | null, r: fn.StartWorkerResponse) => void): void;
  StopWorker(r: fn.IStopWorkerRequest, cb: (e: grpc.ServiceError | null, r: fn.StopWorkerResponse) => void): void;
};

describe('external worker pool (loopback)', () => {
  const runner = new TestFnApiRunner();
  let pool: WorkerPool;
  let client: PoolClient;

  beforeAll(async () => {
    await runner.start();
  });
  afterAll(async () => {
    client?.close();
    await pool?.stop();
    await runner.stop();
  });

  it('StartWorker starts a harness that connects to the given control endpoint and runs bundles; StopWorker ends it', async () => {
    const p = new Pipeline();
    p.apply('In', Create.of(['x'])).apply('Twice', Map.of((s: string) => s + s));
    const stage = cut(p, ['Twice'], runner.url, 'twice');
    pool = await startLoopbackPool(stage.userFns);
    client = makeClient<PoolClient>(WorkerPoolService, SERVICE_NAMES.workerPool, pool.endpoint);
    const call = <R>(f: (cb: (e: grpc.ServiceError | null, r: R) => void) => void) => new Promise<R>((resolve, reject) => f((e, r) => (e ? reject(e) : resolve(r))));
    const started = await call<fn.StartWorkerResponse>((cb) => client.StartWorker({ workerId: 'w-1', controlEndpoint: { url: runner.url } }, cb));
    expect(started.error).toBe('');
    expect(pool.workers).toBe(1);
    await runner.instruct({ register: { processBundleDescriptor: [stage.descriptor] } });
    const input = stage.pcOf('In');
    const output = stage.pcOf('Twice');
    const out = await runner.bundle('twice', { data: { [stage.source(input)]: encodeAll(stage.wire(input), [{ value: 'ab', timestamp: 0 as Instant, windows: GLOBAL_WINDOWS, pane: NO_FIRING }]) } });
    expect(decodeAll(stage.wire(output), out.data.get(stage.sink(output))).map((wv) => wv.value)).toEqual(['abab']);
    await call<fn.StopWorkerResponse>((cb) => client.StopWorker({ workerId: 'w-1' }, cb));
    // StopWorker answers once the worker stopped.
    expect(pool.workers).toBe(0);
  });

  it('a worker that cannot connect is reported in the StartWorker answer', async () => {
    const failing = await startLoopbackPool(new globalThis.Map());
    const c = makeClient<PoolClient>(WorkerPoolService, SERVICE_NAMES.workerPool, failing.endpoint);
    const r = await new Promise<fn.StartWorkerResponse>((resolve, reject) => c.StartWorker({ workerId: 'w-2' }, (e, res) => (e ? reject(e) : resolve(res))));
    expect(r.error).toMatch(/loopback worker w-2 could not start: no control endpoint/);
    c.close();
    await failing.stop();
  });
});
