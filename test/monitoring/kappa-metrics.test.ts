/** Kappa+ progress on `/metrics`, scraped while a replay is held in its last partition and at the end. */
import { afterEach, describe, expect, it } from 'vitest';
import { startMonitoring, type MonitoringServer } from '../../runners/monitoring/server.js';
import { t } from '../kappa/harness.js';
import { runWatched } from './gated-job.js';
import { gatedReplay } from './gated-replay.js';
import { valueOf } from './exposition.js';

const servers: MonitoringServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});


describe('Kappa+ progress on /metrics', () => {
  it('shows partitions completed short of the total while held in the last partition, and reaching it at the end', async () => {
    const { p, gate } = await gatedReplay();
    const { result, job } = runWatched(p);
    const server = await startMonitoring(job, { port: 0, ui: false });
    servers.push(server);

    await gate.reached;
    const held = await (await fetch(`${server.url}/metrics`)).text();
    const completed = valueOf(held, 'tributary_kappa_partitions_completed');
    expect(valueOf(held, 'tributary_kappa_partitions_total')).toBe(3);
    expect(completed).toBeGreaterThanOrEqual(1);
    expect(completed).toBeLessThan(3);
    // Partitions 00 and 01 are done: the replay's watermark is at 02:00 or before, not past it.
    expect(valueOf(held, 'tributary_kappa_watermark_seconds')).toBeLessThanOrEqual(t('02:00') / 1000);
    // Partitions 00 and 01 went through Gate; of 02, the held row has not (others may have: Gate is async).
    const seen = valueOf(held, 'tributary_user_counter_total', { transform: 'Gate', name: 'seen' })!;
    expect(seen).toBeGreaterThanOrEqual(20);
    expect(seen).toBeLessThan(30);

    gate.release();
    await result.waitUntilFinish();
    const done = await (await fetch(`${server.url}/metrics`)).text();
    expect(valueOf(done, 'tributary_kappa_partitions_completed')).toBe(3);
    expect(valueOf(done, 'tributary_kappa_watermark_seconds')).toBe(Infinity);
    expect(valueOf(done, 'tributary_kappa_eta_seconds')).toBe(0);
    expect(valueOf(done, 'tributary_user_counter_total', { transform: 'Gate', name: 'seen' })).toBe(30);
    expect(valueOf(done, 'tributary_transform_elements_in_total', { transform: 'Gate' })).toBe(30);
  });
});
