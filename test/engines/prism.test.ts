// Beam's Prism runner, built from the pinned Go module and started on a free loopback port: its
// Job API answers our client over a real socket, and stop() ends the process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRISM_VERSION, startPrism, type PrismHandle } from '../../engines/prism.js';
import { makeClient } from '../../runners/grpc/service.js';
import { call, jobServiceDefinition, type JobServiceClient } from '../../runners/portable/services.js';

let prism: PrismHandle;
// A cold build (go install on a bare machine) takes minutes; cached runs start in well under a second.
beforeAll(async () => {
  prism = await startPrism();
}, 30 * 60_000);
afterAll(async () => {
  await prism?.stop();
});

describe(`Prism ${PRISM_VERSION}`, () => {
  it('serves the Job API on its loopback port', async () => {
    expect(prism.endpoint).toBe(`127.0.0.1:${prism.port}`);
    const client = makeClient<JobServiceClient>(jobServiceDefinition, 'JobService', prism.endpoint);
    try {
      const jobs = await call(client.GetJobs, client, {}, 10_000);
      expect(jobs.jobInfo).toEqual([]);
    } finally {
      client.close();
    }
  });

  it('stop() ends the process', async () => {
    const second = await startPrism();
    expect(second.port).not.toBe(prism.port);
    await second.stop();
    expect(() => process.kill(second.pid, 0)).toThrow();
  });
});
