/**
 * A run of elements through the ParDo unit (`receiveMany`, runners/exec/pardo.ts) against the
 * same elements handed over one by one (`receiveParts`, waiting when asked to): the same outputs
 * in the same order with the same timestamps and windows, the same metrics, the same errors, for
 * every kind of DoFn — synchronous, returning arrays, Map.of, generators, async, turning async
 * half-way — and with a downstream that asks to wait.
 */
import { describe, expect, it } from 'vitest';
import { ParDoOperator } from '../../runners/exec/pardo.js';
import { deliverMany, type Delivery, type Receiver } from '../../runners/exec/unit.js';
import { UserCodeError } from '../../sdk/errors.js';
import { MetricsContainer } from '../../sdk/metrics/container.js';
import { Metrics } from '../../sdk/metrics/metrics.js';
import { DoFn, type ProcessContext } from '../../sdk/transforms/dofn.js';
import { FlatMap, Map as MapOf } from '../../sdk/transforms/element-wise.js';
import type { Instant } from '../../sdk/time/instant.js';
import { NO_FIRING } from '../../sdk/values/pane.js';
import { GLOBAL_WINDOWS, IntervalWindow, type BoundedWindow } from '../../sdk/window/bounded-window.js';

type Got = [value: unknown, timestamp: number, windows: string];

/**
 * A downstream that records what it gets and asks to wait after every `waitEvery`-th element;
 * `early` counts elements handed over while it had asked to wait (the outputs of one element
 * go on together; the next element waits).
 */
function sink(waitEvery = 0): Receiver & { got: Got[]; early: number } {
  const got: Got[] = [];
  let waiting = false;
  const self = {
    got,
    early: 0,
    receive: (wv: { value: unknown; timestamp: Instant; windows: readonly BoundedWindow[] }) => take(wv.value, wv.timestamp, wv.windows),
    receiveParts: (v: unknown, t: Instant, w: readonly BoundedWindow[]) => take(v, t, w),
  };
  const take = (value: unknown, timestamp: Instant, windows: readonly BoundedWindow[]): Delivery => {
    if (waiting) self.early++;
    got.push([value, timestamp, windows.map((w) => w.id).join(',')]);
    if (waitEvery && got.length % waitEvery === 0) {
      waiting = true;
      return new Promise<void>((r) => setTimeout(r, 0)).then(() => void (waiting = false));
    }
  };
  return self;
}

interface Run {
  got: Got[];
  early: number;
  counted: number | undefined;
  error: unknown;
}

type AnyFn = DoFn<number, unknown>;

/** The DoFn inside a transform made by Map.of or FlatMap.of. */
const dofnOf = (t: unknown): AnyFn => (t as { desc: { fn: AnyFn } }).desc.fn;

async function run(make: () => AnyFn, values: number[], how: 'one-by-one' | 'run', options: { waitEvery?: number; windows?: readonly BoundedWindow[]; elementWise?: boolean; maxConcurrency?: number; times?: number[] } = {}): Promise<Run> {
  const main = sink(options.waitEvery);
  const metrics = new MetricsContainer('Step');
  const op = new ParDoOperator({ name: 'Step', fn: make() as never, main, tagged: new Map(), elementWise: options.elementWise ?? false, maxConcurrency: options.maxConcurrency ?? 1, sideInputs: new Map(), metrics });
  const windows = options.windows ?? GLOBAL_WINDOWS;
  const times = options.times ?? values.map((_, i) => 1000 + i);
  let error: unknown;
  try {
    if (how === 'run') await op.receiveMany(values.length, { at: (i) => values[i] }, times, windows, NO_FIRING);
    else {
      // as a producer hands elements on: the next at once, unless the delivery asked to wait
      for (let i = 0; i < values.length; i++) {
        const d = op.receiveParts(values[i], times[i] as Instant, windows, NO_FIRING);
        if (d) await d;
      }
    }
    await op.drain();
    await op.finishBundle();
  } catch (e) {
    error = e;
  }
  return { got: main.got, early: main.early, counted: metrics.counters.get('test\u0000seen')?.value, error };
}

