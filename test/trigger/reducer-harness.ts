/** A KeyedWindowReducer driven by hand: bundles of elements (value = timestamp), watermarks, and
 *  the panes it emitted, flattened to plain records a test can compare with hand-worked ones. */
import { Duration, Instant } from '../../sdk/time/instant.js';
import type { PaneInfo } from '../../sdk/values/pane.js';
import { IntervalWindow, type BoundedWindow } from '../../sdk/window/bounded-window.js';
import type { WindowFn } from '../../sdk/window/window-fn.js';
import { WindowingStrategy, type WindowingStrategyProps } from '../../sdk/window/windowing-strategy.js';
import { KeyedWindowReducer, type Aggregation } from '../../runners/exec/windowing/keyed-window-reducer.js';

export const t = (ms: number) => Instant.ofEpochMillis(ms);
export const d = (ms: number) => Duration.millis(ms);

export interface Pane {
  key: string;
  window: string;
  values: number[];
  ts: number;
  timing: string;
  first: boolean;
  last: boolean;
  index: number;
  onTimeIndex: number;
}

export const LIST: Aggregation<number, number[], number[]> = {
  create: () => [],
  add: (a, v) => (a.push(v), a),
  merge: (accs) => accs.flat(),
  extract: (a) => [...a].sort((x, y) => x - y),
};

export const wname = (w: BoundedWindow) => (w instanceof IntervalWindow ? `[${w.start},${w.end})` : 'global');

export function harness(windowFn: WindowFn<BoundedWindow>, props: Partial<Omit<WindowingStrategyProps, 'windowFn'>> = {}) {
  const panes: Pane[] = [];
  const late: Array<[string, number]> = [];
  const r = new KeyedWindowReducer<string, number, number[], number[]>({
    strategy: WindowingStrategy.of(windowFn, props),
    aggregation: LIST,
    emit: (key, values, ts, window, p: PaneInfo) =>
      panes.push({
        key,
        window: wname(window),
        values,
        ts,
        timing: p.timing,
        first: p.isFirst,
        last: p.isLast,
        index: p.index,
        onTimeIndex: p.onTimeIndex,
      }),
    late: (key, v) => late.push([key, v]),
  });
  const api = {
    r,
    late,
    /** One bundle of elements (value = timestamp) for `key`. */
    add(ts: number[], key = 'k', value?: (ts: number) => number) {
      for (const x of ts) r.processElement(key, key, value ? value(x) : x, t(x), windowFn.assignWindows(t(x)));
      r.finishBundle();
      return api;
    },
    wm(x: number) {
      r.advanceInputWatermark(t(x));
      return api;
    },
    take(): Pane[] {
      return panes.splice(0);
    },
  };
  return api;
}

