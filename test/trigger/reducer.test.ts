/** KeyedWindowReducer: sessions, lateness and garbage collection, each trigger, holds. */
import { describe, expect, it } from 'vitest';
import { Instant } from '../../sdk/time/instant.js';
import { IntervalWindow, type BoundedWindow } from '../../sdk/window/bounded-window.js';
import { FixedWindows } from '../../sdk/window/fixed.js';
import { GlobalWindows } from '../../sdk/window/global.js';
import { Sessions } from '../../sdk/window/sessions.js';
import { SlidingWindows } from '../../sdk/window/sliding.js';
import { MergingWindowFn, mergeOverlappingIntervals, type WindowFn } from '../../sdk/window/window-fn.js';
import { Coders } from '../../sdk/coders/index.js';
import {
  AfterAll,
  AfterCount,
  AfterEach,
  AfterFirst,
  AfterProcessingTime,
  AfterWatermark,
  Never,
  Repeatedly,
} from '../../sdk/trigger/index.js';
import { d, harness, t } from './reducer-harness.js';

describe('sessions', () => {
  it('merge under out-of-order input', () => {
    const h = harness(Sessions.withGapDuration(d(10)));
    h.add([20]).add([5]);
    expect(h.r.openWindowCount()).toBe(2);
    h.add([12]); // [12,22) bridges [5,15) and [20,30)
    expect(h.r.openWindowCount()).toBe(1);
    expect(h.r.outputWatermarkHold()).toBe(29);
    h.wm(100);
    expect(h.take()).toEqual([
      { key: 'k', window: '[5,30)', values: [5, 12, 20], ts: 29, timing: 'ON_TIME', first: true, last: true, index: 0, onTimeIndex: 0 },
    ]);
    expect(h.r.openWindowCount()).toBe(0);
    expect(h.r.outputWatermarkHold()).toBe(Instant.MAX);
  });

  it('a late element within allowed lateness bridges two fired sessions into one (accumulating)', () => {
    const h = harness(Sessions.withGapDuration(d(10)), { allowedLateness: d(100), accumulationMode: 'ACCUMULATING' });
    h.add([0, 15]).wm(30);
    expect(h.take().map((p) => [p.window, p.values, p.timing, p.last])).toEqual([
      ['[0,10)', [0], 'ON_TIME', false],
      ['[15,25)', [15], 'ON_TIME', false],
    ]);
    h.add([8]); // [8,18) overlaps both
    expect(h.take()).toEqual([
      { key: 'k', window: '[0,25)', values: [0, 8, 15], ts: 24, timing: 'LATE', first: false, last: false, index: 1, onTimeIndex: 1 },
    ]);
    expect(h.r.openWindowCount()).toBe(1);
    h.wm(125); // gc of [0,25) is 24 + 100
    expect(h.take()).toEqual([]);
    expect(h.r.openWindowCount()).toBe(0);
    h.add([9]); // [9,19): 18 + 100 < 125: droppable
    expect(h.r.counters.droppedLate).toBe(1);
    expect(h.late).toEqual([['k', 9]]);
  });

  it('bridging late element in discarding mode carries only the new value', () => {
    const h = harness(Sessions.withGapDuration(d(10)), { allowedLateness: d(100) });
    h.add([0, 15]).wm(30).take();
    h.add([8]);
    expect(h.take().map((p) => [p.window, p.values, p.timing])).toEqual([['[0,25)', [8], 'LATE']]);
  });

  it('a custom merging fn takes the generic path with the same result', () => {
    class MySessions extends MergingWindowFn {
      assignWindows(ts: Instant) {
        return [new IntervalWindow(ts, (ts + 10) as Instant)];
      }
      mergeWindows(ws: readonly IntervalWindow[]) {
        return mergeOverlappingIntervals(ws);
      }
      windowCoder() {
        return Coders.intervalWindow();
      }
      isCompatible(o: WindowFn<BoundedWindow>): boolean {
        return o === this;
      }
      toString() {
        return 'MySessions';
      }
    }
    const h = harness(new MySessions());
    h.add([20]).add([5]).add([12]).add([40]).wm(100);
    expect(h.take().map((p) => [p.window, p.values])).toEqual([
      ['[5,30)', [5, 12, 20]],
      ['[40,50)', [40]],
    ]);
  });

  it('keeps keys apart', () => {
    const h = harness(Sessions.withGapDuration(d(10)));
    h.add([1], 'a').add([3], 'b').add([5], 'a').wm(100);
    expect(h.take().map((p) => [p.key, p.window, p.values])).toEqual([
      ['b', '[3,13)', [3]], // fires first: its end is earlier
      ['a', '[1,15)', [1, 5]],
    ]);
  });
});