async function same(make: () => AnyFn, values: number[], options: Parameters<typeof run>[3] = {}): Promise<Run> {
  const one = await run(make, values, 'one-by-one', options);
  const many = await run(make, values, 'run', options);
  expect(many.got).toEqual(one.got);
  expect(many.early).toBe(one.early);
  expect(many.counted).toEqual(one.counted);
  expect(String(many.error)).toEqual(String(one.error));
  expect(many.error?.constructor).toBe(one.error?.constructor);
  return many;
}

const VALUES = Array.from({ length: 40 }, (_, i) => i);

class Counting extends DoFn<number, unknown> {
  process(n: number, ctx: ProcessContext<unknown>): void {
    Metrics.counter('test', 'seen').inc();
    if (n % 3 === 0) return;
    ctx.output(n * 10);
    if (n % 5 === 0) ctx.outputWithTimestamp(-n, ctx.timestamp);
  }
}

class Arrays extends DoFn<number, unknown> {
  process(n: number): unknown[] {
    Metrics.counter('test', 'seen').inc();
    return n % 4 === 0 ? [] : [n, `${n}`];
  }
}

class Generates extends DoFn<number, unknown> {
  *process(n: number): Generator<unknown> {
    Metrics.counter('test', 'seen').inc();
    for (let i = 0; i < n % 3; i++) yield [n, i];
  }
}

class Awaits extends DoFn<number, unknown> {
  async process(n: number, ctx: ProcessContext<unknown>): Promise<void> {
    Metrics.counter('test', 'seen').inc();
    await Promise.resolve();
    ctx.output(n + 0.5);
  }
}

/** Synchronous for the first ten elements, then a Promise now and then. */
class TurnsAsync extends DoFn<number, unknown> {
  process(n: number, ctx: ProcessContext<unknown>): void | Promise<void> {
    Metrics.counter('test', 'seen').inc();
    if (n >= 10 && n % 7 === 0) return Promise.resolve().then(() => ctx.output(`late ${n}`));
    ctx.output(n);
  }
}

class Fails extends DoFn<number, unknown> {
  process(n: number, ctx: ProcessContext<unknown>): void {
    Metrics.counter('test', 'seen').inc();
    if (n === 17) throw new Error(`no ${n}`);
    ctx.output(n);
  }
}

