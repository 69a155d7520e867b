/**
 * Trigger and lateness boundaries, worked out by hand from Beam's rules (not captured from the
 * runner), on every code path of the windowing engine:
 * - the end-of-window (ON_TIME) timer of a window fires once the input watermark is PAST its max
 *   timestamp: nothing at wm = maxTs, the pane at wm = maxTs + 1;
 * - the garbage-collection time is maxTs + allowed lateness: an element arriving at wm = gc is
 *   kept, one arriving at wm = gc + 1 is dropped (and counted); the window's state goes once the
 *   watermark is past gc;
 * - a processing-time trigger fires when processing time REACHES its target.
 *
 * Window [0, 10) throughout (elements at timestamp 0; fixed windows of 10, or sessions with gap
 * 10): maxTs = 9.
 */
import { describe, expect, it } from 'vitest';
import { AfterCount, AfterProcessingTime, AfterWatermark, Repeatedly, type Trigger } from '../../sdk/trigger/index.js';
import { FixedWindows } from '../../sdk/window/fixed.js';
import { GlobalWindows } from '../../sdk/window/global.js';
import { Sessions } from '../../sdk/window/sessions.js';
import type { WindowFn } from '../../sdk/window/window-fn.js';
import type { BoundedWindow } from '../../sdk/window/bounded-window.js';
import { Instant } from '../../sdk/time/instant.js';
import { d, harness, t } from './reducer-harness.js';

/** One bundle of one element with timestamp 0 (so a session is [0, 10) too) and value `v`. */
const put = (h: ReturnType<typeof harness>, v: number) => h.add([0], 'k', () => v);

const pane = (values: number[], timing: string, index: number, onTimeIndex: number, first: boolean, last: boolean) => ({
  key: 'k',
  window: '[0,10)',
  values,
  ts: 9,
  timing,
  first,
  last,
  index,
  onTimeIndex,
});

/** The engine's paths: which one a strategy takes is decided by the trigger, lateness and fn. */
const ZERO_LATENESS_PATHS: Array<[string, WindowFn<BoundedWindow>, Trigger | undefined]> = [
  ['fixed windows, default trigger (window buckets)', FixedWindows.of(d(10)), undefined],
  ['sessions, default trigger (deferred merging)', Sessions.withGapDuration(d(10)), undefined],
  ['fixed windows, AfterWatermark with early firings (trigger machine)', FixedWindows.of(d(10)), AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterCount.of(3))],
  ['sessions, AfterWatermark with early firings (trigger machine, merging)', Sessions.withGapDuration(d(10)), AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterCount.of(3))],
];

describe('the ON_TIME pane fires when the watermark passes maxTs, not when it reaches it', () => {
  for (const [name, fn, trigger] of ZERO_LATENESS_PATHS) {
    it(name, () => {
      // Sessions: an element at 0 opens [0, 10) (gap 10), the same window as the fixed one.
      const h = harness(fn, trigger ? { trigger } : {});
      put(h, 0);
      h.wm(8);
      put(h, 1); // two elements: below the early count of 3
      expect(h.take()).toEqual([]);
      h.wm(9);
      expect(h.take()).toEqual([]); // wm = maxTs: not past the end of the window
      expect(h.r.openWindowCount()).toBe(1);
      put(h, 2); // wm = 9 = gc time (zero lateness): still accepted
      expect(h.r.counters.droppedLate).toBe(0);
      if (trigger) {
        // The third element meets the early count.
        expect(h.take()).toEqual([pane([0, 1, 2], 'EARLY', 0, -1, true, false)]);
        h.wm(10);
        // On time with nothing new: FIRE_ALWAYS (the default on-time behaviour) emits an empty
        // ON_TIME pane, the last (zero lateness).
        expect(h.take()).toEqual([pane([], 'ON_TIME', 1, 0, false, true)]);
      } else {
        expect(h.take()).toEqual([]);
        h.wm(10); // wm = maxTs + 1
        expect(h.take()).toEqual([pane([0, 1, 2], 'ON_TIME', 0, 0, true, true)]);
      }
      expect(h.r.openWindowCount()).toBe(0);
      put(h, 3); // gc 9 < wm 10: dropped
      expect(h.r.counters.droppedLate).toBe(1);
      expect(h.late).toEqual([['k', 3]]);
      expect(h.take()).toEqual([]);
    });
  }
});

describe('elements arriving at wm = maxTs, under a trigger that waits for the watermark', () => {
  const cases: Array<[string, WindowFn<BoundedWindow>, Trigger]> = [
    ['AfterWatermark alone, fixed windows', FixedWindows.of(d(10)), AfterWatermark.pastEndOfWindow()],
    ['AfterWatermark alone, sessions', Sessions.withGapDuration(d(10)), AfterWatermark.pastEndOfWindow()],
    ['AfterWatermark with an early count not met, fixed windows', FixedWindows.of(d(10)), AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterCount.of(3))],
    ['AfterWatermark with an early count not met, sessions', Sessions.withGapDuration(d(10)), AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterCount.of(3))],
    ['Repeatedly(AfterWatermark), fixed windows', FixedWindows.of(d(10)), Repeatedly.forever(AfterWatermark.pastEndOfWindow())],
  ];
  for (const [name, fn, trigger] of cases) {
    it(`${name}: no pane at wm = maxTs, one clean ON_TIME #0 at maxTs + 1`, () => {
      const h = harness(fn, { trigger });
      h.wm(9);
      put(h, 4);
      put(h, 6);
      expect(h.take()).toEqual([]);
      h.wm(10);
      expect(h.take()).toEqual([pane([4, 6], 'ON_TIME', 0, 0, true, true)]);
    });
  }
});

