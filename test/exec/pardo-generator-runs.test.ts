/**
 * A synchronous DoFn's generator is pulled in runs and each run handed on whole
 * (Receiver.receiveMany, runners/exec/pardo.ts): downstream still sees every output in the order
 * it was made — yielded values, outputs through the context, tagged outputs and outputs with a
 * timestamp interleaved — the generator runs at most a run ahead of what downstream took, is not
 * pulled while downstream asks to wait, and a failure on either side comes after what was made
 * before it. An array a DoFn returns goes on as one run, a Map.of handed a run hands its outputs
 * on as one run, and a FlatMap.of handed a run hands the arrays its function returns on together,
 * in runs of about 256 (not one run per element).
 */
import { describe, expect, it } from 'vitest';
import { ParDoOperator } from '../../runners/exec/pardo.js';
import type { Delivery, Receiver, RunValues } from '../../runners/exec/unit.js';
import { UserCodeError } from '../../sdk/errors.js';
import { MetricsContainer } from '../../sdk/metrics/container.js';
import { DoFn, type ProcessContext } from '../../sdk/transforms/dofn.js';
import { FlatMap, Map as MapOf } from '../../sdk/transforms/element-wise.js';
import { Metrics } from '../../sdk/metrics/metrics.js';
import type { Instant } from '../../sdk/time/instant.js';
import { NO_FIRING } from '../../sdk/values/pane.js';
import { GLOBAL_WINDOWS } from '../../sdk/window/bounded-window.js';

interface Log {
  /** [where, value, timestamp] in the order downstream took them. */
  got: Array<[string, unknown, number]>;
  /** The sizes of the runs handed to `receiveMany`. */
  runs: number[];
  /** Elements handed on while downstream had asked to wait. */
  early: number;
}

/**
 * A downstream taking runs; it asks to wait after every `waitEvery`-th element (0: never) and
 * throws at element `failAt` (-1: never).
 */
function receiver(name: string, log: Log, options: { waitEvery?: number; failAt?: number } = {}): Receiver {
  let waiting = false;
  const take = (value: unknown, timestamp: Instant): Delivery => {
    if (waiting) log.early++;
    if (log.got.length === options.failAt) throw new Error(`downstream refuses ${String(value)}`);
    log.got.push([name, value, timestamp]);
    if (options.waitEvery && log.got.length % options.waitEvery === 0) {
      waiting = true;
      return new Promise<void>((r) => setTimeout(r, 0)).then(() => void (waiting = false));
    }
  };
  const takeFrom = (count: number, values: RunValues, times: ArrayLike<number> | Instant, from: number): Delivery => {
    for (let i = from; i < count; i++) {
      const d = take(values.at(i), (typeof times === 'number' ? times : times[i]!) as Instant);
      if (d) return d.then(() => takeFrom(count, values, times, i + 1));
    }
  };
  return {
    receive: (wv) => take(wv.value, wv.timestamp),
    receiveParts: (v, t) => take(v, t),
    receiveMany: (count, values, times) => {
      log.runs.push(count);
      return takeFrom(count, values, times, 0);
    },
  };
}

async function runOne(fn: DoFn<number, unknown>, options: { waitEvery?: number; failAt?: number } = {}): Promise<Log & { error: unknown }> {
  const log: Log = { got: [], runs: [], early: 0 };
  const op = new ParDoOperator({
    name: 'Step',
    fn: fn as never,
    main: receiver('main', log, options),
    tagged: new Map([['side', receiver('side', log, options)]]),
    elementWise: false,
    maxConcurrency: 1,
    sideInputs: new Map(),
    metrics: new MetricsContainer('Step'),
  });
  let error: unknown;
  try {
    for (const n of [1, 2]) {
      const d = op.receiveParts(n, (1000 * n) as Instant, GLOBAL_WINDOWS, NO_FIRING);
      if (d) await d;
    }
    await op.drain();
  } catch (e) {
    error = e;
  }
  return { ...log, error };
}

/** Yields `count` values per element, counting how many it made. */
class Counts extends DoFn<number, unknown> {
  made = 0;
  constructor(private readonly count: number, private readonly failAt = -1) {
    super();
  }
  *process(n: number): Generator<unknown> {
    for (let i = 0; i < this.count; i++) {
      if (this.made === this.failAt) throw new Error(`no value ${this.made}`);
      this.made++;
      yield `${n}.${i}`;
    }
  }
}