describe('lateness and garbage collection', () => {
  it('on time, late within lateness, then collected and dropped', () => {
    const h = harness(FixedWindows.of(d(10)), { allowedLateness: d(20) });
    h.add([1, 2]).wm(15);
    expect(h.take()).toEqual([
      { key: 'k', window: '[0,10)', values: [1, 2], ts: 9, timing: 'ON_TIME', first: true, last: false, index: 0, onTimeIndex: 0 },
    ]);
    h.add([3]);
    expect(h.take()).toEqual([
      { key: 'k', window: '[0,10)', values: [3], ts: 9, timing: 'LATE', first: false, last: false, index: 1, onTimeIndex: 1 },
    ]);
    expect(h.r.openWindowCount()).toBe(1);
    h.wm(29);
    expect(h.r.openWindowCount()).toBe(1); // gc time 29: collected once the watermark is past it
    h.wm(30);
    expect(h.r.openWindowCount()).toBe(0);
    expect(h.take()).toEqual([]); // closing FIRE_IF_NONEMPTY: nothing new, no pane
    h.add([4]);
    expect(h.r.counters.droppedLate).toBe(1);
    expect(h.late).toEqual([['k', 4]]);
  });

  it('element droppable exactly when max timestamp + lateness < input watermark', () => {
    const h = harness(FixedWindows.of(d(10)), { allowedLateness: d(5) });
    h.wm(14).add([0]); // 9 + 5 = 14, not before 14: kept
    expect(h.r.counters.droppedLate).toBe(0);
    h.take();
    h.wm(15).add([1]); // 14 < 15: dropped
    expect(h.r.counters.droppedLate).toBe(1);
  });

  it('closing FIRE_ALWAYS emits an empty final pane at garbage collection', () => {
    const h = harness(FixedWindows.of(d(10)), { allowedLateness: d(20), closingBehavior: 'FIRE_ALWAYS' });
    h.add([1]).wm(15);
    expect(h.take().map((p) => [p.values, p.timing, p.last])).toEqual([[[1], 'ON_TIME', false]]);
    h.wm(40);
    expect(h.take().map((p) => [p.values, p.timing, p.last, p.index])).toEqual([[[], 'LATE', true, 1]]);
  });

  it('zero lateness: the ON_TIME pane is the last', () => {
    const h = harness(FixedWindows.of(d(10)));
    h.add([1]).wm(10);
    expect(h.take().map((p) => [p.timing, p.last])).toEqual([['ON_TIME', true]]);
  });

  it('garbage_collection transcript, literally: closed windows are tombstones until collected', () => {
    const h = harness(FixedWindows.of(d(10)), { trigger: AfterCount.of(2), allowedLateness: d(10) });
    h.add([1, 2, 3, 10, 11, 25]);
    expect(h.take().map((p) => [p.window, p.values, p.ts, p.last])).toEqual([
      ['[0,10)', [1, 2, 3], 9, true],
      ['[10,20)', [10, 11], 19, true],
    ]);
    const st = (s: number) => h.r.windowState('k', new IntervalWindow(t(s), t(s + 10)));
    expect([st(0), st(10), st(20)]).toEqual(['tombstone', 'tombstone', 'present']);
    h.add([4]);
    expect(h.r.counters.droppedClosed).toBe(1);
    h.wm(25);
    expect([st(0), st(10), st(20)]).toEqual(['absent', 'tombstone', 'present']);
    expect(h.r.tombstoneCount()).toBe(1);
  });
});

