/**
 * The driving-score example (seeds/000) against an independent plain-loop computation: sessions
 * found by sorting each user's messages, factors counted by thresholds, and panes predicted by
 * walking the same delivery script (batches of messages, watermark advances) that the TestStream
 * plays — over the generated trace, and for both out-of-order cases of the talk: a straggler that
 * arrives before the early firing (it is in the early result) and one that arrives after it (the
 * ON_TIME pane corrects the result). Plus the straggler past the allowed lateness, which goes to
 * the late output.
 */
import { describe, expect, it } from 'vitest';
import { Duration, Instant, Map, Pipeline } from '../../sdk/index.js';
import { PAssert, PASSERT_SUCCESS_COUNTER } from '../../sdk/testing/passert.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { DrivingScore, generateGpsTrace, type GpsEvent, type SessionScore } from '../../examples/driving-score.js';
import { replayPlan, toTestStream, type ReplayStep } from '../../examples/lib/replay.js';

const GAP = 60 * 60_000;
const LATENESS = 10 * 60_000;
const LIMITS = { speedLimit: 100, accelThreshold: 10, decelThreshold: 12 };

// --- the plain-loop computation ------------------------------------------------------------

interface Counts {
  messages: number;
  completedTrips: number;
  speeding: number;
  rapidAccel: number;
  rapidDecel: number;
}

/** Counts the three factors over a session's messages: sort by time, then one pass. */
function countFactors(events: readonly GpsEvent[]): Counts {
  const byTime = [...events].sort((a, b) => a.time - b.time);
  const c: Counts = { messages: byTime.length, completedTrips: 0, speeding: 0, rapidAccel: 0, rapidDecel: 0 };
  let inSpeeding = false;
  let inAccel = false;
  let inDecel = false;
  for (let i = 0; i < byTime.length; i++) {
    const e = byTime[i]!;
    if (e.kind === 'end') c.completedTrips += 1;
    if (e.speed > LIMITS.speedLimit) {
      if (!inSpeeding) c.speeding += 1;
      inSpeeding = true;
    } else {
      inSpeeding = false;
    }
    if (i > 0) {
      const prev = byTime[i - 1]!;
      const seconds = (e.time - prev.time) / 1000;
      const change = e.speed - prev.speed;
      if (change >= LIMITS.accelThreshold * seconds) {
        if (!inAccel) c.rapidAccel += 1;
        inAccel = true;
      } else {
        inAccel = false;
      }
      if (-change >= LIMITS.decelThreshold * seconds) {
        if (!inDecel) c.rapidDecel += 1;
        inDecel = true;
      } else {
        inDecel = false;
      }
    }
  }
  return c;
}

/** Sessions of one user's messages: sorted by time, split where the pause reaches the gap. */
function sessionsOf(events: readonly GpsEvent[]): GpsEvent[][] {
  const sorted = [...events].sort((a, b) => a.time - b.time);
  const sessions: GpsEvent[][] = [];
  for (const e of sorted) {
    const last = sessions[sessions.length - 1];
    if (last && e.time - last[last.length - 1]!.time < GAP) last.push(e);
    else sessions.push([e]);
  }
  return sessions;
}

type Pane = Counts & { user: string; sessionStart: number; sessionEnd: number; timing: string; paneIndex: number };

/**
 * The panes the scoring must emit for a delivery script: walks the steps, and after each one
 * looks at every session (as finally made up) for what has fired: ON_TIME once the watermark is
 * past the session's end, EARLY once it is past a delivered `end` message (unless ON_TIME fires
 * at the same step), LATE for messages that arrive after ON_TIME within the allowed lateness;
 * messages past it are expected on the late output instead. Holds for sessions that never merge
 * after their first pane, which the checks below make sure of.
 */
