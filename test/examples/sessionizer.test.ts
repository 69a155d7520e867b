/**
 * The sessionizer example (talk 18) against a plain loop over each user's events: the same
 * sessions, cut by a quiet gap or at the maximum length, none longer than the maximum.
 */
import { describe, expect, it } from 'vitest';
import { Duration, Pipeline } from '../../sdk/index.js';
import { PAssert } from '../../sdk/testing/passert.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { Sessionize, generateActivity, type Session } from '../../examples/sessionizer.js';
import { replayPlan, toTestStream } from '../../examples/lib/replay.js';
import { runCli } from '../cli/run-cli.js';

function plainSessions(events: readonly { user: string; ts: number }[], gap: number, max: number): Session[] {
  const byUser = new Map<string, number[]>();
  for (const e of events) (byUser.get(e.user) ?? byUser.set(e.user, []).get(e.user)!).push(e.ts);
  const out: Session[] = [];
  for (const [user, times] of byUser) {
    times.sort((a, b) => a - b);
    let start = times[0]!;
    let last = start;
    let n = 1;
    for (const t of times.slice(1)) {
      const cut = t - last >= gap ? 'gap' : t - start >= max ? 'max-length' : undefined;
      if (!cut) {
        last = t;
        n++;
        continue;
      }
      out.push({ user, start, end: last, events: n, cut });
      start = last = t;
      n = 1;
    }
    out.push({ user, start, end: last, events: n, cut: 'gap' });
  }
  return out;
}

const key = (s: Session) => `${s.user} ${s.start}`;

describe('examples/sessionizer', () => {
  it('gives the plain loop sessions: cut by a gap, or at the maximum length', async () => {
    const gap = Duration.minutes(30);
    const max = Duration.minutes(120);
    const activity = generateActivity({ users: 300, events: 6000, hours: 10, seed: 7 });
    const expected = plainSessions(activity.map((a) => a.value), gap, max);
    expect(expected.filter((s) => s.cut === 'max-length').length).toBeGreaterThan(0);

    const p = new Pipeline();
    let seen: Session[] = [];
    PAssert.that(p.apply('Activity', toTestStream(replayPlan(activity, { maxOutOfOrderness: Duration.minutes(5), batch: Duration.minutes(1), idle: true }))).apply('Sessionize', new Sessionize(gap, max))).satisfies(
      (xs) => void (seen = xs),
    );
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    expect(result.state).toBe('DONE');
    expect([...seen].sort((a, b) => key(a).localeCompare(key(b)))).toEqual([...expected].sort((a, b) => key(a).localeCompare(key(b))));
    for (const s of seen) expect(s.end - s.start).toBeLessThan(max);
    expect(result.metrics().counter('maxLengthCuts')).toBe(expected.filter((s) => s.cut === 'max-length').length);
  });

  it('runs from the command line', async () => {
    const r = await runCli(['run', 'examples/sessionizer.ts', '--runner=direct', '--users=100', '--events=1000', '--print=3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^u\d+ +\d\d:\d\d:\d\d–\d\d:\d\d:\d\d +\d+ events {2}\((gap|max-length)\)$/m);
  });
});