describe('a run of elements through a ParDo', () => {
  for (const waitEvery of [0, 3]) {
    const downstream = waitEvery ? 'a downstream that asks to wait' : 'a downstream that never waits';
    it(`a synchronous DoFn: outputs, timestamps and metrics as one by one (${downstream})`, async () => {
      const r = await same(() => new Counting(), VALUES, { waitEvery });
      expect(r.counted).toBe(40);
      expect(r.early).toBe(0);
      expect(r.got.length).toBeGreaterThan(20);
    });
    it(`a DoFn returning arrays (${downstream})`, async () => {
      // (one element's outputs go on together, as one by one: the wait comes after them)
      expect((await same(() => new Arrays(), VALUES, { waitEvery })).got).toHaveLength(60);
    });
    it(`Map.of and FlatMap.of, also when the function turns async (${downstream})`, async () => {
      const mapped = await same(() => dofnOf(MapOf.of((n: number) => (Metrics.counter('test', 'seen').inc(), n * 2))), VALUES, { waitEvery });
      expect(mapped.counted).toBe(40);
      expect(mapped.early).toBe(0);
      const late = await same(() => dofnOf(MapOf.of((n: number) => (n === 12 ? Promise.resolve(-n) : n))), VALUES, { waitEvery, maxConcurrency: 2 });
      expect(late.got.map(([v]) => v)).toContain(-12);
      expect((await same(() => dofnOf(FlatMap.of((n: number) => [n, n])), VALUES, { waitEvery })).got).toHaveLength(80);
    });
    it(`a generator, an async DoFn and one that turns async half-way (${downstream})`, async () => {
      await same(() => new Generates(), VALUES, { waitEvery });
      expect((await same(() => new Awaits(), VALUES, { waitEvery })).counted).toBe(40);
      await same(() => new Awaits(), VALUES, { waitEvery, maxConcurrency: 4 });
      expect((await same(() => new TurnsAsync(), VALUES, { waitEvery })).got.filter(([v]) => String(v).startsWith('late'))).toHaveLength(4);
    });
  }

  it('a failure names the step, after the elements before it went out, and nothing after it is processed', async () => {
    const r = await same(() => new Fails(), VALUES);
    expect(r.error).toBeInstanceOf(UserCodeError);
    expect(String(r.error)).toContain('Step');
    expect(String(r.error)).toContain('no 17');
    expect(r.got.map(([v]) => v)).toEqual(VALUES.slice(0, 17));
    expect(r.counted).toBe(18);
  });

  it('elements in several windows go through a DoFn once per window, through Map.of once', async () => {
    const windows = [new IntervalWindow(0 as Instant, 10_000 as Instant), new IntervalWindow(5_000 as Instant, 15_000 as Instant)];
    expect((await same(() => new Counting(), VALUES, { windows })).counted).toBe(80);
    const mapped = await same(() => dofnOf(MapOf.of((n: number) => n)), VALUES, { windows, elementWise: true });
    expect(mapped.got).toHaveLength(40);
    expect(mapped.got[0]![2]).toContain(',');
  });

  it('one timestamp for the whole run', async () => {
    const main = sink();
    const op = new ParDoOperator({ name: 'Step', fn: new Counting() as never, main, tagged: new Map(), elementWise: false, maxConcurrency: 1, sideInputs: new Map(), metrics: new MetricsContainer('Step') });
    await op.receiveMany(4, { at: (i) => i + 1 }, 77 as Instant, GLOBAL_WINDOWS, NO_FIRING);
    expect(main.got).toEqual([[10, 77, GLOBAL_WINDOWS[0]!.id], [20, 77, GLOBAL_WINDOWS[0]!.id], [40, 77, GLOBAL_WINDOWS[0]!.id]]);
  });

  it('each element of a run at its own timestamp, the context reused from run to run: a run at one timestamp after runs at many, Float64Array times past 2^31', async () => {
    // The replay hands a Float64Array of epoch milliseconds; a run at one timestamp must not see
    // the last element's time of the run before (the context is one object, reused).
    const main = sink();
    const op = new ParDoOperator({ name: 'Step', fn: new Counting() as never, main, tagged: new Map(), elementWise: false, maxConcurrency: 1, sideInputs: new Map(), metrics: new MetricsContainer('Step') });
    const base = 1_704_067_200_000;
    const epochTimes = Float64Array.from([0, 1, 2, 3, 4, 5], (k) => base + 0.5 + k * 1000);
    await op.receiveMany(6, { at: (i) => i + 1 }, epochTimes, GLOBAL_WINDOWS, NO_FIRING);
    await op.receiveMany(2, { at: (i) => i + 1 }, 77 as Instant, GLOBAL_WINDOWS, NO_FIRING);
    await op.receiveMany(3, { at: (i) => 10 * (i + 1) }, [5, 6, 7], GLOBAL_WINDOWS, NO_FIRING);
    const g = GLOBAL_WINDOWS[0]!.id;
    // Counting: nothing for multiples of 3; n * 10 at the element's time; -n as well for multiples of 5
    expect(main.got).toEqual([
      [10, base + 0.5, g],
      [20, base + 1000.5, g],
      [40, base + 3000.5, g],
      [50, base + 4000.5, g],
      [-5, base + 4000.5, g],
      [10, 77, g],
      [20, 77, g],
      [100, 5, g],
      [-10, 5, g],
      [200, 6, g],
      [-20, 6, g],
    ]);
  });

  it('to a receiver without runs, deliverMany hands the elements one by one, each value made once, waiting where asked', async () => {
    const made: number[] = [];
    const main = sink(2);
    await deliverMany({ receive: main.receive }, 5, { at: (i) => (made.push(i), i * i) }, [1, 2, 3, 4, 5], GLOBAL_WINDOWS, NO_FIRING);
    expect(made).toEqual([0, 1, 2, 3, 4]);
    expect(main.got.map(([v, t]) => [v, t])).toEqual([[0, 1], [1, 2], [4, 3], [9, 4], [16, 5]]);
  });
});