describe('a generator pulled in runs', () => {
  it('yielded values and outputs made through the context, tagged or with a timestamp, reach downstream in the order they were made', async () => {
    class Mixed extends DoFn<number, unknown, { side: string }> {
      *process(n: number, ctx: ProcessContext<unknown, { side: string }>): Generator<unknown> {
        ctx.output(`${n}a`);
        yield `${n}b`;
        ctx.outputTo('side', `${n}c`);
        yield `${n}d`;
        ctx.outputWithTimestamp(`${n}e`, (ctx.timestamp + 5) as Instant);
        ctx.output(`${n}f`);
        yield `${n}g`;
      }
    }
    const r = await runOne(new Mixed() as unknown as DoFn<number, unknown>);
    expect(r.error).toBeUndefined();
    const t = (n: number) => 1000 * n;
    expect(r.got).toEqual(
      [1, 2].flatMap((n) => [
        ['main', `${n}a`, t(n)],
        ['main', `${n}b`, t(n)],
        ['side', `${n}c`, t(n)],
        ['main', `${n}d`, t(n)],
        ['main', `${n}e`, t(n) + 5],
        ['main', `${n}f`, t(n)],
        ['main', `${n}g`, t(n)],
      ]),
    );
  });

  it('a long generator goes on in runs of at most 256 values, all of them, in order', async () => {
    const r = await runOne(new Counts(1000));
    expect(r.got.map(([, v]) => v)).toEqual([1, 2].flatMap((n) => Array.from({ length: 1000 }, (_, i) => `${n}.${i}`)));
    expect(r.runs.reduce((a, b) => a + b, 0)).toBe(2000);
    expect(Math.max(...r.runs)).toBe(256);
  });

  it('downstream asking to wait: nothing is handed on meanwhile, and the generator runs at most a run ahead', async () => {
    const fn = new Counts(1000);
    let ahead = 0;
    const log: Log = { got: [], runs: [], early: 0 };
    const inner = receiver('main', log, { waitEvery: 7 });
    const op = new ParDoOperator({
      name: 'Step',
      fn: fn as never,
      main: { ...inner, receiveMany: (count, values, times, windows, pane) => ((ahead = Math.max(ahead, fn.made - log.got.length)), inner.receiveMany!(count, values, times, windows, pane)) },
      tagged: new Map(),
      elementWise: false,
      maxConcurrency: 1,
      sideInputs: new Map(),
      metrics: new MetricsContainer('Step'),
    });
    const d = op.receiveParts(1, 1000 as Instant, GLOBAL_WINDOWS, NO_FIRING);
    expect(d).toBeInstanceOf(Promise); // the caller is held back until every value was taken
    await d;
    await op.drain();
    expect(log.got).toHaveLength(1000);
    expect(log.early).toBe(0);
    expect(ahead).toBeGreaterThan(0);
    expect(ahead).toBeLessThanOrEqual(256);
  });

  for (const waitEvery of [0, 7]) {
    it(`a generator failing part-way: the values before it went on, then the failure names the step (${waitEvery ? 'downstream waits' : 'downstream never waits'})`, async () => {
      const r = await runOne(new Counts(1000, 300), { waitEvery });
      expect(r.error).toBeInstanceOf(UserCodeError);
      expect(String(r.error)).toContain('Step');
      expect(String(r.error)).toContain('no value 300');
      expect(r.got.map(([, v]) => v)).toEqual(Array.from({ length: 300 }, (_, i) => `1.${i}`));
    });
  }

  it('downstream failing: its failure, not the generator run on past it by more than a run', async () => {
    const fn = new Counts(1000);
    const r = await runOne(fn, { failAt: 10 });
    expect(String(r.error)).toContain('downstream refuses 1.10');
    expect(r.got).toHaveLength(10);
    expect(fn.made).toBeLessThanOrEqual(256);
  });

  it('an array returned by process goes on as one run', async () => {
    class Pairs extends DoFn<number, unknown> {
      process(n: number): unknown[] {
        return [n, -n, n * 10];
      }
    }
    const r = await runOne(new Pairs());
    expect(r.runs).toEqual([3, 3]);
    expect(r.got).toEqual([
      ['main', 1, 1000],
      ['main', -1, 1000],
      ['main', 10, 1000],
      ['main', 2, 2000],
      ['main', -2, 2000],
      ['main', 20, 2000],
    ]);
  });
});

