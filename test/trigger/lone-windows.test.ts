/**
 * Lone windows (runners/exec/windowing/lone-windows.ts): a sessions key with one window and
 * nothing else is kept in columns, not as a window state, until it fires or gets a second
 * element. Mostly-open sessions (many keys, few elements each) must give exactly the panes,
 * counts and checkpoints of window states: the oracle is the same input merged on arrival through
 * AfterWatermark.pastEndOfWindow() (which fires as the default trigger does here, but keeps every
 * window as a window state: an independent path).
 */
import { describe, expect, it } from 'vitest';
import { Coders, type Coder } from '../../sdk/coders/index.js';
import { Duration, Instant } from '../../sdk/time/instant.js';
import type { PaneInfo } from '../../sdk/values/pane.js';
import type { BoundedWindow, IntervalWindow } from '../../sdk/window/bounded-window.js';
import { Sessions } from '../../sdk/window/sessions.js';
import { WindowingStrategy } from '../../sdk/window/windowing-strategy.js';
import { AfterWatermark } from '../../sdk/trigger/after-watermark.js';
import { groupCodec } from '../../runners/exec/windowing/group-snapshot.js';
import { KeyedWindowReducer, type Aggregation } from '../../runners/exec/windowing/keyed-window-reducer.js';
import { LoneWindows } from '../../runners/exec/windowing/lone-windows.js';
import type { ReducerCodec } from '../../runners/exec/windowing/reducer-snapshot.js';
import { prng } from '../prng.js';

const LIST: Aggregation<number, number[], number[]> = {
  create: () => [],
  add: (a, v) => (a.push(v), a),
  merge: (accs) => accs.flat(),
  extract: (a) => [...a],
};

const codec = groupCodec(
  'G',
  { key: Coders.string() as Coder<unknown>, accumulator: Coders.iterable(Coders.varint()) as Coder<unknown>, values: true },
  Coders.intervalWindow() as Coder<BoundedWindow>,
  (k) => k as string,
) as unknown as ReducerCodec<string, number[]>;

type Reducer = KeyedWindowReducer<string, number, number[], number[]>;

function reducer(onArrival: boolean, gap: number, out: string[], base: number): Reducer {
  const fn = Sessions.withGapDuration(Duration.millis(gap));
  return new KeyedWindowReducer<string, number, number[], number[]>({
    strategy: onArrival ? WindowingStrategy.of(fn, { trigger: AfterWatermark.pastEndOfWindow() }) : WindowingStrategy.of(fn),
    aggregation: LIST,
    emit: (key, values, ts, w, p: PaneInfo) => {
      const iw = w as IntervalWindow;
      out.push(`${key} [${iw.start - base},${iw.end - base}) ${values.join(',')} @${ts - base} ${p.timing} ${p.index} ${p.isFirst} ${p.isLast} ${p.onTimeIndex}`);
    },
    late: (key, value) => out.push(`late ${key} ${value}`),
  });
}

/**
 * Many keys, most with one element (lone), some with more (a second element makes the lone
 * window a window state, merging or not), keys coming back after their window fired (a slot
 * reused), ties in end time across keys, bundles of random sizes and a watermark that steps
 * now and then; after each bundle what the reducer holds. `restoreAt`: the bundle after which
 * the reducer is checkpointed and replaced by one restored from the checkpoint.
 */