const LATE_PATHS: Array<[string, WindowFn<BoundedWindow>, Trigger | undefined]> = [
  ['fixed windows, default trigger, lateness 5 (holds off the timer heap)', FixedWindows.of(d(10)), undefined],
  ['sessions, default trigger, lateness 5 (merging without deferral)', Sessions.withGapDuration(d(10)), undefined],
  ['fixed windows, AfterWatermark with late firings, lateness 5 (trigger machine)', FixedWindows.of(d(10)), AfterWatermark.pastEndOfWindow().withLateFirings(AfterCount.of(1))],
];

describe('allowed lateness: gc time = maxTs + lateness = 14', () => {
  for (const [name, fn, trigger] of LATE_PATHS) {
    it(name, () => {
      const h = harness(fn, { allowedLateness: d(5), ...(trigger ? { trigger } : {}) });
      put(h, 3).wm(9);
      expect(h.take()).toEqual([]);
      h.wm(10);
      // Not the last pane: late data may still come.
      expect(h.take()).toEqual([pane([3], 'ON_TIME', 0, 0, true, false)]);
      put(h, 4); // late, within lateness: a LATE pane at the end of the bundle
      expect(h.take()).toEqual([pane([4], 'LATE', 1, 1, false, false)]);
      h.wm(14); // wm = gc: the window is still there, and accepts data
      expect(h.r.openWindowCount()).toBe(1);
      put(h, 5);
      expect(h.r.counters.droppedLate).toBe(0);
      expect(h.take()).toEqual([pane([5], 'LATE', 2, 2, false, false)]);
      h.wm(15); // wm = gc + 1: collected; nothing buffered, so no final pane (FIRE_IF_NONEMPTY)
      expect(h.take()).toEqual([]);
      expect(h.r.openWindowCount()).toBe(0);
      put(h, 6);
      expect(h.r.counters.droppedLate).toBe(1);
      expect(h.late).toEqual([['k', 6]]);
      expect(h.take()).toEqual([]);
    });
  }

  it('buffered late data is emitted as the final pane at gc + 1, not at gc', () => {
    // Late firings only every 2 elements: one late element stays buffered until collection.
    const h = harness(FixedWindows.of(d(10)), {
      allowedLateness: d(5),
      trigger: AfterWatermark.pastEndOfWindow().withLateFirings(AfterCount.of(2)),
    });
    h.add([3]).wm(10);
    expect(h.take()).toEqual([pane([3], 'ON_TIME', 0, 0, true, false)]);
    h.add([7]).wm(14);
    expect(h.take()).toEqual([]);
    h.wm(15);
    expect(h.take()).toEqual([pane([7], 'LATE', 1, 1, false, true)]);
  });

  it('the element hold of a late element is one before the gc time, released at collection', () => {
    const h = harness(FixedWindows.of(d(10)), { allowedLateness: d(5), trigger: AfterWatermark.pastEndOfWindow().withLateFirings(AfterCount.of(2)) });
    h.add([3]).wm(10).take();
    h.add([7]);
    // Behind the input watermark: an element cannot hold the output at its window's end (9,
    // already passed), so it holds at the gc time less 1 ms (Beam's WatermarkHold, with lateness
    // > 0: the output watermark must stay behind the gc timer so the final pane is on time for
    // the next stage).
    expect(h.r.outputWatermarkHold()).toBe(13);
    h.wm(14);
    expect(h.r.outputWatermarkHold()).toBe(13);
    h.wm(15);
    expect(h.r.outputWatermarkHold()).toBe(Instant.MAX);
    expect(h.r.openWindowCount()).toBe(0);
  });
});

describe('processing time triggers fire when processing time reaches the target', () => {
  it('first element at 100, delay 5: nothing at 104, the pane at 105', () => {
    const h = harness(GlobalWindows.of(), { trigger: Repeatedly.forever(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(d(5))) });
    h.r.advanceProcessingTime(t(100));
    h.add([1]);
    h.r.advanceProcessingTime(t(104));
    expect(h.take()).toEqual([]);
    h.r.advanceProcessingTime(t(105));
    expect(h.take().map((p) => [p.values, p.timing, p.index])).toEqual([[[1], 'EARLY', 0]]);
  });
});

describe('sessions merge when they overlap, not when they touch', () => {
  const paths: Array<[string, object]> = [
    ['default trigger (deferred merging)', {}],
    ['lateness 5 (merging at once)', { allowedLateness: d(5) }],
    ['early count trigger (trigger machine)', { trigger: AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterCount.of(5)) }],
  ];
  for (const [name, props] of paths) {
    it(name, () => {
      // Gap 10: 0 gives [0, 10), 10 gives [10, 20) (touching), 19 gives [19, 29) (overlaps
      // [10, 20) by 1 ms), 40 gives [40, 50). In one bundle and in separate bundles.
      for (const bundles of [[[0, 10, 19, 40]], [[0], [10], [19], [40]], [[40], [19], [10], [0]]]) {
        const h = harness(Sessions.withGapDuration(d(10)), props);
        for (const b of bundles) h.add(b);
        h.wm(100);
        expect(h.take().map((p) => [p.window, p.values, p.ts])).toEqual([
          ['[0,10)', [0], 9],
          ['[10,29)', [10, 19], 28],
          ['[40,50)', [40], 49],
        ]);
      }
    });
  }
});
