/**
 * The suspicious-logins example (seeds/004) against a plain loop over the attempts sorted by time:
 * the same alerts, although the pipeline sees them out of order and judges them by timers.
 */
import { describe, expect, it } from 'vitest';
import { Duration, Pipeline } from '../../sdk/index.js';
import { PAssert, PASSERT_SUCCESS_COUNTER } from '../../sdk/testing/passert.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { DetectSuspiciousLogins, generateLogins, type Alert, type Login } from '../../examples/suspicious-logins.js';
import { replayPlan, toTestStream } from '../../examples/lib/replay.js';

const HOUR = 3_600_000;

/** Great-circle distance by the spherical law of cosines (not the example's haversine). */
function km(a: Login, b: Login): number {
  const r = Math.PI / 180;
  const c = Math.sin(a.lat * r) * Math.sin(b.lat * r) + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.cos((b.lon - a.lon) * r);
  return 6371 * Math.acos(Math.max(-1, Math.min(1, c)));
}

function expectedAlerts(logins: readonly Login[]): Alert[] {
  const alerts: Alert[] = [];
  const byUser = new Map<string, Login[]>();
  for (const l of logins) (byUser.get(l.user) ?? byUser.set(l.user, []).get(l.user)!).push(l);
  for (const [user, all] of byUser) {
    all.sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : 1));
    const ok = all.filter((l) => l.ok);
    for (let i = 1; i < ok.length; i++) {
      const [a, b] = [ok[i - 1]!, ok[i]!];
      const d = km(a, b);
      const hours = (b.time - a.time) / HOUR;
      if (d > 1000 * hours) alerts.push({ kind: 'impossible-travel', user, time: b.time, from: a.city, to: b.city, km: Math.round(d), hours: Math.round(hours * 100) / 100 });
    }
    const failureTimes = [...new Set(all.filter((l) => !l.ok).map((l) => l.time))];
    let lastAlert = -Infinity;
    for (const t of failureTimes) {
      const failures = all.filter((l) => !l.ok && l.time > t - HOUR && l.time <= t).length;
      if (failures > 10 && t - lastAlert >= HOUR) {
        alerts.push({ kind: 'failed-logins', user, time: t, failures });
        lastAlert = t;
      }
    }
  }
  return alerts;
}

const key = (a: Alert) => `${a.user} ${a.time} ${a.kind}`;
const sorted = (xs: readonly Alert[]) => [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

describe('examples/suspicious-logins', () => {
  it('raises exactly the alerts of a plain loop over the attempts in time order', async () => {
    const arrivals = generateLogins({ users: 60, days: 4, seed: 7 });
    const logins = arrivals.map((a) => a.value);
    const expected = expectedAlerts(logins);
    // The generated data exercises both rules, and the out-of-order delivery.
    expect(expected.filter((a) => a.kind === 'failed-logins').length).toBeGreaterThan(5);
    expect(expected.filter((a) => a.kind === 'impossible-travel').length).toBeGreaterThan(5);
    const outOfOrder = [...arrivals].sort((a, b) => a.arrival - b.arrival).some((a, i, xs) => i > 0 && a.timestamp < xs[i - 1]!.timestamp);
    expect(outOfOrder).toBe(true);

    const p = new Pipeline();
    const alerts = p
      .apply('Feed', toTestStream(replayPlan(arrivals, { maxOutOfOrderness: Duration.minutes(1), batch: Duration.seconds(10), idle: true })))
      .apply('Detect', new DetectSuspiciousLogins({ maxFailures: 10, span: Duration.hours(1), maxSpeedKmh: 1000 }));
    let seen: Alert[] = [];
    PAssert.that(alerts).satisfies((a) => void (seen = a));
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    expect(result.metrics().counter(PASSERT_SUCCESS_COUNTER)).toBe(1);
    expect(sorted(seen)).toEqual(sorted(expected));
  });
});
