/**
 * AsyncIO's guarantees, on a virtual clock (no sleeps): timeouts with the call told to give up,
 * retries after exponential backoff, failures on a dead-letter output with their cause, at most
 * `capacity` calls in flight, results in input order or completion order, and never across a
 * watermark.
 */
import { describe, expect, it } from 'vitest';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { AsyncIO, Count, Create, Duration, DoFn, FixedWindows, Instant, ParDo, Pipeline, Window, type Attempt } from '../../sdk/index.js';
import { PAssert } from '../../sdk/testing/passert.js';
import { TestAsyncClock } from '../../sdk/testing/test-async-clock.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { callWithRetries } from '../../sdk/transforms/async-call.js';

/** A service on the virtual clock: each call takes `latency(input, attempt)` ms, then answers or throws. */
function service(clock: TestAsyncClock, latency: (n: number, attempt: number) => number, fail: (n: number, attempt: number) => boolean = () => false) {
  const stats = { inFlight: 0, maxInFlight: 0, calls: 0, aborted: 0 };
  const call = async (n: number, attempt: Attempt): Promise<string> => {
    stats.calls++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    attempt.signal.addEventListener('abort', () => stats.aborted++);
    try {
      await clock.sleep(latency(n, attempt.number), attempt.signal);
      if (attempt.signal.aborted) throw new Error("gave up");
      if (fail(n, attempt.number)) throw new Error(`service refused ${n}`);
      return `v${n}`;
    } finally {
      stats.inFlight--;
    }
  };
  return { call, stats };
}

/** Records the order elements arrive in (the direct runner runs in this process). */
const arrivals: string[] = [];
class RecordArrival extends DoFn<string, string> {
  process(v: string): string[] {
    arrivals.push(v);
    return [v];
  }
}

describe('callWithRetries', () => {
  it('a timed-out attempt is aborted and retried after the backoff; the retry answers', async () => {
    const clock = new TestAsyncClock();
    const { call, stats } = service(clock, (_, attempt) => (attempt === 1 ? 5000 : 10));
    const outcome = await clock.runUntilSettled(callWithRetries((a) => call(7, a), { timeoutMs: 1000, retries: 2, backoffMs: 100 }, clock));
    expect(outcome).toEqual({ ok: true, value: 'v7', attempts: 2 });
    // 1000 (timeout) + 100 (backoff) + 10 (the answer)
    expect(clock.now()).toBe(1110);
    expect(stats.aborted).toBeGreaterThanOrEqual(1);
    expect(clock.pending).toBe(0); // no timer left behind
  });

  it('gives up after the retries with the last cause; backoffs grow by the multiplier up to the cap', async () => {
    const clock = new TestAsyncClock();
    const { call } = service(clock, () => 1, () => true);
    const outcome = await clock.runUntilSettled(callWithRetries((a) => call(3, a), { retries: 3, backoffMs: 100, backoffMultiplier: 3, maxBackoffMs: 500 }, clock));
    expect(outcome).toEqual({ ok: false, cause: 'service refused 3', timedOut: false, attempts: 4 });
    // calls of 1 ms each, backoffs 100, 300, 500 (capped from 900)
    expect(clock.now()).toBe(4 + 100 + 300 + 500);
  });

  it('retryIf decides which failures are worth another attempt', async () => {
    const clock = new TestAsyncClock();
    const { call, stats } = service(clock, () => 1, () => true);
    const outcome = await clock.runUntilSettled(callWithRetries((a) => call(1, a), { retries: 5, retryIf: ({ timedOut }) => timedOut }, clock));
    expect(outcome.attempts).toBe(1);
    expect(stats.calls).toBe(1);
  });

  it('refuses nonsense settings, naming them', () => {
    expect(() => AsyncIO.call(async (x: number) => x, { capacity: 0 })).toThrow('AsyncIO capacity must be a whole number ≥ 1, got 0');
    expect(() => AsyncIO.call(async (x: number) => x, { timeoutMs: -5 })).toThrow('timeoutMs must be a positive number of milliseconds, got -5');
    expect(() => AsyncIO.call(async (x: number) => x, { retries: 1.5 })).toThrow('retries must be a whole number ≥ 0, got 1.5');
  });
});