function expectedPanes(steps: readonly ReplayStep<GpsEvent>[]): { panes: Pane[]; late: GpsEvent[] } {
  const all = steps.flatMap((s) => (s.kind === 'elements' ? s.elements.map((e) => e.value) : []));
  const users = [...new Set(all.map((e) => e.user))];
  const sessions = users.flatMap((u) => sessionsOf(all.filter((e) => e.user === u)).map((events) => ({ user: u, events })));
  const sessionOf = new globalThis.Map<GpsEvent, (typeof sessions)[number]>();
  for (const s of sessions) for (const e of s.events) sessionOf.set(e, s);

  const state = new globalThis.Map<(typeof sessions)[number], { delivered: GpsEvent[]; panes: number; onTime: boolean; firedEnds: Set<GpsEvent>; changed: boolean }>();
  for (const s of sessions) state.set(s, { delivered: [], panes: 0, onTime: false, firedEnds: new Set(), changed: false });
  const panes: Pane[] = [];
  const late: GpsEvent[] = [];
  let watermark = -Infinity;

  const emit = (s: (typeof sessions)[number], timing: string) => {
    const st = state.get(s)!;
    const d = st.delivered;
    // The session as known when it fires must already be the whole session's extent in time.
    const start = Math.min(...d.map((e) => e.time));
    const end = Math.max(...d.map((e) => e.time)) + GAP;
    expect(sessionsOf(d).length, `session of ${s.user} split when firing`).toBe(1);
    panes.push({ user: s.user, sessionStart: start, sessionEnd: end, timing, paneIndex: st.panes++, ...countFactors(d) });
    st.changed = false;
  };
  const windowEnd = (st: { delivered: GpsEvent[] }) => Math.max(...st.delivered.map((e) => e.time)) + GAP;

  for (const step of steps) {
    if (step.kind === 'elements') {
      for (const { value } of step.elements) {
        const s = sessionOf.get(value)!;
        const st = state.get(s)!;
        if (st.onTime && windowEnd(st) - 1 + LATENESS < watermark) {
          late.push(value);
          continue;
        }
        st.delivered.push(value);
        st.changed = true;
        if (st.onTime) emit(s, 'LATE'); // AfterCount(1) late firings: a pane per straggler
      }
    } else {
      watermark = step.watermark;
    }
    for (const s of sessions) {
      const st = state.get(s)!;
      if (st.onTime || st.delivered.length === 0) continue;
      if (windowEnd(st) - 1 < watermark) {
        emit(s, 'ON_TIME');
        st.onTime = true;
        continue;
      }
      const passed = st.delivered.filter((e) => e.kind === 'end' && e.time < watermark && !st.firedEnds.has(e));
      if (passed.length > 0) {
        for (const e of passed) st.firedEnds.add(e);
        if (st.changed) emit(s, 'EARLY');
      }
    }
  }
  for (const s of sessions) {
    const st = state.get(s)!;
    if (!st.onTime && st.delivered.length > 0) emit(s, 'ON_TIME');
  }
  return { panes, late };
}

// --- running the example -------------------------------------------------------------------

const key = (p: Pane) => `${p.user}|${p.sessionStart}|${p.paneIndex}|${p.timing}`;
const sortPanes = (ps: Pane[]) => [...ps].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

async function runScoring(steps: readonly ReplayStep<GpsEvent>[], expected: { panes: Pane[]; late: GpsEvent[] }) {
  const p = new Pipeline();
  const { scores, late } = p.apply('Feed', toTestStream(steps)).apply(
    'DrivingScore',
    new DrivingScore({ ...LIMITS, gap: Duration.millis(GAP), allowedLateness: Duration.millis(LATENESS) }),
  );
  const panes = scores.apply(
    'Plain',
    Map.of(({ final: _final, ...rest }: SessionScore): Pane => rest),
  );
  PAssert.that(panes).satisfies((actual) => expect(sortPanes(actual)).toEqual(sortPanes(expected.panes)));
  PAssert.that(late).containsInAnyOrder(expected.late);
  const result = new DirectRunner().run(p);
  await result.waitUntilFinish();
  expect(result.metrics().counter(PASSERT_SUCCESS_COUNTER)).toBe(2);
  return result;
}

const at = (ms: number) => Instant.ofEpochMillis(ms);

/** One trip of the generated trace and a straggler `c` whose absence changes the score. */
function tripWithStraggler() {
  for (let seed = 1; seed < 100; seed++) {
    const trace = generateGpsTrace({ users: 1, tripsPerUser: 1, seed }).map((a) => a.value);
    const end = trace.find((e) => e.kind === 'end')!;
    const full = countFactors(trace);
    const changes = (e: GpsEvent) => {
      const { messages: _m, ...without } = countFactors(trace.filter((x) => x !== e));
      const { messages: _n, ...all } = full;
      return JSON.stringify(without) !== JSON.stringify(all);
    };
    const c = trace.find((e) => e.kind === 'gps' && changes(e));
    if (c) return { trace, end, c, others: trace.filter((e) => e !== c), full };
  }
  throw new Error('no generated trip has a sample that changes its score');
}