describe('triggers', () => {
  it('AfterCount fires once, then the window is closed', () => {
    const h = harness(GlobalWindows.of(), { trigger: AfterCount.of(2) });
    h.add([1]).add([2]);
    expect(h.take().map((p) => [p.values, p.timing, p.last])).toEqual([[[1, 2], 'EARLY', true]]);
    h.add([3]);
    expect(h.take()).toEqual([]);
    expect(h.r.counters.droppedClosed).toBe(1);
  });

  it('Repeatedly(AfterCount) fires every n elements; the rest comes at the end', () => {
    const h = harness(GlobalWindows.of(), { trigger: Repeatedly.forever(AfterCount.of(2)) });
    h.add([1]).add([2]).add([3]).add([4]).add([5]);
    expect(h.take().map((p) => [p.values, p.index])).toEqual([
      [[1, 2], 0],
      [[3, 4], 1],
    ]);
    h.r.finish();
    expect(h.take().map((p) => [p.values, p.timing, p.last])).toEqual([[[5], 'ON_TIME', true]]);
  });

  it('AfterProcessingTime fires when processing time reaches first arrival + delay', () => {
    const h = harness(GlobalWindows.of(), { trigger: Repeatedly.forever(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(d(5))) });
    h.r.advanceProcessingTime(t(100));
    h.add([1]);
    expect(h.r.nextProcessingTimeTimer()).toBe(105);
    h.r.advanceProcessingTime(t(104));
    h.add([2]);
    expect(h.take()).toEqual([]);
    h.r.advanceProcessingTime(t(105));
    expect(h.take().map((p) => [p.values, p.timing])).toEqual([[[1, 2], 'EARLY']]);
    expect(h.r.nextProcessingTimeTimer()).toBeUndefined();
  });

  it('alignedTo rounds the target up to the grid', () => {
    const trig = AfterProcessingTime.pastFirstElementInPane().alignedTo(d(10), d(3));
    expect([trig.targetFor(t(0)), trig.targetFor(t(3)), trig.targetFor(t(4)), trig.targetFor(t(-8))]).toEqual([3, 3, 13, -7]);
  });

  it('AfterWatermark with early and late firings', () => {
    const h = harness(FixedWindows.of(d(10)), {
      trigger: AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterCount.of(2)).withLateFirings(AfterCount.of(1)),
      allowedLateness: d(50),
      accumulationMode: 'ACCUMULATING',
    });
    h.add([1, 2]).add([3]);
    expect(h.take().map((p) => [p.values, p.timing, p.index, p.onTimeIndex])).toEqual([[[1, 2], 'EARLY', 0, -1]]);
    expect(h.r.outputWatermarkHold()).toBe(9); // the ON_TIME pane's timestamp is held
    h.wm(10);
    expect(h.take().map((p) => [p.values, p.timing, p.index, p.onTimeIndex, p.last])).toEqual([[[1, 2, 3], 'ON_TIME', 1, 0, false]]);
    h.add([4]);
    expect(h.take().map((p) => [p.values, p.timing, p.index, p.onTimeIndex])).toEqual([[[1, 2, 3, 4], 'LATE', 2, 1]]);
    h.add([5]);
    expect(h.take().map((p) => [p.values, p.timing, p.index])).toEqual([[[1, 2, 3, 4, 5], 'LATE', 3]]);
  });

  it('on-time FIRE_IF_NONEMPTY skips an empty ON_TIME pane; FIRE_ALWAYS emits it', () => {
    for (const [onTimeBehavior, n] of [
      ['FIRE_IF_NONEMPTY', 0],
      ['FIRE_ALWAYS', 1],
    ] as const) {
      const h = harness(FixedWindows.of(d(10)), {
        trigger: AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterCount.of(1)),
        onTimeBehavior,
      });
      h.add([1]).take();
      h.wm(10);
      expect(h.take().length).toBe(n);
    }
  });

  it('AfterEach.inOrder runs its triggers one after the other', () => {
    const h = harness(GlobalWindows.of(), { trigger: AfterEach.inOrder(AfterCount.of(2), AfterCount.of(3)) });
    h.add([1]).add([2]).add([3]).add([4]).add([5]).add([6]);
    expect(h.take().map((p) => [p.values, p.last])).toEqual([
      [[1, 2], false],
      [[3, 4, 5], true],
    ]);
    expect(h.r.counters.droppedClosed).toBe(1);
  });

  it('AfterFirst fires on whichever comes first', () => {
    const h = harness(FixedWindows.of(d(10)), { trigger: AfterFirst.of(AfterCount.of(3), AfterWatermark.pastEndOfWindow()) });
    h.add([1]).wm(10);
    expect(h.take().map((p) => [p.values, p.timing, p.last])).toEqual([[[1], 'ON_TIME', true]]);
    h.add([11, 12, 13]);
    expect(h.take().map((p) => [p.values, p.timing])).toEqual([[[11, 12, 13], 'EARLY']]);
  });

  it('AfterAll waits for every trigger', () => {
    const h = harness(FixedWindows.of(d(10)), { trigger: AfterAll.of(AfterCount.of(2), AfterWatermark.pastEndOfWindow()), allowedLateness: d(100) });
    h.add([1]).add([2]);
    expect(h.take()).toEqual([]);
    h.wm(10);
    expect(h.take().map((p) => [p.values, p.timing])).toEqual([[[1, 2], 'ON_TIME']]);
    h.add([11]).wm(20);
    expect(h.take()).toEqual([]);
    h.add([12]);
    // ON_TIME although the input watermark passed the end: 11's hold kept the output watermark at 19.
    expect(h.take().map((p) => [p.values, p.timing])).toEqual([[[11, 12], 'ON_TIME']]);
  });

  it('orFinally stops repeating once the until trigger fires', () => {
    const h = harness(GlobalWindows.of(), { trigger: Repeatedly.forever(AfterCount.of(2)).orFinally(AfterCount.of(5)) });
    for (let i = 1; i <= 6; i++) h.add([i]);
    expect(h.take().map((p) => [p.values, p.last])).toEqual([
      [[1, 2], false],
      [[3, 4], false],
      [[5], true],
    ]);
  });

  it('Never fires only at garbage collection', () => {
    const h = harness(FixedWindows.of(d(10)), { trigger: Never.ever(), allowedLateness: d(5) });
    h.add([1, 2]).wm(12);
    expect(h.take()).toEqual([]);
    h.wm(15);
    expect(h.take().map((p) => [p.values, p.timing, p.last])).toEqual([[[1, 2], 'ON_TIME', true]]);
  });
});

