/** A window state keeps its times as small offsets where it can (window-state.ts): whatever it
 *  was given, it gives back exactly, and how it keeps them never reaches a checkpoint. */
import { describe, expect, it } from 'vitest';
import { GLOBAL_WINDOW_MAX } from '../../sdk/window/bounded-window.js';
import { PaneTimingCode } from '../../runners/exec/windowing/pane-tracker.js';
import { SAVED_FLAGS_MASK, WideWindowState, WindowState, windowState } from '../../runners/exec/windowing/window-state.js';

const T = 1_765_000_000_000;
const awkward = [T, T + 5, T - 2 ** 31 - 7, T + 2 ** 40, T + 0.25, 0, -0.5, 2 ** 53, -(2 ** 53), GLOBAL_WINDOW_MAX as number, Infinity, -Infinity];

describe('WindowState times', () => {
  it('gives back every time exactly, set at creation or later, in any order', () => {
    for (const a of awkward) {
      for (const b of awkward) {
        const w = new WindowState<string, number>(1, 'k', a, b);
        expect([w.maxTs, w.start, w.eventTime]).toEqual([a, b, a]);
        w.eventTime = b;
        w.start = a;
        w.maxTs = T + 1;
        expect([w.maxTs, w.start, w.eventTime]).toEqual([T + 1, a, b]);
        w.maxTs = b;
        expect(w.maxTs).toBe(b);
        // A window that grows has its timer set right after: the timer moves with its end
        // unless it was set apart from it.
        const grows = new WindowState<string, number>(1, 'k', a, b);
        grows.moveEnd(T + 3);
        expect([grows.maxTs, grows.eventTime, grows.extras]).toEqual([T + 3, T + 3, null]);
        grows.eventTime = b;
        grows.moveEnd(a);
        expect([grows.maxTs, grows.eventTime]).toEqual([a, b]);
      }
    }
  });

  it('keeps the way its times are stored out of the saved flags and across a restore', () => {
    const w = new WindowState<string, number>(1, 'k', T + 0.5, T);
    w.lastTiming = PaneTimingCode.LATE;
    w.nonEmpty = true;
    const saved = w.flags & SAVED_FLAGS_MASK;
    const plain = new WindowState<string, number>(2, 'k', T + 10, T);
    plain.lastTiming = PaneTimingCode.LATE;
    plain.nonEmpty = true;
    expect(saved).toBe(plain.flags & SAVED_FLAGS_MASK);
    plain.restoreFlags(saved);
    w.restoreFlags(saved);
    expect([w.maxTs, w.lastTiming, w.nonEmpty, w.alive]).toEqual([T + 0.5, PaneTimingCode.LATE, true, true]);
    expect([plain.maxTs, plain.lastTiming]).toEqual([T + 10, PaneTimingCode.LATE]);
  });

  it('keeps an arrival stamp and a grouping id apart from the key only when it needs to', () => {
    const lean = windowState<string, number>(1, 'k', 'k', T, T, false);
    lean.arrived = 42;
    expect([lean.constructor, lean.id, lean.key, lean.arrived]).toEqual([WindowState, 'k', 'k', -1]);
    const stamped = windowState<string, number>(1, 'k', 'k', T, T, true);
    stamped.arrived = 42;
    expect([stamped.constructor, stamped.id, stamped.key, stamped.arrived]).toEqual([WideWindowState, 'k', 'k', 42]);
    const key = { user: 'a' };
    const encoded = windowState<{ user: string }, number>(1, '\u0000a', key, T, T, false);
    expect([encoded.constructor, encoded.id, encoded.key, encoded.arrived]).toEqual([WideWindowState, '\u0000a', key, -1]);
  });
});