function run(seed: number, onArrival: boolean, restoreAt = -1): { out: string[]; checkpoints: string[] } {
  const random = prng(seed);
  const gap = 5 + Math.floor(random() * 30);
  const base = seed % 2 === 0 ? 1_700_000_000_000 : 0;
  const out: string[] = [];
  const checkpoints: string[] = [];
  let r = reducer(onArrival, gap, out, base);
  const keys = 50 + Math.floor(random() * 400);
  let wm = 0;
  let value = 0;
  for (let b = 0; b < 25; b++) {
    for (let i = Math.floor(random() * 120); i > 0; i--) {
      const key = `k${Math.floor(random() * keys)}`;
      // Coarse times: many windows end at the same time.
      const t = base + wm - 3 + 5 * Math.floor(random() * 60);
      r.processInterval(key, key, value++, t as Instant, t, t + gap);
    }
    if (random() < 0.8) r.finishBundle();
    out.push(`held ${r.heldElements()} open ${r.openWindowCount()} hold ${r.outputWatermarkHold() - base} next ${(r.nextEventTimeTimer() ?? NaN) - base}`);
    if (b === restoreAt) {
      const s = r.snapshot(codec);
      checkpoints.push(Buffer.from(s.bytes).toString('hex'));
      r = reducer(onArrival, gap, out, base);
      r.restore(s, codec, 'test');
      // The restored reducer (window states only) saves the same bytes.
      checkpoints.push(Buffer.from(r.snapshot(codec).bytes).toString('hex'));
    }
    if (random() < 0.4) {
      wm += Math.floor(random() * 80);
      r.advanceInputWatermark((base + wm) as Instant);
    }
  }
  r.advanceInputWatermark(Instant.MAX);
  out.push(`held ${r.heldElements()} open ${r.openWindowCount()}`);
  return { out, checkpoints };
}

describe('lone windows', () => {
  it('mostly-open sessions, bundles and watermark steps: the panes and counts of window states merged on arrival', () => {
    let panes = 0;
    let firstPanes = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const want = run(seed, true).out;
      expect(run(seed, false).out).toEqual(want);
      panes += want.filter((l) => l.startsWith('k')).length;
      firstPanes += want.filter((l) => / 0 true true 0$/.test(l)).length;
    }
    expect(panes).toBeGreaterThan(2000);
    expect(firstPanes).toBe(panes);
  });

  it('checkpoint and restore with lone windows open: the same bytes as window states, the same panes after', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const want = run(seed, false).out;
      const { out, checkpoints } = run(seed, false, 10);
      expect(out).toEqual(want);
      expect(checkpoints[1]).toBe(checkpoints[0]);
    }
  });

  it('one session per key at scale: every window fires once, in (end, arrival) order, with its own element', () => {
    const out: string[] = [];
    const r = reducer(false, 1000, out, 0);
    const n = 40_000; // more than two chunks of slots
    const random = prng(3);
    const ends: Array<[number, number]> = [];
    for (let i = 0; i < n; i++) {
      const t = Math.floor(random() * 500);
      r.processInterval(`u${i}`, `u${i}`, i, t as Instant, t, t + 1000);
      ends.push([t + 1000, i]);
    }
    r.finishBundle();
    expect(r.openWindowCount()).toBe(n);
    expect(r.heldElements()).toBe(n);
    expect(r.outputWatermarkHold()).toBe(Math.min(...ends.map(([e]) => e)) - 1);
    r.advanceInputWatermark(Instant.MAX);
    ends.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(out).toEqual(ends.map(([e, i]) => `u${i} [${e - 1000},${e}) ${i} @${e - 1} ON_TIME 0 true true 0`));
    expect(r.openWindowCount()).toBe(0);
    expect(r.heldElements()).toBe(0);
  });
});

describe('LoneWindows', () => {
  it('keeps each slot’s numbers and references across chunks, and reuses given-back slots', () => {
    const lone = new LoneWindows<string, object>();
    const accs: object[] = [];
    for (let i = 0; i < 40_000; i++) {
      accs.push({ i });
      expect(lone.add(`k${i}`, i + 0.5, -i, 2 ** 40 + i, accs[i]!)).toBe(i);
    }
    lone.setHeapPos(20_000, 7);
    for (const i of [0, 16_383, 16_384, 39_999]) {
      expect([lone.key(i), lone.start(i), lone.maxTs(i), lone.seq(i), lone.heapPos(i)]).toEqual([`k${i}`, i + 0.5, -i, 2 ** 40 + i, -1]);
      expect(lone.acc(i)).toBe(accs[i]);
    }
    expect(lone.heapPos(20_000)).toBe(7);
    lone.release(20_000);
    lone.release(5);
    expect(lone.key(5)).toBeUndefined();
    expect(lone.add('again', 1, 2, 3, accs[0]!)).toBe(5);
    expect(lone.add('twice', 1, 2, 3, accs[0]!)).toBe(20_000);
    expect(lone.heapPos(20_000)).toBe(-1);
    expect(lone.add('new', 1, 2, 3, accs[0]!)).toBe(40_000);
    expect(lone.key(5)).toBe('again');
  });
});
