/**
 * The synchronised-inputs example (talk 03): clicks attributed from two tables replayed in
 * lockstep equal a plain loop's attribution (latest impression of the user in the window before
 * the click), and the join holds about a window of impressions per user, not the whole table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Duration, Pipeline } from '../../sdk/index.js';
import { PAssert } from '../../sdk/testing/passert.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { attribute, ensureTables, generateAds, type Attribution } from '../../examples/attribution.js';
import { runCli } from '../cli/run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'tributary-attribution-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('examples/attribution', () => {
  it('attributes every click as a plain loop does, holding about one window of impressions', async () => {
    const o = { users: 60, hours: 12, seed: 9 };
    const windowMs = Duration.minutes(30);
    const { impressions, clicks } = generateAds(o);
    const expected = new Map<string, string | null>();
    for (const c of clicks) {
      let best: { campaign: string; ts: number } | undefined;
      for (const i of impressions) if (i.user === c.user && i.ts <= c.ts && i.ts > c.ts - windowMs && (!best || i.ts > best.ts)) best = i;
      expected.set(c.clickId, best?.campaign ?? null);
    }
    expect([...expected.values()].filter((v) => v === null).length).toBeGreaterThan(0);

    const warehouse = join(root, 'ads');
    await ensureTables(warehouse, o);
    const p = new Pipeline();
    let seen: Attribution[] = [];
    PAssert.that(attribute(p, warehouse, windowMs)).satisfies((xs) => void (seen = xs));
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    expect(result.state).toBe('DONE');
    expect(new Map(seen.map((a) => [a.clickId, a.campaign]))).toEqual(expected);
    expect(seen.length).toBe(clicks.length);
    // state: at most the impressions of about one window and one replay step per user
    const perUser = impressions.length / o.users;
    const held = result.metrics().distribution('impressionsHeld')!;
    expect(held.max).toBeLessThan(perUser / 2);
  });

  it('generates its tables and runs from the command line', async () => {
    const r = await runCli(['run', 'examples/attribution.ts', '--runner=direct', `--warehouse=${join(root, 'cli')}`, '--users=40', '--hours=3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^campaign-\d +\d+ clicks$/m);
    expect(r.stdout + r.stderr).toMatch(/kappa\/partitionsRead\[clicks\]\s+\S+\s+3/);
  });
});
