/**
 * Non-merging windows under the default trigger (END_OF_WINDOW, no lateness) are kept in buckets
 * by their end instead of timers: the panes, their order and the late drops must be those of the
 * general path, here driven by the equivalent AfterWatermark.pastEndOfWindow() trigger.
 */
import { describe, expect, it } from 'vitest';
import { Duration, Instant } from '../../sdk/time/instant.js';
import type { PaneInfo } from '../../sdk/values/pane.js';
import { IntervalWindow, type BoundedWindow } from '../../sdk/window/bounded-window.js';
import { FixedWindows } from '../../sdk/window/fixed.js';
import { SlidingWindows } from '../../sdk/window/sliding.js';
import type { WindowFn } from '../../sdk/window/window-fn.js';
import { WindowingStrategy } from '../../sdk/window/windowing-strategy.js';
import { AfterWatermark } from '../../sdk/trigger/index.js';
import { KeyedWindowReducer, type Aggregation } from '../../runners/exec/windowing/keyed-window-reducer.js';
import { prng } from '../prng.js';

const LIST: Aggregation<number, number[], number[]> = {
  create: () => [],
  add: (a, v) => (a.push(v), a),
  merge: (accs) => accs.flat(),
  extract: (a) => [...a],
};


/** Bundles of elements, each followed by a watermark step that leaves some of them late. */
function run(windowFn: WindowFn<BoundedWindow>, generalPath: boolean) {
  const panes: string[] = [];
  const r = new KeyedWindowReducer<string, number, number[], number[]>({
    strategy: WindowingStrategy.of(windowFn, generalPath ? { trigger: AfterWatermark.pastEndOfWindow() } : {}),
    aggregation: LIST,
    emit: (key, values, ts, w, p: PaneInfo) => {
      const iw = w as IntervalWindow;
      panes.push(`${key} [${iw.start},${iw.end}) ${values.join(',')} @${ts} ${p.timing} ${p.isFirst} ${p.isLast} ${p.index} ${p.onTimeIndex}`);
    },
  });
  const random = prng(3);
  let wm = 0;
  let v = 0;
  for (let b = 0; b < 40; b++) {
    for (let i = 0; i < 50; i++) {
      const t = Instant.ofEpochMillis(Math.max(0, wm - 30 + Math.floor(random() * 100)));
      const key = `k${Math.floor(random() * 5)}`;
      r.processElement(key, key, v++, t, windowFn.assignWindows(t));
    }
    r.finishBundle();
    wm += 40;
    r.advanceInputWatermark(Instant.ofEpochMillis(wm));
  }
  r.advanceInputWatermark(Instant.MAX);
  return { panes, dropped: r.counters.droppedLate, open: r.openWindowCount(), held: r.heldElements() };
}

describe('window buckets', () => {
  const fns: Array<[string, WindowFn<BoundedWindow>]> = [
    ['fixed windows', FixedWindows.of(Duration.millis(25))],
    ['sliding windows', SlidingWindows.of(Duration.millis(30)).every(Duration.millis(10))],
  ];
  for (const [name, fn] of fns) {
    it(`${name}: the same panes, in the same order, and the same late drops as the general path`, () => {
      const buckets = run(fn, false);
      const general = run(fn, true);
      expect(buckets.panes.length).toBeGreaterThan(100);
      expect(buckets.dropped).toBeGreaterThan(0);
      expect(buckets).toEqual(general);
      expect(buckets.open).toBe(0);
      expect(buckets.held).toBe(0);
    });
  }
});
