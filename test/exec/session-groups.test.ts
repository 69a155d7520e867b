/**
 * Sessions merged by the workers (runners/exec/session-groups.ts), as a runner chains them:
 * each worker pre-merges its share of the events into partial sessions, ReifySessions puts them
 * in the global window, the runner groups by key, MergeSessions merges each key's partials and
 * MergeAccumulators / ExtractOutputs finish the combine. The output must be the direct runner's
 * Count.perKey, whatever the split over workers and bundles (Beam's own batch GroupByKey gets
 * this wrong when partial sessions of different lengths come from different workers).
 */
import { describe, expect, it } from 'vitest';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { ExtractOutputsUnit, MergeAccumulatorsUnit } from '../../runners/exec/combine-phases.js';
import { groupingKeyFn } from '../../runners/exec/grouping-key.js';
import { MergingPrecombineUnit } from '../../runners/exec/merging-precombine.js';
import { MergeSessionsUnit, ReifySessionsUnit } from '../../runners/exec/session-groups.js';
import { SessionParts, SessionPartsCoder } from '../../runners/exec/session-parts.js';
import { ByteReader, ByteWriter, IntervalWindowCoder } from '../../sdk/coders/index.js';
import type { Receiver } from '../../runners/exec/unit.js';
import { Coders } from '../../sdk/coders/index.js';
import { MetricsContainer } from '../../sdk/metrics/container.js';
import { AfterWatermark, Count, Create, DoFn, GroupByKey, Metrics, ParDo, Pipeline, Window, type ProcessContext } from '../../sdk/index.js';
import { CountFn } from '../../sdk/transforms/combiners.js';
import { Duration, Instant } from '../../sdk/time/instant.js';
import { kv, type KV } from '../../sdk/values/kv.js';
import { NO_FIRING, type PaneInfo } from '../../sdk/values/pane.js';
import type { IntervalWindow } from '../../sdk/window/bounded-window.js';
import { Sessions } from '../../sdk/window/sessions.js';
import { WindowingStrategy, type TimestampCombiner } from '../../sdk/window/windowing-strategy.js';

const GAP = 30;
const sessions = Sessions.withGapDuration(GAP as Duration);
// Three keys, 120 events over ~1,500 ms with a 30 ms gap: sessions of 1 to a dozen events, many
// bridged by a late-arriving event (the order is shuffled).
const EVENTS = [
  ...Array.from({ length: 120 }, (_, i) => ({ key: 'abc'[i % 3]!, t: (i * 7919) % 1500 })),
  // Touching windows stay apart ([0,30) and [30,60)); [100,130) and [130,160) join once 115 bridges them.
  ...[0, 30, 100, 130, 115].map((t) => ({ key: 'd', t })),
];

const describeOne = (what: string, ts: number, w: IntervalWindow, pane: PaneInfo) =>
  `${what} [${w.start},${w.end}) ts=${ts} ${pane.timing} #${pane.index}/${pane.onTimeIndex} first=${pane.isFirst} last=${pane.isLast}`;

/** `afterWatermark`: AfterWatermark.pastEndOfWindow() instead of the default trigger (the same
 *  panes here; MergeSessions takes the reducer's path for it, not its own interval merge). */
async function direct(combiner: TimestampCombiner, grouped: boolean, afterWatermark = false): Promise<string[]> {
  const p = new Pipeline();
  const into = Window.into<KV<string, number>>(sessions).withTimestampCombiner(combiner);
  const windowed = p
    .apply(Create.timestamped(EVENTS.map((e, i) => ({ value: kv(e.key, i), timestamp: e.t as Instant }))))
    .apply(afterWatermark ? into.triggering(AfterWatermark.pastEndOfWindow()).discardingFiredPanes() : into);
  const record = (what: string, ctx: ProcessContext<void>) => Metrics.counter('out', describeOne(what, ctx.timestamp, ctx.window as IntervalWindow, ctx.pane)).inc();
  if (grouped) {
    windowed.apply(GroupByKey.create<string, number>()).apply(
      ParDo.of(new (class extends DoFn<KV<string, Iterable<number>>, void> {
        process(e: KV<string, Iterable<number>>, ctx: ProcessContext<void>): void {
          record(`${e.key} ${[...e.value].sort((x, y) => x - y).join(',')}`, ctx);
        }
      })()),
    );
  } else {
    windowed.apply(Count.perKey<string, number>()).apply(
      ParDo.of(new (class extends DoFn<KV<string, number>, void> {
        process(e: KV<string, number>, ctx: ProcessContext<void>): void {
          record(`${e.key} n=${e.value}`, ctx);
        }
      })()),
    );
  }
  const r = new DirectRunner().run(p);
  await r.waitUntilFinish();
  return r.metrics().counters.filter((c) => c.namespace === 'out').flatMap((c) => Array<string>(c.value).fill(c.name)).sort();
}

/** The chain on `workers` workers (events dealt out round robin), each cutting its share into
 *  bundles of `bundle` events; `precombine`: Count.perKey lifted, else a plain GroupByKey (or,
 *  with `countAfter`, Count.perKey unlifted: the raw events cross the shuffle and each merged
 *  session's values are counted, as `--no-premergeSessions` runs it). */
