/**
 * The dynamic-rules example (seeds/004) against a plain loop over the feed in arrival order: the
 * rules in force at each event are the ones that arrived before it, so a lowered threshold, an
 * added rule and a withdrawn one each change the alerts from their moment on — and the pipeline,
 * reading the rules as a side input that changes while it runs, raises exactly the loop's alerts.
 * Then the example from the command line.
 */
import { describe, expect, it } from 'vitest';
import { Duration, Pipeline } from '../../sdk/index.js';
import { PAssert, PASSERT_SUCCESS_COUNTER } from '../../sdk/testing/passert.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { ApplyDynamicRules, generateActivity, type FeedItem, type Rule, type RuleAlert } from '../../examples/dynamic-rules.js';
import { replayPlan, toTestStream } from '../../examples/lib/replay.js';
import type { Arrival } from '../../examples/lib/replay.js';
import { runCli } from '../cli/run-cli.js';

/** Every event checked against the rules that arrived before it; every event kept. */
function expectedAlerts(feed: readonly Arrival<FeedItem>[]): RuleAlert[] {
  const rules = new Map<string, Rule>();
  const events = new Map<string, { kind: string; time: number }[]>();
  const lastAlert = new Map<string, number>();
  const alerts: RuleAlert[] = [];
  for (const { value: item } of [...feed].sort((a, b) => a.arrival - b.arrival)) {
    if (item.type === 'rule') {
      rules.set(item.id, item);
      continue;
    }
    const mine = events.get(item.account) ?? events.set(item.account, []).get(item.account)!;
    mine.push({ kind: item.kind, time: item.time });
    for (const rule of rules.values()) {
      if (!rule.active || rule.kind !== item.kind) continue;
      const w = rule.windowMinutes * 60_000;
      const count = mine.filter((e) => e.kind === rule.kind && item.time - w < e.time && e.time <= item.time).length;
      const last = lastAlert.get(`${item.account} ${rule.id}`);
      if (count > rule.threshold && (last === undefined || item.time - last >= w)) {
        alerts.push({ rule: rule.id, account: item.account, time: item.time, count, threshold: rule.threshold });
        lastAlert.set(`${item.account} ${rule.id}`, item.time);
      }
    }
  }
  return alerts;
}

const key = (a: RuleAlert) => `${a.account} ${a.time} ${a.rule} ${a.count} ${a.threshold}`;
const sorted = (xs: readonly RuleAlert[]) => xs.map(key).sort();

describe('examples/dynamic-rules', () => {
  it('raises exactly the alerts of a plain loop that applies each rule from its arrival on', async () => {
    const feed = generateActivity({ accounts: 40, hours: 6, seed: 5 });
    const expected = expectedAlerts(feed);
    // The feed exercises every change: alerts under both failed-login thresholds, from the added
    // rule, and from the withdrawn rule only before it was withdrawn.
    const withdrawnAt = feed.find((f) => f.value.type === 'rule' && !f.value.active)!.value.time;
    expect(expected.filter((a) => a.rule === 'failed-logins' && a.threshold === 5).length).toBeGreaterThan(0);
    expect(expected.filter((a) => a.rule === 'failed-logins' && a.threshold === 3).length).toBeGreaterThan(0);
    expect(expected.filter((a) => a.rule === 'many-withdrawals').length).toBeGreaterThan(0);
    const sharing = expected.filter((a) => a.rule === 'mass-sharing');
    expect(sharing.length).toBeGreaterThan(0);
    expect(sharing.every((a) => a.time < withdrawnAt + 60_000)).toBe(true);
    // Activity arrives out of order.
    expect([...feed].sort((a, b) => a.arrival - b.arrival).some((a, i, xs) => i > 0 && a.timestamp < xs[i - 1]!.timestamp)).toBe(true);

    const p = new Pipeline();
    const alerts = p
      .apply('Feed', toTestStream(replayPlan(feed, { maxOutOfOrderness: Duration.minutes(1), batch: Duration.seconds(30), idle: true })))
      .apply('Rules', new ApplyDynamicRules(Duration.minutes(120)));
    let seen: RuleAlert[] = [];
    PAssert.that(alerts).satisfies((a) => void (seen = a));
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    expect(result.metrics().counter(PASSERT_SUCCESS_COUNTER)).toBe(1);
    expect(sorted(seen)).toEqual(sorted(expected));
    expect(result.metrics().counter('alerts', { namespace: 'dynamic-rules' })).toBe(expected.length);
  });

  it('runs from the command line and prints its alerts', async () => {
    const r = await runCli(['run', 'examples/dynamic-rules.ts', '--runner=direct', '--print=1000']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/acct-\d{3} {2}failed-logins: \d+ > 5/);
    expect(r.stdout).toMatch(/acct-\d{3} {2}failed-logins: \d+ > 3/);
    expect(r.stdout).toMatch(/acct-\d{3} {2}many-withdrawals: \d+ > 4/);
  });
});
