/**
 * The dedup example (seeds/001) against plain loops: unique openers per campaign and hour equal
 * the sizes of plain sets, and the dedup state's time-to-live drops exactly the keys a simulation
 * of the feed's watermark says were idle for longer than it.
 */
import { describe, expect, it } from 'vitest';
import { Duration, Pipeline } from '../../sdk/index.js';
import { PAssert, PASSERT_SUCCESS_COUNTER } from '../../sdk/testing/passert.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { UniqueOpenersPerHour, generateEmailOpens, type EmailOpen, type HourlyUniques } from '../../examples/dedup.js';
import { replayPlan, toTestStream, type ReplayStep } from '../../examples/lib/replay.js';

const HOUR = 3_600_000;

function expectedUniques(opens: readonly EmailOpen[]): HourlyUniques[] {
  const users = new Map<string, Set<string>>();
  for (const o of opens) {
    const k = `${o.campaign} ${Math.floor(o.time / HOUR) * HOUR}`;
    (users.get(k) ?? users.set(k, new Set()).get(k)!).add(o.user);
  }
  return [...users].map(([k, set]) => {
    const [campaign, hourStart] = k.split(' ');
    return { campaign: campaign!, hourStart: Number(hourStart), users: set.size };
  });
}

/** How often a (campaign, user) key starts with empty state: its first open, and every open
 *  after the watermark passed its latest open plus the TTL. */
function expectedKeyStarts(steps: readonly ReplayStep<EmailOpen>[], ttl: number): number {
  const latest = new Map<string, number>();
  let starts = 0;
  for (const s of steps) {
    if (s.kind === 'watermark') {
      for (const [k, t] of latest) if (t + ttl < s.watermark) latest.delete(k);
      continue;
    }
    for (const { value: o } of s.elements) {
      const k = `${o.campaign}|${o.user}`;
      const t = latest.get(k);
      if (t === undefined) starts++;
      latest.set(k, Math.max(t ?? -Infinity, o.time));
    }
  }
  return starts;
}

const byKey = (xs: readonly HourlyUniques[]) => [...xs].sort((a, b) => a.campaign.localeCompare(b.campaign) || a.hourStart - b.hourStart);

describe('examples/dedup', () => {
  it('unique openers per campaign and hour equal plain sets; the TTL drops idle keys', async () => {
    const arrivals = generateEmailOpens({ opens: 4000, users: 300, campaigns: 4, days: 4, seed: 21 });
    const opens = arrivals.map((a) => a.value);
    const ttl = Duration.hours(24);
    const steps = replayPlan(arrivals, { maxOutOfOrderness: Duration.minutes(1), batch: Duration.seconds(30), idle: true });
    const expected = expectedUniques(opens);
    const keys = new Set(opens.map((o) => `${o.campaign}|${o.user}`)).size;
    const starts = expectedKeyStarts(steps, ttl);
    // The data has duplicates (redeliveries and reopens) and keys idle for longer than the TTL.
    expect(arrivals.length).toBeGreaterThan(new Set(opens.map((o) => o.id)).size);
    expect(expected.reduce((s, h) => s + h.users, 0)).toBeLessThan(opens.length * 0.9);
    expect(starts).toBeGreaterThan(keys);

    const p = new Pipeline();
    const uniques = p.apply('Feed', toTestStream(steps)).apply('Uniques', new UniqueOpenersPerHour(ttl));
    let seen: HourlyUniques[] = [];
    PAssert.that(uniques).satisfies((a) => void (seen = a));
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    expect(result.metrics().counter(PASSERT_SUCCESS_COUNTER)).toBe(1);
    expect(byKey(seen)).toEqual(byKey(expected));
    expect(result.metrics().counter('keysStarted')).toBe(starts);
    expect(result.metrics().counter('droppedLate')).toBe(0);
  });
});
