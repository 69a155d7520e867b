/** A window state keeps its times as small offsets where it can (window-state.ts): whatever it
 *  was given, it gives back exactly, and how it keeps them never reaches a checkpoint. */
import { describe, expect, it } from 'vitest';
import { GLOBAL_WINDOW_MAX } from '../../sdk/window/bounded-window.js';
import { PaneTimingCode } from '../../runners/exec/windowing/pane-tracker.js';
import { ArrivalWindowState, SAVED_FLAGS_MASK, WindowState } from '../../runners/exec/windowing/window-state.js';

const T = 1_765_000_000_000;
const awkward = [T, T + 5, T - 2 ** 31 - 7, T + 2 ** 40, T + 0.25, 0, -0.5, 2 ** 53, -(2 ** 53), GLOBAL_WINDOW_MAX as number, Infinity, -Infinity];

describe('WindowState times', () => {
  it('gives back every time exactly, set at creation or later, in any order', () => {
    for (const a of awkward) {
      for (const b of awkward) {
        const w = new WindowState<string, number>(1, 'k', 'k', a, b);
        expect([w.maxTs, w.start, w.eventTime]).toEqual([a, b, a]);
        w.eventTime = b;
        w.start = a;
        w.maxTs = T + 1;
        expect([w.maxTs, w.start, w.eventTime]).toEqual([T + 1, a, b]);
        w.maxTs = b;
        expect(w.maxTs).toBe(b);
      }
    }
  });

  it('keeps the way its times are stored out of the saved flags and across a restore', () => {
    const w = new WindowState<string, number>(1, 'k', 'k', T + 0.5, T);
    w.lastTiming = PaneTimingCode.LATE;
    w.nonEmpty = true;
    const saved = w.flags & SAVED_FLAGS_MASK;
    const plain = new WindowState<string, number>(2, 'k', 'k', T + 10, T);
    plain.lastTiming = PaneTimingCode.LATE;
    plain.nonEmpty = true;
    expect(saved).toBe(plain.flags & SAVED_FLAGS_MASK);
    plain.restoreFlags(saved);
    w.restoreFlags(saved);
    expect([w.maxTs, w.lastTiming, w.nonEmpty, w.alive]).toEqual([T + 0.5, PaneTimingCode.LATE, true, true]);
    expect([plain.maxTs, plain.lastTiming]).toEqual([T + 10, PaneTimingCode.LATE]);
  });

  it('keeps an arrival stamp only when made to', () => {
    const w = new WindowState<string, number>(1, 'k', 'k', T, T);
    w.arrived = 42;
    expect(w.arrived).toBe(-1);
    const a = new ArrivalWindowState<string, number>(1, 'k', 'k', T, T);
    a.arrived = 42;
    expect(a.arrived).toBe(42);
  });
});