function inWorkers(combiner: TimestampCombiner, workers: number, bundle: number, precombine: boolean, afterWatermark = false, countAfter = false): string[] {
  const strategy = WindowingStrategy.of(sessions, { timestampCombiner: combiner, ...(afterWatermark ? { trigger: AfterWatermark.pastEndOfWindow() } : {}) });
  const metrics = new MetricsContainer('t');
  const out: string[] = [];
  const sink: Receiver = {
    receive: (wv) => {
      const { key, value } = wv.value as KV<string, unknown>;
      const what = precombine ? `${key} n=${String(value)}` : countAfter ? `${key} n=${[...(value as Iterable<number>)].length}` : `${key} ${[...(value as Iterable<number>)].sort((x, y) => x - y).join(',')}`;
      out.push(describeOne(what, wv.timestamp, wv.windows[0] as IntervalWindow, wv.pane));
    },
  };
  const extract = new ExtractOutputsUnit({ name: 'Extract', fn: CountFn as never, output: sink, metrics });
  const mergeAccs = new MergeAccumulatorsUnit({ name: 'MergeAccumulators', fn: CountFn as never, output: extract, metrics });
  const merge = new MergeSessionsUnit('Count/GroupByKey', strategy, precombine ? mergeAccs : sink);
  // The runner's GroupByKey in the global window: what each ReifySessions sent for a key.
  const shuffled = new Map<string, SessionParts[]>();
  // What crosses the runner's shuffle: each record's parts through their coder, as a worker sends them.
  const partsCoder = new SessionPartsCoder(Coders.json(), IntervalWindowCoder.INSTANCE as never);
  let records = 0;
  const shuffle: Receiver = {
    receive: (wv) => {
      expect(wv.windows.map(String)).toEqual(['GlobalWindow']);
      const { key, value } = wv.value as KV<string, SessionParts>;
      const w = new ByteWriter();
      partsCoder.encode(value, w);
      shuffled.set(key, [...(shuffled.get(key) ?? []), partsCoder.decode(new ByteReader(w.finish()))]);
      records++;
    },
  };
  for (let w = 0; w < workers; w++) {
    // Small bounds on some splits: early flushes send a key's elements in several records.
    const reify = new ReifySessionsUnit('Count/GroupByKey/ReifySessions', groupingKeyFn(Coders.string(), 'in'), shuffle, workers === 3 ? 4 : undefined);
    const first = precombine ? new MergingPrecombineUnit({ name: 'Count/Precombine', fn: CountFn as never, output: reify, metrics, keyOf: groupingKeyFn(Coders.string(), 'in') }) : undefined;
    const share = EVENTS.map((e, i) => ({ ...e, i })).filter((_, i) => i % workers === w);
    share.forEach((e, n) => {
      (first ?? reify).receive({ value: kv(e.key, e.i), timestamp: e.t as Instant, windows: sessions.assignWindows(e.t as Instant), pane: NO_FIRING });
      if ((n + 1) % bundle === 0 || n === share.length - 1) {
        first?.finishBundle();
        reify.finishBundle();
        expect(reify.bufferedElements()).toBe(0);
      }
    });
  }
  // One record per key and bundle (or early flush), not one per element or partial session.
  if (bundle >= EVENTS.length && workers !== 3) expect(records).toBe(workers * new Set(EVENTS.map((e) => e.key)).size);
  for (const [key, values] of shuffled) merge.receive({ value: kv(key, values), timestamp: Instant.MAX, windows: [], pane: NO_FIRING });
  return out.sort();
}

describe('sessions merged in the workers', () => {
  it('a lifted Count.perKey gives the direct runner\'s sessions, counts, timestamps and panes on any split', async () => {
    for (const combiner of ['END_OF_WINDOW', 'EARLIEST'] as const) {
      const want = await direct(combiner, false);
      expect(want.length).toBeGreaterThan(20);
      for (const [workers, bundle] of [[1, 1000], [2, 7], [3, 1], [5, 4]] as const) expect(inWorkers(combiner, workers, bundle, true)).toEqual(want);
    }
  });

  it('an unlifted Count.perKey (raw events shuffled, no pre-merge) gives the direct runner\'s sessions on 1 to 5 workers and any split', async () => {
    for (const combiner of ['END_OF_WINDOW', 'EARLIEST', 'LATEST'] as const) {
      const want = await direct(combiner, false);
      expect(want.length).toBeGreaterThan(20);
      for (const [workers, bundle] of [[1, 1000], [2, 7], [3, 1], [4, 1000], [5, 4]] as const) expect(inWorkers(combiner, workers, bundle, false, false, true)).toEqual(want);
    }
  });

  it('a GroupByKey lists each session\'s values, LATEST timestamps included', async () => {
    for (const combiner of ['END_OF_WINDOW', 'EARLIEST', 'LATEST'] as const) {
      const want = await direct(combiner, true);
      for (const workers of [1, 2, 3]) expect(inWorkers(combiner, workers, 1000, false)).toEqual(want);
    }
  });

  it('under AfterWatermark.pastEndOfWindow() the reducer merges, with the same result as the direct runner', async () => {
    for (const combiner of ['END_OF_WINDOW', 'EARLIEST'] as const) {
      const want = await direct(combiner, false, true);
      expect(want).toEqual(await direct(combiner, false));
      for (const workers of [1, 3]) expect(inWorkers(combiner, workers, 5, true, true)).toEqual(want);
    }
    expect(inWorkers('LATEST', 2, 1000, false, true)).toEqual(await direct('LATEST', true, true));
  });
});
