/**
 * The examples, run the way a user runs them (the CLI in a child process) and built in-process
 * with their results checked against plain computations.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../sdk/index.js';
import { PAssert } from '../../sdk/testing/passert.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import enrichOrders, { ACCOUNTS, RATES, generateOrders } from '../../examples/enrich-orders.js';

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['bin/tributary.mjs', ...args], { encoding: 'utf8', timeout: 60_000 });
}

describe('examples', () => {
  it('wordcount prints the most frequent words of the sample', () => {
    const r = cli('run', 'examples/wordcount.ts', '--runner=direct', '--top=3');
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => /^\s+\d+\s+\S+$/.test(l)).map((l) => l.trim().split(/\s+/));
    expect(lines).toEqual([
      ['10', 'it'],
      ['10', 'of'],
      ['10', 'the'],
    ]);
    expect(r.stdout).toMatch(/wordcount\/words\s+CountWords\s+60/);
  });

  it('enrich-orders: side inputs price the orders, tagged outputs catch the rejects', async () => {
    const count = 200;
    const rates = new Map(RATES.map((r) => [r.key, r.value]));
    const customers = new Set(ACCOUNTS.map((a) => a.key));
    const expectedTotals = new Map<string, number>();
    let rejected = 0;
    for (const o of generateOrders(count)) {
      const rate = rates.get(o.currency);
      if (rate === undefined || !customers.has(o.customer)) {
        rejected++;
        continue;
      }
      expectedTotals.set(o.customer, (expectedTotals.get(o.customer) ?? 0) + Math.round(o.amount * rate * 100) / 100);
    }
    expect(rejected).toBeGreaterThan(0);

    const p = new Pipeline();
    const { totals, unknownCurrency, unknownCustomer } = enrichOrders(p, { orders: count, minTotal: Infinity });
    PAssert.that(unknownCustomer).satisfies((orders) => {
      if (orders.some((o) => customers.has(o.customer))) throw new Error('a known customer was rejected');
    });
    PAssert.that(unknownCurrency).satisfies((orders) => {
      if (orders.some((o) => rates.has(o.currency))) throw new Error('a known currency was rejected');
    });
    PAssert.that(totals).satisfies((actual) => {
      const got = new Map(actual.map((t) => [t.key, t.value]));
      if (got.size !== expectedTotals.size) throw new Error(`expected ${expectedTotals.size} customers, got ${got.size}`);
      for (const [k, v] of expectedTotals) if (Math.abs(got.get(k)! - v) > 1e-6) throw new Error(`${k}: expected ${v}, got ${got.get(k)}`);
    });
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    expect(result.metrics().counter('passertSuccess')).toBe(3);
    expect(result.metrics().counter('rejected', { namespace: 'orders' })).toBe(rejected);
    expect(result.metrics().counter('priced', { namespace: 'orders' })).toBe(count - rejected);
  });

  it('enrich-orders runs from the CLI', () => {
    const r = cli('run', 'examples/enrich-orders.ts', '--runner=direct', '--orders=50');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ada\s+\d+\.\d\d EUR$/m);
    expect(r.stdout).not.toMatch(/mallory/);
  });
});