describe('a Map.of handed a run at one timestamp', () => {
  const dofnOf = (t: unknown): DoFn<number, unknown> => (t as { desc: { fn: DoFn<number, unknown> } }).desc.fn;
  async function mapRun(f: (n: number) => unknown, options: { waitEvery?: number; failAt?: number } = {}): Promise<Log & { error: unknown }> {
    const log: Log = { got: [], runs: [], early: 0 };
    const metrics = new MetricsContainer('Step');
    const op = new ParDoOperator({ name: 'Step', fn: dofnOf(MapOf.of(f)) as never, main: receiver('main', log, options), tagged: new Map(), elementWise: true, maxConcurrency: 4, sideInputs: new Map(), metrics });
    let error: unknown;
    try {
      await op.receiveMany(20, { at: (i) => i }, 500 as Instant, GLOBAL_WINDOWS, NO_FIRING);
      await op.drain();
    } catch (e) {
      error = e;
    }
    return { ...log, error };
  }

  it('hands its outputs on as one run (after the first element, which learns the function is synchronous)', async () => {
    const r = await mapRun((n) => n * 3);
    expect(r.got).toEqual(Array.from({ length: 20 }, (_, i) => ['main', i * 3, 500]));
    expect(r.runs).toEqual([19]);
  });

  it('a function throwing part-way: the outputs before it went on, then the failure names the step', async () => {
    for (const waitEvery of [0, 3]) {
      const r = await mapRun((n) => {
        if (n === 9) throw new Error('no 9');
        return n;
      }, { waitEvery });
      expect(r.error).toBeInstanceOf(UserCodeError);
      expect(String(r.error)).toContain('no 9');
      expect(r.got.map(([, v]) => v)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      expect(r.early).toBe(0);
    }
  });

  it('a function returning a Promise part-way: every output, the ones before it first', async () => {
    const r = await mapRun((n) => (n === 9 ? Promise.resolve(-9) : n), { waitEvery: 4 });
    expect(r.error).toBeUndefined();
    const got = r.got.map(([, v]) => v);
    expect(got.slice(0, 9)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...got].sort((a, b) => Number(a) - Number(b))).toEqual([-9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(r.early).toBe(0);
  });

  it('downstream failing: its failure', async () => {
    const r = await mapRun((n) => n, { failAt: 5 });
    expect(String(r.error)).toContain('downstream refuses 5');
    expect(r.got).toHaveLength(5);
  });
});

describe('a FlatMap.of handed a run at one timestamp', () => {
  const dofnOf = (t: unknown): DoFn<number, unknown> => (t as { desc: { fn: DoFn<number, unknown> } }).desc.fn;
  const ELEMENTS = 200;
  /** The outputs one by one would give: each element's array (or iterable) in order. */
  const expected = (f: (n: number) => Iterable<unknown>) => Array.from({ length: ELEMENTS }, (_, n) => [...f(n)]).flat();
  async function flatMapRun(f: (n: number) => unknown, options: { waitEvery?: number; failAt?: number; onRun?: (taken: number) => void } = {}): Promise<Log & { error: unknown; counted: number | undefined }> {
    const log: Log = { got: [], runs: [], early: 0 };
    const metrics = new MetricsContainer('Step');
    const main = receiver('main', log, options);
    const onRun = options.onRun;
    const op = new ParDoOperator({
      name: 'Step',
      fn: dofnOf(FlatMap.of(f as (n: number) => Iterable<unknown>)) as never,
      main: onRun ? { ...main, receiveMany: (count, values, times, windows, pane) => (onRun(log.got.length), main.receiveMany!(count, values, times, windows, pane)) } : main,
      tagged: new Map(),
      elementWise: true,
      maxConcurrency: 4,
      sideInputs: new Map(),
      metrics,
    });
    let error: unknown;
    try {
      await op.receiveMany(ELEMENTS, { at: (i) => i }, 500 as Instant, GLOBAL_WINDOWS, NO_FIRING);
      await op.drain();
    } catch (e) {
      error = e;
    }
    return { ...log, error, counted: metrics.counters.get('test\u0000seen')?.value };
  }
  const triple = (n: number) => [n, n + 0.5, -n];

  it('hands the elements of the arrays its function returns on together, in runs of about 256, in order, with the metrics of the step', async () => {
    const r = await flatMapRun((n) => (Metrics.counter('test', 'seen').inc(), triple(n)));
    expect(r.error).toBeUndefined();
    expect(r.got).toEqual(expected(triple).map((v) => ['main', v, 500]));
    expect(r.counted).toBe(ELEMENTS);
    // the first element goes the general way (it learns the function is synchronous): one run of
    // its three; then 199 elements' 597 outputs in runs that end at the first array reaching 256
    expect(r.runs).toEqual([3, 258, 258, 81]);
  });

  it('an empty array adds nothing; an element whose array is longer than a run goes on whole', async () => {
    const f = (n: number) => (n % 2 ? [] : n === 100 ? Array.from({ length: 1000 }, (_, i) => i) : [n]);
    const r = await flatMapRun(f);
    expect(r.got.map(([, v]) => v)).toEqual(expected(f));
    // 0 goes on alone (the general way), then 2..98 and 100's thousand, then 102..198
    expect(r.runs).toEqual([49 + 1000, 49]);
  });

  for (const waitEvery of [0, 5]) {
    const downstream = waitEvery ? 'downstream waits' : 'downstream never waits';
    it(`a function throwing part-way: the outputs before it went on, then the failure names the step (${downstream})`, async () => {
      const r = await flatMapRun((n) => {
        if (n === 150) throw new Error('no 150');
        return triple(n);
      }, { waitEvery });
      expect(r.error).toBeInstanceOf(UserCodeError);
      expect(String(r.error)).toContain('Step');
      expect(String(r.error)).toContain('no 150');
      expect(r.got.map(([, v]) => v)).toEqual(expected(triple).slice(0, 450));
      expect(r.early).toBe(0);
    });

    it(`a function returning another iterable part-way: its values in their place (${downstream})`, async () => {
      const f = (n: number) => (n % 50 === 7 ? new Set([`set ${n}`, `set ${-n}`]) : triple(n));
      const r = await flatMapRun(f, { waitEvery });
      expect(r.error).toBeUndefined();
      expect(r.got.map(([, v]) => v)).toEqual(expected(f));
      // (one element's outputs go on together, as one by one: the set's second value may reach a
      // downstream that asked to wait after its first, never a later element's)
      expect(r.early).toBeLessThanOrEqual(4);
    });

    it(`a function returning a Promise part-way: every output, the ones before it first (${downstream})`, async () => {
      const r = await flatMapRun((n) => (n === 120 ? Promise.resolve(['late']) : triple(n)), { waitEvery });
      expect(r.error).toBeUndefined();
      const got = r.got.map(([, v]) => v);
      expect(got.slice(0, 360)).toEqual(expected(triple).slice(0, 360));
      expect(got.filter((v) => v === 'late')).toHaveLength(1);
      expect(got).toHaveLength(3 * (ELEMENTS - 1) + 1);
      expect(r.early).toBe(0);
    });
  }

  it('a function returning something that is not iterable: the failure names the step, after the outputs before it', async () => {
    const r = await flatMapRun((n) => (n === 30 ? 30 : triple(n)));
    expect(r.error).toBeInstanceOf(UserCodeError);
    expect(String(r.error)).toContain('Step');
    expect(r.got.map(([, v]) => v)).toEqual(expected(triple).slice(0, 90));
  });

  it('downstream asking to wait: nothing is handed on meanwhile, and the function runs at most a run ahead', async () => {
    let called = 0;
    let ahead = 0;
    const r = await flatMapRun((n) => (called++, triple(n)), { waitEvery: 7, onRun: (taken) => (ahead = Math.max(ahead, 3 * called - taken)) });
    expect(r.got.map(([, v]) => v)).toEqual(expected(triple));
    expect(r.early).toBe(0);
    expect(ahead).toBeLessThanOrEqual(258 + 3);
  });

  it('downstream failing: its failure, the function not run on past it by more than a run', async () => {
    let called = 0;
    const r = await flatMapRun((n) => (called++, triple(n)), { failAt: 10 });
    expect(String(r.error)).toContain('downstream refuses');
    expect(r.got).toHaveLength(10);
    expect(called).toBeLessThanOrEqual(1 + 86);
  });
});
