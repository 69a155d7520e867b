/**
 * The fleet catch-up example (seeds/002) against a real HTTP registry on loopback that is down
 * for its first requests and leaves some unanswered: nothing is lost (every reading is in the
 * summary, which equals a plain loop over the registry's answers, or on the failures output with
 * its cause), the registry never sees more than `capacity` requests at once, and unknown devices
 * are not retried. Through the CLI too, with the file's own simulated registry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Duration, Pipeline } from '../../sdk/index.js';
import { PAssert } from '../../sdk/testing/passert.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { EnrichAndSummarise, generateReadings, registryEntry, startRegistry, type CustomerHour } from '../../examples/fleet-catch-up.js';
import { replayPlan, toTestStream } from '../../examples/lib/replay.js';
import type { RegistryServer } from '../../examples/lib/fleet.js';
import { runCli } from '../cli/run-cli.js';

const HOUR = 3_600_000;
const REGISTERED = 28;

describe('examples/fleet-catch-up', () => {
  let registry: RegistryServer;
  beforeAll(async () => {
    registry = await startRegistry({ registered: REGISTERED, outageRequests: 25, hangEvery: 150, latencyMs: 1 });
  });
  afterAll(() => registry?.close());

  it('catches up through a registry that is down, then slow: nothing lost, capacity respected, 404s not retried', async () => {
    const backlog = generateReadings({ devices: 30, readings: 900, hours: 4, seed: 3 });
    // the oracle: a plain loop over the registry's answers
    const expected = new Map<string, { readings: number; max: number }>();
    let unknown = 0;
    for (const { value: r } of backlog) {
      const d = registryEntry(r.device, REGISTERED);
      if (!d) {
        unknown++;
        continue;
      }
      const k = `${d.customer} ${Math.floor(r.time / HOUR) * HOUR}`;
      const s = expected.get(k) ?? { readings: 0, max: -Infinity };
      expected.set(k, { readings: s.readings + 1, max: Math.max(s.max, r.engineTempC) });
    }
    expect(unknown).toBeGreaterThan(0);

    const p = new Pipeline();
    const { summary, failures } = p
      .apply('Backlog', toTestStream(replayPlan(backlog, { maxOutOfOrderness: Duration.minutes(5), batch: Duration.minutes(10), idle: true })))
      .apply('CatchUp', new EnrichAndSummarise({ registryUrl: registry.url, capacity: 6, timeoutMs: 300, retries: 6 }));
    let rows: CustomerHour[] = [];
    PAssert.that(summary).satisfies((xs) => void (rows = xs));
    PAssert.that(failures).satisfies((fs) => {
      if (fs.length !== unknown) throw new Error(`${fs.length} failures, expected ${unknown}`);
      for (const f of fs) {
        if (registryEntry(f.input.device, REGISTERED) || f.cause !== `registry answered HTTP 404 for ${f.input.device}` || f.attempts < 1) throw new Error(`unexpected failure ${JSON.stringify(f)}`);
      }
    });
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    expect(result.state).toBe('DONE');

    const got = new Map(rows.map((h) => [`${h.customer} ${h.hourStart}`, { readings: h.readings, max: h.maxEngineTempC }]));
    expect(got).toEqual(expected);
    const m = result.metrics();
    expect(registry.stats.unavailable).toBe(25);
    expect(registry.stats.hung).toBeGreaterThan(0);
    // every unanswered request timed out (a loaded machine may time out a slow answer too)
    expect(m.counter('timeouts')).toBeGreaterThanOrEqual(registry.stats.hung);
    // every failed attempt retried once more — each of the 25 503s and each timeout — and no 404
    // (an unknown device stays unknown). On a quiet machine exactly 25 + timeouts; under load a
    // 503 can arrive after the client gave up, counted by the registry as a 503 and by the client
    // as a timeout: one retry for both, hence the range.
    expect(m.counter('retries')).toBeGreaterThanOrEqual(Math.max(25, m.counter('timeouts')));
    expect(m.counter('retries')).toBeLessThanOrEqual(25 + m.counter('timeouts'));
    // the registry answered every reading once (200 or 404), the outage's 503s and the hung
    // requests; an attempt timed out on a loaded machine may never have reached it
    expect(registry.stats.requests).toBeGreaterThanOrEqual(backlog.length + 25 + registry.stats.hung);
    expect(registry.stats.requests).toBeLessThanOrEqual(backlog.length + m.counter('retries'));
    // capacity 6 (exactly so on a virtual clock: test/sdk/async-io.test.ts); here a request the
    // client gave up on may still count on the server for a moment after its retry went out
    expect(registry.stats.maxInFlight).toBeGreaterThan(1);
    expect(registry.stats.maxInFlight).toBeLessThanOrEqual(6 + m.counter('timeouts'));
  });

  it('runs from the command line against its own simulated registry', async () => {
    const r = await runCli(['run', 'examples/fleet-catch-up.ts', '--runner=direct', '--readings=300', '--print=3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/readings {2}max [\d.]+ °C/);
    expect(r.stdout).toMatch(/not enriched: dev-\d+ .* HTTP 404/);
    expect(r.stdout + r.stderr).toMatch(/AsyncIO\/calls\s+\S+\s+300/);
  });
});
