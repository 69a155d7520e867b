/**
 * The unique-counts example (seeds/001, talk 08) against plain sets: the exact counts equal the
 * sizes of per-(campaign, hour) sets, and every estimate is within three standard errors of them
 * (3 × 1.04/√2^p); through the CLI too.
 */
import { describe, expect, it } from 'vitest';
import { Duration, Pipeline } from '../../sdk/index.js';
import { PAssert } from '../../sdk/testing/passert.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { UniqueOpenersBothWays, type UniqueCount } from '../../examples/unique-counts.js';
import { generateEmailOpens } from '../../examples/lib/email-opens.js';
import { replayPlan, toTestStream } from '../../examples/lib/replay.js';
import { runCli } from '../cli/run-cli.js';

const HOUR = 3_600_000;

describe('examples/unique-counts', () => {
  it('exact counts equal plain sets; estimates stay within three standard errors of them', async () => {
    const precision = 10;
    const arrivals = generateEmailOpens({ opens: 30_000, users: 20_000, campaigns: 2, days: 1, seed: 5 });
    const sets = new Map<string, Set<string>>();
    for (const { value: o } of arrivals) {
      const k = `${o.campaign} ${Math.floor(o.time / HOUR) * HOUR}`;
      (sets.get(k) ?? sets.set(k, new Set()).get(k)!).add(o.user);
    }
    const p = new Pipeline();
    const counts = p
      .apply('Feed', toTestStream(replayPlan(arrivals, { maxOutOfOrderness: Duration.minutes(1), batch: Duration.minutes(5), idle: true })))
      .apply('Uniques', new UniqueOpenersBothWays(precision));
    let seen: UniqueCount[] = [];
    PAssert.that(counts).satisfies((xs) => void (seen = xs));
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    expect(result.state).toBe('DONE');

    expect(seen.length).toBe(sets.size);
    const bound = 3 * (1.04 / Math.sqrt(2 ** precision)); // 9.75%
    let inexact = 0;
    for (const u of seen) {
      const expected = sets.get(`${u.campaign} ${u.hourStart}`)!.size;
      expect(u.exact).toBe(expected);
      expect(Math.abs(u.approximate - expected) / expected, `${u.campaign} at ${u.hourStart}`).toBeLessThan(bound);
      expect(u.error).toBeCloseTo((u.approximate - u.exact) / u.exact, 12);
      if (u.approximate !== u.exact) inexact++;
    }
    // the windows are large enough for the sketch to show its error
    expect(inexact).toBeGreaterThan(0);
  });

  it('runs from the command line, printing both counts and the error', async () => {
    const r = await runCli(['run', 'examples/unique-counts.ts', '--runner=direct', '--opens=3000', '--users=2000', '--print=3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/exact +\d+ +approximate +\d+ +[+-]\d+\.\d\d%/);
    expect(r.stdout + r.stderr).toMatch(/uniqueCounts\/errorPerMille/);
  });
});