describe('timestamp combiners and holds', () => {
  it('EARLIEST holds the output watermark at the earliest element', () => {
    const h = harness(FixedWindows.of(d(10)), { timestampCombiner: 'EARLIEST' });
    h.add([5, 3, 7]);
    expect(h.r.outputWatermarkHold()).toBe(3);
    h.wm(10);
    expect(h.take().map((p) => p.ts)).toEqual([3]);
    expect(h.r.outputWatermarkHold()).toBe(Instant.MAX);
  });

  it('LATEST outputs at the latest element', () => {
    const h = harness(FixedWindows.of(d(10)), { timestampCombiner: 'LATEST' });
    h.add([5, 3, 7]).wm(10);
    expect(h.take().map((p) => p.ts)).toEqual([7]);
  });

  it('elements behind the output watermark cannot hold it (EARLIEST falls back)', () => {
    const h = harness(FixedWindows.of(d(10)), { timestampCombiner: 'EARLIEST' });
    h.wm(6).add([2, 8]).wm(10);
    expect(h.take().map((p) => p.ts)).toEqual([8]);
  });

  it('sliding windows: one element, several panes', () => {
    const h = harness(SlidingWindows.of(d(10)).every(d(5)));
    h.add([7]).wm(20);
    expect(h.take().map((p) => [p.window, p.values])).toEqual([
      ['[0,10)', [7]],
      ['[5,15)', [7]],
    ]);
  });
});
