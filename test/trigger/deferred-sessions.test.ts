/**
 * Sessions under the default trigger are merged once per bundle, not per element: the panes —
 * their order, windows, values in order, timestamps — must be exactly those of merging each
 * element as it arrives (a bundle of one element each; and AfterWatermark.pastEndOfWindow(),
 * whose trigger state makes the reducer merge every element on arrival, window-merging.ts).
 */
import { describe, expect, it } from 'vitest';
import { Coders } from '../../sdk/coders/index.js';
import { Duration, Instant } from '../../sdk/time/instant.js';
import type { PaneInfo } from '../../sdk/values/pane.js';
import { IntervalWindow, type BoundedWindow } from '../../sdk/window/bounded-window.js';
import { Sessions } from '../../sdk/window/sessions.js';
import { MergingWindowFn, mergeOverlappingIntervals, type WindowFn, type WindowMerge } from '../../sdk/window/window-fn.js';
import { WindowingStrategy } from '../../sdk/window/windowing-strategy.js';
import { AfterWatermark } from '../../sdk/trigger/after-watermark.js';
import { KeyedWindowReducer, type Aggregation } from '../../runners/exec/windowing/keyed-window-reducer.js';
import { prng } from '../prng.js';

/** Values in the order they were added (and merged). */
const LIST: Aggregation<number, number[], number[]> = {
  create: () => [],
  add: (a, v) => (a.push(v), a),
  merge: (accs) => accs.flat(),
  extract: (a) => [...a],
};

/** Sessions whose gap depends on the timestamp: windows of several spans in one bundle. */
class UnevenSessions extends MergingWindowFn {
  override readonly assignsToOneWindow = true;
  override readonly mergesOverlappingIntervals = true;
  assignWindows(t: Instant): readonly IntervalWindow[] {
    return [new IntervalWindow(t, (t + 10 + (t % 3) * 7) as Instant)];
  }
  mergeWindows(windows: readonly IntervalWindow[]): readonly WindowMerge<IntervalWindow>[] {
    return mergeOverlappingIntervals(windows);
  }
  windowCoder() {
    return Coders.intervalWindow();
  }
  isCompatible(other: WindowFn<BoundedWindow>): boolean {
    return other === this;
  }
  toString(): string {
    return 'UnevenSessions';
  }
}


/** Every pane, as data, in the order emitted. */
function run(windowFn: WindowFn<BoundedWindow>, elements: Array<[string, number]>, bundle: number, fused: boolean): string[] {
  const panes: string[] = [];
  const r = new KeyedWindowReducer<string, number, number[], number[]>({
    strategy: WindowingStrategy.of(windowFn),
    aggregation: LIST,
    emit: (key, values, ts, w, p: PaneInfo) => {
      const iw = w as IntervalWindow;
      panes.push(`${key} [${iw.start},${iw.end}) ${values.join(',')} @${ts} ${p.timing} ${p.index} ${p.isLast}`);
    },
  });
  elements.forEach(([key, t], i) => {
    const ts = Instant.ofEpochMillis(t);
    if (fused) {
      const w = windowFn.assignWindows(ts)[0] as IntervalWindow;
      r.processInterval(key, key, i, ts, w.start, w.end);
    } else r.processElement(key, key, i, ts, windowFn.assignWindows(ts));
    if ((i + 1) % bundle === 0) r.finishBundle();
  });
  r.advanceInputWatermark(Instant.MAX);
  return panes;
}

function elements(n: number, keys: number, range: number, seed: number): Array<[string, number]> {
  const random = prng(seed);
  return Array.from({ length: n }, () => [`k${Math.floor(random() * keys)}`, Math.floor(random() * range)] as [string, number]);
}

