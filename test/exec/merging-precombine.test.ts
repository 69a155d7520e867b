/** Precombine under session windows (runners/exec/merging-precombine.ts). */
import { describe, expect, it } from 'vitest';
import { groupingKeyFn } from '../../runners/exec/grouping-key.js';
import { MergingPrecombineUnit } from '../../runners/exec/merging-precombine.js';
import type { Receiver } from '../../runners/exec/unit.js';
import { Coders } from '../../sdk/coders/index.js';
import { MetricsContainer } from '../../sdk/metrics/container.js';
import { CountFn } from '../../sdk/transforms/combiners.js';
import { Duration, type Instant } from '../../sdk/time/instant.js';
import { kv, type KV } from '../../sdk/values/kv.js';
import { NO_FIRING } from '../../sdk/values/pane.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import type { IntervalWindow } from '../../sdk/window/bounded-window.js';
import { Sessions } from '../../sdk/window/sessions.js';

const GAP = 30;
const sessions = Sessions.withGapDuration(GAP as Duration);
const event = (key: string, t: number): WindowedValue<unknown> => ({ value: kv(key, 'x'), timestamp: t as Instant, windows: sessions.assignWindows(t as Instant), pane: NO_FIRING });

function unitWith(got: WindowedValue<unknown>[]) {
  const out: Receiver = { receive: (wv) => void got.push(wv) };
  return new MergingPrecombineUnit({ name: 'Count/Precombine', fn: CountFn as never, output: out, metrics: new MetricsContainer('s'), keyOf: groupingKeyFn(Coders.string(), 'in') });
}

/** What the runner's GroupByKey does with partial sessions: merge overlapping windows per key,
 *  summing the counts. */
function runnerMerge(partials: WindowedValue<unknown>[]): string[] {
  const byKey = new Map<string, { window: IntervalWindow; n: number; ts: number }[]>();
  for (const wv of partials) {
    const { key, value } = wv.value as KV<string, number>;
    byKey.set(key, [...(byKey.get(key) ?? []), { window: wv.windows[0] as IntervalWindow, n: value, ts: wv.timestamp }]);
  }
  const out: string[] = [];
  for (const [key, parts] of byKey) {
    // Beam's merge: sorted by start, a window that overlaps the running session joins it.
    const sorted = [...parts].sort((x, y) => x.window.start - y.window.start);
    let cur: { start: number; end: number; n: number; ts: number } | undefined;
    const emit = () => cur && out.push(`${key} ${cur.start}:${cur.end} n=${cur.n} earliest=${cur.ts}`);
    for (const p of sorted) {
      if (cur && p.window.start < cur.end) {
        cur = { start: cur.start, end: Math.max(cur.end, p.window.end), n: cur.n + p.n, ts: Math.min(cur.ts, p.ts) };
      } else {
        emit();
        cur = { start: p.window.start, end: p.window.end, n: p.n, ts: p.ts };
      }
    }
    emit();
  }
  return out.sort();
}

const TIMES = [0, 20, 100, 45, 80, 200, 70, 300, 330, 329];

describe('merging precombine (sessions)', () => {
  it('folds a bundle into disjoint partial sessions per key: joins, bridges, touching windows kept apart', () => {
    const got: WindowedValue<unknown>[] = [];
    const unit = unitWith(got);
    for (const t of TIMES) unit.receive(event('a', t));
    unit.receive(event('b', 10));
    expect(got).toEqual([]);
    unit.finishBundle();
    // 70 bridges [0,75) and [80,130); [300,330) and [330,360) touch and stay apart until 329 joins them.
    expect(runnerMerge(got)).toEqual(['a 0:130 n=6 earliest=0', 'a 200:230 n=1 earliest=200', 'a 300:360 n=3 earliest=300', 'b 10:40 n=1 earliest=10']);
    expect(got).toHaveLength(4);
    expect(unit.bufferedElements()).toBe(0);
  });

  it('is exact after the shuffle: any split into bundles gives the sessions of the raw elements', () => {
    const whole: WindowedValue<unknown>[] = [];
    const one = unitWith(whole);
    for (const t of TIMES) one.receive(event('a', t));
    one.finishBundle();
    for (let split = 1; split < TIMES.length; split++) {
      const parts: WindowedValue<unknown>[] = [];
      const u = unitWith(parts);
      TIMES.slice(0, split).forEach((t) => u.receive(event('a', t)));
      u.finishBundle();
      TIMES.slice(split).forEach((t) => u.receive(event('a', t)));
      u.finishBundle();
      expect(runnerMerge(parts)).toEqual(runnerMerge(whole));
    }
    // Each element alone (what crosses the shuffle unlifted) merges to the same sessions.
    expect(runnerMerge(TIMES.map((t) => ({ ...event('a', t), value: kv('a', 1) })))).toEqual(runnerMerge(whole));
  });
});
