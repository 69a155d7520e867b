/**
 * What a grouping reports as buffered (the executor's peakBufferedElements): GroupByKey's values
 * held in panes not yet fired (or retained), a combine's live accumulators — not open windows.
 */
import { describe, expect, it } from 'vitest';
import {
  AfterCount,
  AfterWatermark,
  CoGroupByKey,
  Count,
  Duration,
  FixedWindows,
  GroupByKey,
  Instant,
  KeyedPCollectionTuple,
  FlatMap,
  Pipeline,
  Sessions,
  Window,
  kv,
  type KV,
  type PCollection,
} from '../../sdk/index.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { KeyedWindowReducer, type Aggregation } from '../../runners/exec/windowing/keyed-window-reducer.js';
import { LIST_AGGREGATION } from '../../runners/exec/windowing/aggregations.js';
import { WindowingStrategy } from '../../sdk/window/windowing-strategy.js';

const at = (s: number) => Instant.ofEpochMillis(s * 1000);

type Side = { side: 'a' | 'b'; v: number };

/** a×3 and b×1 for k in [0,10s), b×1 for k in [10s,20s), all in one bundle, then the end. */
function input(p: Pipeline): PCollection<KV<string, Side>> {
  const e = (side: 'a' | 'b', v: number, s: number) => ({ value: kv('k', { side, v }), timestamp: at(s) });
  return p.apply(
    TestStream.create<KV<string, Side>>()
      .addElements(e('a', 1, 1), e('a', 2, 2), e('a', 3, 3), e('b', 4, 4), e('b', 5, 15))
      .advanceWatermarkToInfinity(),
  );
}

async function peak(p: Pipeline): Promise<number> {
  const result = new DirectRunner().run(p);
  await result.waitUntilFinish();
  return result.metrics().gauge('peakBufferedElements') ?? -1;
}

describe('buffered elements of a grouping', () => {
  it('CoGroupByKey holding 3+1 values in one window and 1 in another reports 5', async () => {
    const p = new Pipeline();
    const windowed = input(p).apply(Window.into<KV<string, Side>>(FixedWindows.of(Duration.seconds(10))));
    const of = (side: 'a' | 'b') =>
      windowed.apply(`Only ${side}`, FlatMap.of((e: KV<string, Side>) => (e.value.side === side ? [kv(e.key, e.value.v)] : [])));
    KeyedPCollectionTuple.of({ a: of('a'), b: of('b') }).apply(CoGroupByKey.create());
    expect(await peak(p)).toBe(5);
  });

  it('GroupByKey over sessions counts values, a combine counts accumulators (after merging)', async () => {
    const gbk = new Pipeline();
    input(gbk)
      .apply(Window.into<KV<string, Side>>(Sessions.withGapDuration(Duration.seconds(10))))
      .apply(GroupByKey.create<string, Side>());
    expect(await peak(gbk)).toBe(5);

    // Sessions [1s,14s) (four elements, merged) and [15s,25s): two accumulators.
    const combine = new Pipeline();
    input(combine)
      .apply(Window.into<KV<string, Side>>(Sessions.withGapDuration(Duration.seconds(10))))
      .apply(Count.perKey<string, Side>());
    expect(await peak(combine)).toBe(2);
  });

  it('fired panes stop counting when discarded, and keep counting when accumulated', () => {
    const held = (accumulating: boolean) => {
      const r = new KeyedWindowReducer<string, number, number[], number[]>({
        strategy: WindowingStrategy.of(FixedWindows.of(Duration.seconds(10)), {
          trigger: AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterCount.of(2)),
          accumulationMode: accumulating ? 'ACCUMULATING' : 'DISCARDING',
        }),
        aggregation: LIST_AGGREGATION as Aggregation<number, number[], number[]>,
        emit: () => undefined,
      });
      const add = (s: number) => r.processElement('k', 'k', s, at(s), FixedWindows.of(Duration.seconds(10)).assignWindows(at(s)));
      add(1);
      add(2);
      add(3);
      const before = r.heldElements();
      r.finishBundle(); // the early pane fires
      const after = r.heldElements();
      r.advanceInputWatermark(Instant.MAX);
      return [before, after, r.heldElements()];
    };
    expect(held(false)).toEqual([3, 0, 0]);
    expect(held(true)).toEqual([3, 3, 0]);
  });
});