describe('deferred session merging', () => {
  const cases: Array<[string, WindowFn<BoundedWindow>]> = [
    ['Sessions', Sessions.withGapDuration(Duration.millis(10))],
    ['sessions of uneven gaps', new UnevenSessions()],
  ];
  for (const [name, fn] of cases) {
    it(`${name}: one bundle gives the panes of merging on arrival (ties in end time across keys included)`, () => {
      const input = elements(3000, 7, 2000, 5);
      const onArrival = run(fn, input, 1, false);
      expect(onArrival.length).toBeGreaterThan(50);
      expect(run(fn, input, input.length, false)).toEqual(onArrival);
      expect(run(fn, input, input.length, true)).toEqual(onArrival);
      expect(run(fn, input, 97, true)).toEqual(onArrival);
    });
  }

  it('values of every kind come back as given: numbers (−0, NaN, fractions, large) kept beside the windows, others by reference', () => {
    const objects = [{ a: 1 }, ['x'], null, undefined, 'text', true, 7n];
    const numbers = [1, -0, 0, NaN, 0.5, -3, 2 ** 40, Infinity, -Infinity, 1e-300];
    const random = prng(9);
    const input: Array<[string, number, unknown]> = Array.from({ length: 400 }, (_, i) => [
      `k${Math.floor(random() * 3)}`,
      Math.floor(random() * 200),
      i % 3 === 0 ? objects[i % objects.length] : numbers[i % numbers.length],
    ]);
    const panes = (bundle: number): unknown[][] => {
      const out: unknown[][] = [];
      const r = new KeyedWindowReducer<string, unknown, unknown[], unknown[]>({
        strategy: WindowingStrategy.of(Sessions.withGapDuration(Duration.millis(10))),
        aggregation: LIST as unknown as Aggregation<unknown, unknown[], unknown[]>,
        emit: (_key, values) => out.push(values),
      });
      input.forEach(([key, t, v], i) => {
        r.processInterval(key, key, v, t as Instant, t, t + 10);
        if ((i + 1) % bundle === 0) r.finishBundle();
      });
      r.advanceInputWatermark(Instant.MAX);
      return out;
    };
    const onArrival = panes(1);
    const deferred = panes(input.length);
    expect(deferred.length).toBe(onArrival.length);
    expect(deferred.flat().length).toBe(input.length);
    // Object.is per value: −0 stays −0, NaN is NaN, an object is the very object given.
    deferred.forEach((values, p) => values.forEach((v, i) => expect(Object.is(v, onArrival[p]![i])).toBe(true)));
    expect(deferred.flat().some((v) => Object.is(v, -0))).toBe(true);
    expect(deferred.flat().filter((v) => v === objects[0]).length).toBeGreaterThan(0);
  });

  it('bundles, watermark steps and epoch times: the panes, held elements and open windows of merging on arrival', () => {
    // AfterWatermark.pastEndOfWindow() fires as the default trigger does here, but the reducer
    // then merges each element on arrival through window-merging.ts: an independent path.
    let panes = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const onArrival = stepped(seed, true);
      const deferred = stepped(seed, false);
      expect(deferred).toEqual(onArrival);
      panes += onArrival.filter((l) => l.startsWith('k')).length;
    }
    expect(panes).toBeGreaterThan(500);
  });
});

/** Bundles of random sizes for a few keys, the watermark stepping now and then (some elements
 *  late); every pane, and after each bundle what the reducer holds. */
function stepped(seed: number, onArrival: boolean): string[] {
  const random = prng(seed);
  const gap = 10 + Math.floor(random() * 20);
  const base = seed % 2 === 0 ? 1_700_000_000_000 : 0;
  const fn = Sessions.withGapDuration(Duration.millis(gap));
  const out: string[] = [];
  const r = new KeyedWindowReducer<string, number, number[], number[]>({
    strategy: onArrival ? WindowingStrategy.of(fn, { trigger: AfterWatermark.pastEndOfWindow() }) : WindowingStrategy.of(fn),
    aggregation: LIST,
    emit: (key, values, ts, w, p: PaneInfo) => {
      const iw = w as IntervalWindow;
      out.push(`${key} [${iw.start - base},${iw.end - base}) ${values.join(',')} @${ts - base} ${p.timing} ${p.index} ${p.isLast}`);
    },
    late: (key, value) => out.push(`late ${key} ${value}`),
  });
  const keys = 1 + Math.floor(random() * 5);
  let wm = 0;
  let value = 0;
  for (let b = 0; b < 30; b++) {
    for (let i = Math.floor(random() * 40); i > 0; i--) {
      const key = `k${Math.floor(random() * keys)}`;
      const t = base + wm - 5 + Math.floor(random() * 300);
      r.processInterval(key, key, value++, t as Instant, t, t + gap);
    }
    if (random() < 0.8) r.finishBundle();
    out.push(`held ${r.heldElements()} open ${r.openWindowCount()} hold ${r.outputWatermarkHold() - base}`);
    if (random() < 0.4) {
      wm += Math.floor(random() * 60);
      r.advanceInputWatermark((base + wm) as Instant);
    }
  }
  r.advanceInputWatermark(Instant.MAX);
  out.push(`held ${r.heldElements()} open ${r.openWindowCount()}`);
  return out;
}
