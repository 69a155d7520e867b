/** The reducer's event-timer heap: bulk paths (due timers, rebuilds, bulk inserts) keep the
 *  (time, seq) order of popping one timer at a time. */
import { describe, expect, it } from 'vitest';
import { EventTimerHeap, type HeapEntry } from '../../runners/exec/windowing/timer-heap.js';
import { prng } from '../prng.js';

class Entry implements HeapEntry {
  eventTime = 0;
  eventSlot = -1;
  constructor(readonly seq: number) {}
}


const byTimeThenSeq = (a: Entry, b: Entry) => a.eventTime - b.eventTime || a.seq - b.seq;

/** `n` entries with times in [0, times) and sequence numbers `gap` apart; some timers later
 *  moved later (the heap's key then lags). */
function filled(n: number, times: number, gap: number, seed: number): { heap: EventTimerHeap<Entry>; entries: Entry[] } {
  const random = prng(seed);
  const heap = new EventTimerHeap<Entry>();
  const entries: Entry[] = [];
  for (let i = 0; i < n; i++) {
    const e = new Entry(i * gap);
    heap.set(e, Math.floor(random() * times));
    entries.push(e);
  }
  for (const e of entries) if (random() < 0.5) heap.set(e, e.eventTime + Math.floor(random() * times));
  return { heap, entries };
}

describe('EventTimerHeap', () => {
  for (const gap of [1, 7, 100]) {
    it(`takes due timers in (time, seq) order, sequence numbers ${gap} apart`, () => {
      const { heap, entries } = filled(10_000, 1000, gap, gap);
      const wm = 1500;
      const due = heap.takeDue(wm);
      expect(due).not.toBeNull();
      const got: Entry[] = [];
      for (let k = 0; k < due!.length; k++) got.push(due!.at(k) as Entry);
      const want = entries.filter((e) => e.eventTime < wm).sort(byTimeThenSeq);
      expect(got).toEqual(want);
      for (const e of got) expect(e.eventSlot).toBe(-1);
      // The rest is still a heap, in order.
      const rest: Entry[] = [];
      while (heap.size > 0) rest.push(heap.pop()!);
      expect(rest).toEqual(entries.filter((e) => e.eventTime >= wm).sort(byTimeThenSeq));
    });
  }

  for (const gap of [1, 100]) {
    it(`takes every timer when all are due (the end of input), sequence numbers ${gap} apart`, () => {
      const { heap, entries } = filled(10_000, 1000, gap, 40 + gap);
      const due = heap.takeDue(Infinity);
      expect(due).not.toBeNull();
      const got: Entry[] = [];
      for (let k = 0; k < due!.length; k++) got.push(due!.at(k) as Entry);
      expect(got).toEqual([...entries].sort(byTimeThenSeq));
      expect(heap.size).toBe(0);
      // The heap works on afterwards.
      const e = new Entry(1e6);
      heap.set(e, 5);
      expect(heap.pop()).toBe(e);
    });
  }

  it('gives up, leaving the heap as it was, when few timers are due', () => {
    const { heap, entries } = filled(5000, 1000, 3, 1);
    expect(heap.takeDue(10)).toBeNull();
    const all: Entry[] = [];
    while (heap.size > 0) all.push(heap.pop()!);
    expect(all).toEqual([...entries].sort(byTimeThenSeq));
  });

  it('settles many lagging keys and bulk inserts without changing the order', () => {
    const { heap, entries } = filled(20_000, 100_000, 1, 9);
    const more: Entry[] = [];
    for (let i = 0; i < 8000; i++) {
      const e = new Entry(100_000 + i);
      e.eventTime = (i * 7919) % 100_000;
      more.push(e);
    }
    heap.addAll(more);
    const all: Entry[] = [];
    while (heap.size > 0) all.push(heap.pop()!);
    expect(all).toEqual([...entries, ...more].sort(byTimeThenSeq));
  });
});