const elements = (events: readonly GpsEvent[]): ReplayStep<GpsEvent> => ({ kind: 'elements', elements: events.map((value) => ({ value, timestamp: at(value.time) })) });
const watermarkTo = (ms: number): ReplayStep<GpsEvent> => ({ kind: 'watermark', watermark: at(ms) });

describe('examples/driving-score', () => {
  it('the generated trace, replayed in arrival order, gives exactly the panes of the plain-loop computation', async () => {
    const trace = generateGpsTrace({ users: 4, tripsPerUser: 3, seed: 42 });
    const steps = replayPlan(trace, { maxOutOfOrderness: Duration.seconds(1), batch: Duration.seconds(5), idle: true });
    const expected = expectedPanes(steps);
    // The trace is out of order and has something to count, and every trip gets an early result.
    const inArrivalOrder = steps.flatMap((s) => (s.kind === 'elements' ? s.elements.map((e) => e.timestamp) : []));
    expect(inArrivalOrder.some((t, i) => i > 0 && t < inArrivalOrder[i - 1]!)).toBe(true);
    expect(expected.panes.filter((p) => p.timing === 'EARLY')).toHaveLength(12);
    expect(expected.panes.filter((p) => p.timing === 'ON_TIME')).toHaveLength(12);
    for (const f of ['speeding', 'rapidAccel', 'rapidDecel'] as const) expect(expected.panes.some((p) => p[f] > 0)).toBe(true);
    const result = await runScoring(steps, expected);
    expect(result.metrics().counter('earlyPanes')).toBe(12);
  });

  it('case 1: a straggler arriving before the early firing is in the early result', async () => {
    const { end, c, others, full } = tripWithStraggler();
    const steps = [
      elements(others), // everything but c, the end message included
      watermarkTo(end.time - 1000), // the early timer (end.time) has not expired
      elements([c]), // c arrives out of order
      watermarkTo(end.time + 1), // past the end message: EARLY
    ];
    const expected = expectedPanes(steps);
    expect(expected.panes.map((p) => p.timing)).toEqual(['EARLY', 'ON_TIME']);
    expect(expected.panes[0]).toMatchObject(full);
    await runScoring(steps, expected);
  });

  it('case 2: a straggler arriving after the early firing reaches the ON_TIME pane, which corrects the score', async () => {
    const { end, c, others, full } = tripWithStraggler();
    const steps = [elements(others), watermarkTo(end.time + 1), elements([c]), watermarkTo(end.time + 30 * 60_000)];
    const expected = expectedPanes(steps);
    expect(expected.panes.map((p) => p.timing)).toEqual(['EARLY', 'ON_TIME']);
    expect(expected.panes[0]).toMatchObject(countFactors(others));
    expect(countFactors(others)).not.toEqual(full);
    expect(expected.panes[1]).toMatchObject(full);
    await runScoring(steps, expected);
  });

  it('a straggler after the session closed makes a LATE pane; one past the allowed lateness goes to the late output', async () => {
    const { end, c, others } = tripWithStraggler();
    const c2 = others.find((e) => e.kind === 'gps' && e.time < c.time)!;
    const rest = others.filter((e) => e !== c2);
    const steps = [
      elements(rest),
      watermarkTo(end.time + 1), // EARLY
      watermarkTo(end.time + GAP + 60_000), // the session closed: ON_TIME
      elements([c]), // within the allowed lateness: LATE
      watermarkTo(end.time + GAP + LATENESS + 60_000),
      elements([c2]), // past it: late output
    ];
    const expected = expectedPanes(steps);
    expect(expected.panes.map((p) => p.timing)).toEqual(['EARLY', 'ON_TIME', 'LATE']);
    expect(expected.late).toEqual([c2]);
    const result = await runScoring(steps, expected);
    expect(result.metrics().counter('droppedLate')).toBe(1);
  });
});
