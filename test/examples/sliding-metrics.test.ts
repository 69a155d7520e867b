/**
 * The sliding-metrics example (seeds/003) against a plain loop: every input event yields exactly
 * one enriched output or, if it arrived after its slide period closed, reaches the late output;
 * each enriched count equals the number of distinct users of the content item among the on-time
 * events of the week-long window ending at the end of the event's hour.
 */
import { describe, expect, it } from 'vitest';
import { Duration, Instant, Pipeline } from '../../sdk/index.js';
import { PAssert, PASSERT_SUCCESS_COUNTER } from '../../sdk/testing/passert.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { DistinctUsersPerContent, generateContentEvents, type ContentEvent, type EnrichedEvent } from '../../examples/sliding-metrics.js';
import { replayPlan, toTestStream, type ReplayStep } from '../../examples/lib/replay.js';

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

/** Which events are late: the watermark had passed the end of their hour when they arrived. */
function lateEvents(steps: readonly ReplayStep<ContentEvent>[]): Set<string> {
  const late = new Set<string>();
  let watermark = -Infinity;
  for (const s of steps) {
    if (s.kind === 'watermark') watermark = s.watermark;
    else for (const { value } of s.elements) if (Math.floor(value.time / HOUR) * HOUR + HOUR - 1 < watermark) late.add(value.id);
  }
  return late;
}

/** The expected enrichment of every on-time event, by nested loops. */
function expectedEnriched(events: readonly ContentEvent[], late: Set<string>): EnrichedEvent[] {
  const onTime = events.filter((e) => !late.has(e.id));
  const out: EnrichedEvent[] = [];
  for (const e of onTime) {
    const windowEnd = Math.floor(e.time / HOUR) * HOUR + HOUR;
    const windowStart = windowEnd - WEEK;
    const users: string[] = [];
    for (const o of onTime) {
      if (o.content === e.content && o.time >= windowStart && o.time < windowEnd && !users.includes(o.user)) users.push(o.user);
    }
    out.push({ ...e, distinctUsers: users.length, windowStart, windowEnd });
  }
  return out;
}

async function run(steps: readonly ReplayStep<ContentEvent>[], check: (enriched: EnrichedEvent[], late: ContentEvent[]) => void) {
  const p = new Pipeline();
  const { enriched, late } = p
    .apply('Feed', toTestStream(steps))
    .apply('Metrics', new DistinctUsersPerContent({ size: Duration.days(7), slide: Duration.hours(1) }));
  let enrichedSeen: EnrichedEvent[] = [];
  let lateSeen: ContentEvent[] = [];
  PAssert.that(enriched).satisfies((a) => void (enrichedSeen = a));
  PAssert.that(late).satisfies((a) => void (lateSeen = a));
  const result = new DirectRunner().run(p);
  await result.waitUntilFinish();
  expect(result.metrics().counter(PASSERT_SUCCESS_COUNTER)).toBe(2);
  check(enrichedSeen, lateSeen);
  return result;
}

const byId = <T extends { id: string }>(xs: readonly T[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

describe('examples/sliding-metrics', () => {
  it('every event yields exactly one enriched output or a late one, with the plain-loop counts', async () => {
    const arrivals = generateContentEvents({ events: 1200, users: 60, contents: 12, days: 9, seed: 11, lateShare: 0.02 });
    const steps = replayPlan(arrivals, { maxOutOfOrderness: Duration.minutes(5), batch: Duration.minutes(1), idle: true });
    const events = arrivals.map((a) => a.value);
    const late = lateEvents(steps);
    expect(late.size).toBeGreaterThan(5); // the trace does exercise the late output
    const expected = expectedEnriched(events, late);
    expect(new Set(expected.map((e) => e.distinctUsers)).size).toBeGreaterThan(5); // counts vary

    const result = await run(steps, (enriched, lateOut) => {
      // Exactly one output per input: the enriched and the late ids partition the input ids.
      const ids = [...enriched, ...lateOut].map((e) => e.id).sort();
      expect(ids).toEqual(events.map((e) => e.id).sort());
      expect(byId(lateOut).map((e) => e.id)).toEqual([...late].sort());
      expect(byId(enriched)).toEqual(byId(expected));
    });
    expect(result.metrics().counter('droppedLate')).toBe(late.size);
  });

  it('a hand-made case: counts grow within the week, ignore other content, and a late event is only in the late output', async () => {
    const t0 = Date.parse('2018-10-01T00:00:00Z');
    const ev = (id: string, user: string, content: string, hours: number): ContentEvent => ({ id, user, content, time: t0 + hours * HOUR });
    const a = ev('a', 'ann', 'x', 0.5);
    const b = ev('b', 'bob', 'x', 0.7); // same hour as a: both see ann and bob
    const c = ev('c', 'ann', 'x', 30); // ann again: still 2
    const d = ev('d', 'cat', 'y', 30.2); // another content item: 1
    const e = ev('e', 'dan', 'x', 7 * 24 + 0.9); // a week later: a and b have left the window ([1h, 7d+1h))
    const l = ev('l', 'eve', 'x', 29.5); // arrives after its hour closed: late
    const at = (x: ContentEvent) => ({ value: x, timestamp: Instant.ofEpochMillis(x.time) });
    const steps: ReplayStep<ContentEvent>[] = [
      { kind: 'elements', elements: [at(b), at(a)] },
      { kind: 'watermark', watermark: Instant.ofEpochMillis(t0 + 29 * HOUR) },
      { kind: 'elements', elements: [at(c), at(d)] },
      { kind: 'watermark', watermark: Instant.ofEpochMillis(t0 + 31 * HOUR) },
      { kind: 'elements', elements: [at(l), at(e)] },
    ];
    const end = (h: number) => t0 + h * HOUR;
    await run(steps, (enriched, lateOut) => {
      expect(lateOut).toEqual([l]);
      expect(byId(enriched)).toEqual([
        { ...a, distinctUsers: 2, windowStart: end(1) - WEEK, windowEnd: end(1) },
        { ...b, distinctUsers: 2, windowStart: end(1) - WEEK, windowEnd: end(1) },
        { ...c, distinctUsers: 2, windowStart: end(31) - WEEK, windowEnd: end(31) },
        { ...d, distinctUsers: 1, windowStart: end(31) - WEEK, windowEnd: end(31) },
        { ...e, distinctUsers: 2, windowStart: end(7 * 24 + 1) - WEEK, windowEnd: end(7 * 24 + 1) },
      ]);
      expect(byId(enriched)).toEqual(byId(expectedEnriched([a, b, c, d, e, l], new Set(['l']))));
    });
  });
});
