import { describe, expect, it } from 'vitest';
import { Duration, Instant } from '../../sdk/time/instant.js';
import { GLOBAL_WINDOW_MAX, GlobalWindow, IntervalWindow } from '../../sdk/window/bounded-window.js';
import { FixedWindows } from '../../sdk/window/fixed.js';
import { GlobalWindows } from '../../sdk/window/global.js';
import { Sessions } from '../../sdk/window/sessions.js';
import { SlidingWindows } from '../../sdk/window/sliding.js';
import { mergeOverlappingIntervals } from '../../sdk/window/window-fn.js';

const t = (ms: number) => Instant.ofEpochMillis(ms);
const d = (ms: number) => Duration.millis(ms);
const iw = (s: number, e: number) => new IntervalWindow(t(s), t(e));
const bounds = (ws: readonly IntervalWindow[]) => ws.map((w) => [w.start, w.end]);

describe('FixedWindows', () => {
  const cases: Array<[size: number, offset: number, ts: number, start: number]> = [
    [10, 0, 0, 0],
    [10, 0, 9, 0],
    [10, 0, 10, 10],
    [10, 0, -1, -10],
    [10, 0, -10, -10],
    [10, 0, -11, -20],
    [10, 0, -15, -20],
    [10, 3, 2, -7],
    [10, 3, 3, 3],
    [10, 3, 12, 3],
    [10, 3, 13, 13],
    [10, 13, 5, 3], // offset taken modulo the size
    [10, -2, 7, -2],
    [10, -2, 8, 8],
    [60_000, 0, 1_700_000_012_345, 1_699_999_980_000],
  ];
  for (const [size, offset, ts, start] of cases) {
    it(`size ${size} offset ${offset}: ${ts} → [${start}, ${start + size})`, () => {
      const fn = FixedWindows.of(d(size)).withOffset(d(offset));
      expect(bounds(fn.assignWindows(t(ts)))).toEqual([[start, start + size]]);
      expect(fn.assignWindows(t(ts))[0]!.contains(t(ts))).toBe(true);
    });
  }
  it('cuts the last window at the end of the global window', () => {
    const w = FixedWindows.of(Duration.days(7)).assignWindows(t(GLOBAL_WINDOW_MAX - 10))[0]!;
    expect(w.end).toBe(GLOBAL_WINDOW_MAX + 1);
  });
  it('rejects bad sizes; compatibility is size and offset', () => {
    expect(() => FixedWindows.of(d(0))).toThrow(/positive/);
    expect(FixedWindows.of(d(10)).isCompatible(FixedWindows.of(d(10)))).toBe(true);
    expect(FixedWindows.of(d(10)).isCompatible(FixedWindows.of(d(10)).withOffset(d(1)))).toBe(false);
    expect(FixedWindows.of(d(10)).isCompatible(SlidingWindows.of(d(10)))).toBe(false);
  });
  it('side input window: the fixed window holding the main window end', () => {
    expect(bounds([FixedWindows.of(d(10)).sideInputWindow(iw(3, 25))])).toEqual([[20, 30]]);
  });
});

describe('SlidingWindows', () => {
  const cases: Array<[size: number, period: number, offset: number, ts: number, starts: number[]]> = [
    [10, 5, 0, 7, [5, 0]],
    [10, 5, 0, 5, [5, 0]],
    [10, 5, 0, 4, [0, -5]],
    [10, 5, 0, -1, [-5, -10]],
    [10, 5, 0, -6, [-10, -15]],
    [10, 5, 2, 7, [7, 2]],
    [10, 5, 2, 6, [2, -3]],
    [10, 3, 0, 10, [9, 6, 3]],
    [10, 3, 0, -1, [-3, -6, -9]],
    [10, 10, 0, 15, [10]],
    [5, 10, 0, 17, []], // period > size: gaps
    [5, 10, 0, 12, [10]],
  ];
  for (const [size, period, offset, ts, starts] of cases) {
    it(`size ${size} every ${period} offset ${offset}: ${ts} → starts ${starts}`, () => {
      const fn = SlidingWindows.of(d(size)).every(d(period)).withOffset(d(offset));
      expect(bounds(fn.assignWindows(t(ts)))).toEqual(starts.map((s) => [s, s + size]));
      for (const w of fn.assignWindows(t(ts))) expect(w.contains(t(ts))).toBe(true);
    });
  }
  it('side input window: the last window containing the main window end', () => {
    expect(bounds([SlidingWindows.of(d(10)).every(d(5)).sideInputWindow(iw(0, 13))])).toEqual([[10, 20]]);
  });
});

describe('Sessions', () => {
  it('assigns [t, t + gap)', () => {
    expect(bounds(Sessions.withGapDuration(d(10)).assignWindows(t(-3)))).toEqual([[-3, 7]]);
  });
  it('merges overlapping windows; touching ones stay apart; a bridge joins two', () => {
    const fn = Sessions.withGapDuration(d(10));
    const merges = fn.mergeWindows([iw(0, 10), iw(10, 20), iw(30, 40), iw(5, 15)]);
    expect(merges.map((m) => [bounds(m.toMerge as IntervalWindow[]), [m.result.start, m.result.end]])).toEqual([
      [
        [
          [0, 10],
          [5, 15],
          [10, 20],
        ],
        [0, 20],
      ],
    ]);
    expect(fn.mergeWindows([iw(0, 10), iw(10, 20)])).toEqual([]);
    expect(mergeOverlappingIntervals([iw(0, 10), iw(25, 35), iw(8, 27)]).map((m) => [m.result.start, m.result.end])).toEqual([
      [0, 35],
    ]);
  });
});

describe('GlobalWindows', () => {
  it('puts everything in the global window', () => {
    expect(GlobalWindows.of().assignWindows(t(123))).toEqual([GlobalWindow.INSTANCE]);
    expect(GlobalWindow.INSTANCE.maxTimestamp()).toBe(GLOBAL_WINDOW_MAX);
  });
});
