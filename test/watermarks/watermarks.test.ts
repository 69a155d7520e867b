import { describe, expect, it } from 'vitest';
import { WatermarkError, WatermarkTracker } from '../../runners/direct/watermarks.js';
import { Instant } from '../../sdk/time/instant.js';

const MIN = Instant.MIN;
const MAX = Instant.MAX;
const t = (ms: number) => Instant.ofEpochMillis(ms);

/** A graph, then steps; after each step's propagate, the expected watermarks per node. */
interface Case {
  name: string;
  graph: Array<[id: string, upstream: string[]]>;
  steps: Array<{
    sources?: Record<string, number>;
    holds?: Record<string, number>;
    /** id → [input, output] after propagate. */
    expect: Record<string, [number, number]>;
    /** ids whose input advanced, in order. */
    advanced?: string[];
  }>;
}

const cases: Case[] = [
  {
    name: 'chain: input follows the source, output is min(input, hold)',
    graph: [
      ['src', []],
      ['gbk', ['src']],
      ['sink', ['gbk']],
    ],
    steps: [
      { expect: { src: [MIN, MIN], gbk: [MIN, MIN], sink: [MIN, MIN] } },
      {
        sources: { src: 10 },
        expect: { src: [10, 10], gbk: [10, 10], sink: [10, 10] },
        advanced: ['src', 'gbk', 'sink'],
      },
      {
        holds: { gbk: 5 },
        sources: { src: 20 },
        expect: { src: [20, 20], gbk: [20, 10], sink: [10, 10] },
        advanced: ['src', 'gbk'],
      },
      {
        holds: { gbk: 15 },
        expect: { src: [20, 20], gbk: [20, 15], sink: [15, 15] },
        advanced: ['sink'],
      },
      {
        holds: { gbk: MAX },
        expect: { gbk: [20, 20], sink: [20, 20] },
      },
    ],
  },
  {
    name: 'diamond: the join waits for the slower branch',
    graph: [
      ['src', []],
      ['a', ['src']],
      ['b', ['src']],
      ['join', ['a', 'b']],
    ],
    steps: [
      { holds: { b: 3 }, sources: { src: 10 }, expect: { a: [10, 10], b: [10, 3], join: [3, 3] } },
      { sources: { src: 50 }, expect: { a: [50, 50], b: [50, 3], join: [3, 3] }, advanced: ['src', 'a', 'b'] },
      { holds: { b: MAX }, expect: { b: [50, 50], join: [50, 50] }, advanced: ['join'] },
    ],
  },
  {
    name: 'flatten of two sources: min of both',
    graph: [
      ['s1', []],
      ['s2', []],
      ['flat', ['s1', 's2']],
    ],
    steps: [
      { sources: { s1: 100 }, expect: { s1: [100, 100], s2: [MIN, MIN], flat: [MIN, MIN] } },
      { sources: { s2: 40 }, expect: { flat: [40, 40] } },
      { sources: { s2: 200 }, expect: { flat: [100, 100] } },
    ],
  },
  {
    name: 'an idle source at +inf does not stall the flatten',
    graph: [
      ['live', []],
      ['idle', []],
      ['flat', ['live', 'idle']],
      ['gbk', ['flat']],
    ],
    steps: [
      { sources: { idle: MAX, live: 7 }, expect: { flat: [7, 7], gbk: [7, 7] } },
      { sources: { live: 9 }, expect: { flat: [9, 9], gbk: [9, 9] } },
      { sources: { live: MAX }, expect: { flat: [MAX, MAX], gbk: [MAX, MAX] } },
    ],
  },
  {
    name: 'monotonic: a hold set behind the output does not move it back',
    graph: [
      ['src', []],
      ['gbk', ['src']],
      ['sink', ['gbk']],
    ],
    steps: [
      { sources: { src: 30 }, expect: { gbk: [30, 30], sink: [30, 30] } },
      { holds: { gbk: 10 }, expect: { gbk: [30, 30], sink: [30, 30] }, advanced: [] },
      { sources: { src: 40 }, expect: { gbk: [40, 30], sink: [30, 30] }, advanced: ['src', 'gbk'] },
      { holds: { gbk: 35 }, expect: { gbk: [40, 35], sink: [35, 35] }, advanced: ['sink'] },
    ],
  },
  {
    name: 'holds on several nodes of a chain',
    graph: [
      ['src', []],
      ['p1', ['src']],
      ['p2', ['p1']],
      ['p3', ['p2']],
    ],
    steps: [
      { holds: { p1: 50, p2: 20 }, sources: { src: 100 }, expect: { p1: [100, 50], p2: [50, 20], p3: [20, 20] } },
      { holds: { p2: MAX }, expect: { p1: [100, 50], p2: [50, 50], p3: [50, 50] } },
      { holds: { p1: MAX }, expect: { p1: [100, 100], p2: [100, 100], p3: [100, 100] } },
    ],
  },
];

