/** The state-and-timers examples run from the command line with their flags. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';

describe('state examples through the CLI', () => {
  it('suspicious-logins prints both kinds of alert', async () => {
    const r = await runCli(['run', 'examples/suspicious-logins.ts', '--runner=direct', '--users=30', '--days=2', '--print=1000']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/user-\d+ +\d+ failed logins within the hour/);
    expect(r.stdout).toMatch(/impossible travel .* → .*: \d+ km in [\d.]+ h/);
  });

  it('dedup prints hourly unique openers and counts the duplicates it dropped', async () => {
    const r = await runCli(['run', 'examples/dedup.ts', '--runner=direct', '--opens=1000', '--print=5']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter((l) => /^campaign-\d+ +\d{4}-\d\d-\d\dT\d\dh +\d+ unique openers$/.test(l))).toHaveLength(5);
    expect(Number(/dedup\/duplicates\s+\S+\s+(\d+)/.exec(r.stdout + r.stderr)?.[1])).toBeGreaterThan(0);
  });
});
