/**
 * Sessions under the default trigger are merged once per bundle, not per element: the panes —
 * their order, windows, values in order, timestamps — must be exactly those of merging each
 * element as it arrives (a bundle of one element each).
 */
import { describe, expect, it } from 'vitest';
import { Coders } from '../../sdk/coders/index.js';
import { Duration, Instant } from '../../sdk/time/instant.js';
import type { PaneInfo } from '../../sdk/values/pane.js';
import { IntervalWindow, type BoundedWindow } from '../../sdk/window/bounded-window.js';
import { Sessions } from '../../sdk/window/sessions.js';
import { MergingWindowFn, mergeOverlappingIntervals, type WindowFn, type WindowMerge } from '../../sdk/window/window-fn.js';
import { WindowingStrategy } from '../../sdk/window/windowing-strategy.js';
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
});