describe('WatermarkTracker (table)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const w = new WatermarkTracker();
      for (const [id, ups] of c.graph) w.addNode(id, ups);
      w.propagate();
      c.steps.forEach((step, i) => {
        for (const [id, h] of Object.entries(step.holds ?? {})) w.setHold(id, t(h));
        for (const [id, s] of Object.entries(step.sources ?? {})) w.setSourceWatermark(id, t(s));
        const advanced = w.propagate();
        for (const [id, [input, output]] of Object.entries(step.expect)) {
          expect([w.inputWatermark(id), w.outputWatermark(id)], `step ${i}, node ${id}`).toEqual([
            input,
            output,
          ]);
        }
        if (step.advanced) {
          expect(
            advanced.map((a) => a.id),
            `step ${i} advanced`,
          ).toEqual(step.advanced);
          for (const a of advanced) expect(a.inputWatermark).toBe(w.inputWatermark(a.id));
        }
      });
    });
  }
});

describe('WatermarkTracker (errors and incrementality)', () => {
  it('rejects a source watermark moving backwards, naming the node', () => {
    const w = new WatermarkTracker();
    w.addNode('kafka', []);
    w.setSourceWatermark('kafka', t(10));
    expect(() => w.setSourceWatermark('kafka', t(9))).toThrow(/source "kafka" moved its watermark backwards/);
    expect(() => w.setSourceWatermark('kafka', t(9))).toThrow(WatermarkError);
  });

  it('rejects a source watermark on a non-root, unknown nodes, duplicates and bad order', () => {
    const w = new WatermarkTracker();
    w.addNode('src', []);
    w.addNode('gbk', ['src']);
    expect(() => w.setSourceWatermark('gbk', t(1))).toThrow(/"gbk" has upstream nodes/);
    expect(() => w.setHold('nope', t(1))).toThrow(/no watermark node "nope"/);
    expect(() => w.addNode('src', [])).toThrow(/added twice/);
    expect(() => w.addNode('x', ['later'])).toThrow(/upstream "later", which was not added before it/);
  });

  it('propagation touches only what changed', () => {
    const w = new WatermarkTracker();
    w.addNode('a', []);
    w.addNode('b', []);
    w.addNode('a1', ['a']);
    w.addNode('b1', ['b']);
    w.propagate();
    w.setSourceWatermark('a', t(5));
    expect(w.propagate().map((x) => x.id)).toEqual(['a', 'a1']);
    expect(w.propagate()).toEqual([]);
    expect(w.isSettled()).toBe(true);
  });

  it('moves a long chain node by node on each update, each node once (no wall clock: work is counted)', () => {
    const w = new WatermarkTracker();
    w.addNode('n0', []);
    for (let i = 1; i < 200; i++) w.addNode(`n${i}`, [`n${i - 1}`]);
    const chain = Array.from({ length: 200 }, (_, i) => `n${i}`);
    w.propagate();
    for (let k = 1; k <= 2000; k++) {
      w.setSourceWatermark('n0', t(k));
      const moved = w.propagate().map((x) => x.id);
      if (k === 1 || k === 2000) expect(moved).toEqual(chain);
      else if (moved.length !== 200) expect(moved).toEqual(chain); // (one expect per update is slow)
    }
    expect(w.outputWatermark('n199')).toBe(2000);
    expect(w.propagate()).toEqual([]);
  });
});