describe('AsyncIO on the direct runner', () => {
  async function run(p: Pipeline, clock: TestAsyncClock) {
    const result = new DirectRunner().run(p);
    await clock.runUntilSettled(result.waitUntilFinish());
    expect(result.state).toBe('DONE');
    return result;
  }

  it('keeps at most `capacity` calls in flight, and every element gets its result', async () => {
    const clock = new TestAsyncClock();
    const { call, stats } = service(clock, (n) => 10 + (n % 7) * 5);
    const p = new Pipeline();
    const inputs = Array.from({ length: 60 }, (_, i) => i);
    const { results, failures } = p.apply(Create.of(inputs)).apply(AsyncIO.call(call, { capacity: 4 }));
    PAssert.that(results).containsInAnyOrder(inputs.map((n) => `v${n}`));
    PAssert.that(failures).isEmpty();
    await run(p, clock);
    expect(stats.maxInFlight).toBe(4);
    expect(stats.calls).toBe(60);
  });

  it('ordered: results leave in input order although later calls answer first; unordered: in completion order', async () => {
    for (const ordered of [true, false]) {
      arrivals.length = 0;
      const clock = new TestAsyncClock();
      // each element answers faster than the one before it
      const { call } = service(clock, (n) => 1000 - n * 100);
      const p = new Pipeline();
      p.apply(Create.of([0, 1, 2, 3, 4])).apply(AsyncIO.call(call, { capacity: 5, ordered })).results.apply(ParDo.of(new RecordArrival()));
      await run(p, clock);
      expect(arrivals).toEqual(ordered ? ['v0', 'v1', 'v2', 'v3', 'v4'] : ['v4', 'v3', 'v2', 'v1', 'v0']);
    }
  });

  it('sends what still fails after the retries, and what timed out, to the failures output with the cause; counts them', async () => {
    const clock = new TestAsyncClock();
    // 0 mod 5: always refused; 1 mod 5: too slow every time; 2 mod 5: refused once, then fine
    const { call } = service(
      clock,
      (n) => (n % 5 === 1 ? 10_000 : 20),
      (n, attempt) => n % 5 === 0 || (n % 5 === 2 && attempt === 1),
    );
    const p = new Pipeline();
    const { results, failures } = p.apply(Create.of(Array.from({ length: 10 }, (_, i) => i))).apply(AsyncIO.call(call, { capacity: 3, timeoutMs: 500, retries: 1, backoffMs: 50, clock }));
    PAssert.that(results).containsInAnyOrder(['v2', 'v3', 'v4', 'v7', 'v8', 'v9']);
    PAssert.that(failures).containsInAnyOrder([
      { input: 0, cause: 'service refused 0', timedOut: false, attempts: 2 },
      { input: 5, cause: 'service refused 5', timedOut: false, attempts: 2 },
      { input: 1, cause: 'timed out after 500 ms', timedOut: true, attempts: 2 },
      { input: 6, cause: 'timed out after 500 ms', timedOut: true, attempts: 2 },
    ]);
    const result = await run(p, clock);
    const m = result.metrics();
    expect(m.counter('calls')).toBe(10);
    expect(m.counter('failures')).toBe(4);
    expect(m.counter('timeouts')).toBe(4); // two elements × two attempts
    expect(m.counter('retries')).toBe(6); // 0, 5, 1, 6, 2, 7
  });

  it('never emits across a watermark: slow answers for a window arrive before the window closes', async () => {
    const clock = new TestAsyncClock();
    const { call } = service(clock, () => 5000);
    const p = new Pipeline();
    const stream = TestStream.create<number>()
      .addElements(...[1, 2, 3, 4, 5].map((n) => ({ value: n, timestamp: Instant.ofEpochMillis(n) })))
      .advanceWatermarkTo(Instant.ofEpochMillis(100))
      .addElements({ value: 6, timestamp: Instant.ofEpochMillis(150) })
      .advanceWatermarkToInfinity();
    const counts = p
      .apply(stream)
      .apply(AsyncIO.call(call, { capacity: 10 }))
      .results.apply(Window.into<string>(FixedWindows.of(Duration.millis(100))))
      .apply(Count.globally<string>().withoutDefaults());
    // a result that came after the watermark passed 100 would be late and dropped: [1, 1]
    PAssert.that(counts).containsInAnyOrder([5, 1]);
    await run(p, clock);
  });
});
