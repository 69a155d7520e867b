/**
 * `/metrics` scraped over HTTP while a real job runs: held at a known point by a gate, then at
 * the end. The values are checked against what the job did at that point.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startMonitoring, type MonitoringServer } from '../../runners/monitoring/server.js';
import { valueOf } from './exposition.js';
import { Gate, countingPipeline, outputOf, runWatched } from './gated-job.js';

const servers: MonitoringServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function scrape(server: MonitoringServer): Promise<string> {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

describe('/metrics during a run', () => {
  it('shows counters, element counts and watermarks as of the moment of the scrape, then the final values', async () => {
    const gate = new Gate((v) => v === 'gate');
    const { result, job } = runWatched(countingPipeline(gate));
    const server = await startMonitoring(job, { port: 0, ui: false });
    servers.push(server);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    await gate.reached;
    const held = await scrape(server);
    // a, b, cc went through; "gate" is held inside Gate.
    expect(valueOf(held, 'tributary_user_counter_total', { transform: 'Gate', namespace: 'test', name: 'seen' })).toBe(3);
    expect(valueOf(held, 'tributary_user_distribution_count', { transform: 'Gate', name: 'valueLength' })).toBe(3);
    expect(valueOf(held, 'tributary_user_distribution_sum', { transform: 'Gate', name: 'valueLength' })).toBe(4);
    expect(valueOf(held, 'tributary_user_distribution_max', { transform: 'Gate', name: 'valueLength' })).toBe(2);
    expect(valueOf(held, 'tributary_pcollection_elements_total', { producer: 'Events' })).toBe(4);
    expect(valueOf(held, 'tributary_transform_elements_out_total', { transform: 'Gate' })).toBe(3);
    expect(valueOf(held, 'tributary_transform_elements_in_total', { transform: 'Gate' })).toBe(4);
    // The count of [0, 10 s) fired when the watermark passed 10 s: one pane out so far.
    expect(valueOf(held, 'tributary_transform_elements_out_total', { transform: 'CountPerWindow' })).toBe(1);
    expect(valueOf(held, 'tributary_watermark_seconds', { transform: 'Gate' })).toBe(10);
    expect(valueOf(held, 'tributary_job_info', { runner: 'direct', state: 'RUNNING' })).toBe(1);
    expect(held).toMatch(/^tributary_process_resident_memory_bytes \d+/m);

    gate.release();
    await result.waitUntilFinish();
    const done = await scrape(server);
    expect(valueOf(done, 'tributary_user_counter_total', { transform: 'Gate', name: 'seen' })).toBe(5);
    expect(valueOf(done, 'tributary_transform_elements_out_total', { transform: 'CountPerWindow' })).toBe(2);
    expect(valueOf(done, 'tributary_watermark_seconds', { transform: 'Gate' })).toBe(Infinity);
    expect(valueOf(done, 'tributary_job_info', { state: 'DONE' })).toBe(1);
    expect(valueOf(held, 'tributary_late_dropped_total', { transform: 'CountPerWindow' })).toBe(0);
    expect(valueOf(done, 'tributary_late_dropped_total', { transform: 'CountPerWindow' })).toBe(1);
    expect(outputOf(job, 'Gate')).toBeTruthy();
  });

  it('binds loopback by default and names a port that is taken', async () => {
    const gate = new Gate(() => false);
    const { result, job } = runWatched(countingPipeline(gate));
    const first = await startMonitoring(job, { port: 0 });
    servers.push(first);
    await expect(startMonitoring(job, { port: first.port })).rejects.toThrow(`port ${first.port} on 127.0.0.1 is in use: pick another port`);
    await result.waitUntilFinish();
  });
});

describe('live data sampling', () => {
  it('keeps the last elements of a chosen PCollection with timestamps, windows and panes, only once asked', async () => {
    const gate = new Gate((v) => v === 'gate');
    const { result, job } = runWatched(countingPipeline(gate));
    const server = await startMonitoring(job, { port: 0 });
    servers.push(server);
    await gate.reached;
    const counts = outputOf(job, 'CountPerWindow');
    // Sampling starts now: the pane of [0, 10 s) passed before and is not in the sample.
    const asked = (await (await fetch(`${server.url}/api/sample?pcollection=${encodeURIComponent(counts)}&limit=5`)).json()) as { elements: unknown[] };
    expect(asked.elements).toEqual([]);
    gate.release();
    await result.waitUntilFinish();
    const sample = job.sample(counts, 5);
    expect(sample.map((e) => [e.value, e.windows, e.pane])).toEqual([['1', ['[1970-01-01T00:00:10.000Z, 1970-01-01T00:00:20.000Z)'], 'ON_TIME #0 (last)']]);
    expect(sample[0]!.timestamp).toBe('1970-01-01T00:00:19.999Z');
    // The input of Gate was never sampled: nothing kept for it.
    expect(job.sample(outputOf(job, 'Events'), 0)).toEqual([]);
    const missing = await fetch(`${server.url}/api/sample?pcollection=nope`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('no PCollection "nope"');
  });
});
