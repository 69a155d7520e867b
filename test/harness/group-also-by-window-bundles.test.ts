/**
 * The harness's GroupAlsoByWindow across bundles, as Flink drives it with one element per bundle:
 * the reducer's state is written back after every bundle (its clear and append sent back to
 * back), read from the state cache while the runner hands out the same user-state token (a
 * reducer the bundle before left is continued, not decoded again), and read from the runner
 * again when the token changes, whatever the harness still holds. On the Fn API wire, against
 * the test runner's bag state.
 */
import { describe, expect, it } from 'vitest';
import { pipeline as beam } from '../../portability-proto/index.js';
import { GABW_TIMER } from '../../runners/harness/plan/group-also-by-window.js';
import { AfterCount, Coders, Create, GlobalWindows, GroupByKey, Pipeline, Repeatedly, Window, kv, type KV, type PCollection } from '../../sdk/index.js';
import { GlobalWindow } from '../../sdk/window/bounded-window.js';
import { decodeAll, encodeAll, inGlobalWindow, stageOnTheWire } from './fn-api-runner.js';

describe('a GroupAlsoByWindow stage, one element per bundle', () => {
  const wire = stageOnTheWire(
    () => {
      const p = new Pipeline();
      (p.apply('Pairs', Create.of([kv('a', 1)])).withCoder(Coders.kv(Coders.string(), Coders.varint())) as PCollection<KV<string, number>>)
        .apply('Every', Window.into<KV<string, number>>(GlobalWindows.of()).triggering(Repeatedly.forever(AfterCount.of(1))).accumulatingFiredPanes())
        // A late-data output: the portable runner expands this grouping into the harness's own.
        .apply('Group', GroupByKey.create<string, number>().withLateDataOutput());
      return p;
    },
    'Group/GroupAlsoByWindow',
    'gabw',
    { expandWindowing: true },
  );
  const { runner } = wire;

  it('continues a key across bundles of one token, and reads the runner again under a new token', async () => {
    const stage = wire.stage;
    const id = stage.id('Group/GroupAlsoByWindow');
    const input = Object.values(stage.descriptor.transforms![id]!.inputs!)[0]!;
    const out = stage.pcOf('Group/GroupAlsoByWindow');
    const pane = (value: number, ts: number, token: string) =>
      runner
        .bundle('gabw', { data: { [stage.source(input)]: encodeAll(stage.wire(input), [inGlobalWindow(kv('a', kv(value, [GlobalWindow.INSTANCE])), ts)]) }, closeTimers: [[id, GABW_TIMER]] }, [
          { userState: {}, token: Buffer.from(token) },
        ])
        .then((b) => {
          expect(b.response.error).toBe('');
          return decodeAll(stage.wire(out), b.data.get(stage.sink(out))).map((wv) => (wv.value as KV<string, number[]>).value);
        });
    const bag = () => [...runner.bags.values()];

    expect(await pane(1, 10, 't1')).toEqual([[1]]);
    expect(await pane(2, 20, 't1')).toEqual([[1, 2]]);
    expect(await pane(3, 30, 't1')).toEqual([[1, 2, 3]]);
    // Each write replaced the cell: one key, one appended snapshot (the clear came first).
    expect(bag().map((b) => b.length)).toEqual([1]);
    const gets = runner.stateRequests.filter((r) => r.get).length;
    expect(gets).toBe(1); // the first bundle's read; the token kept the others in the cache

    // The runner's state moved on without this harness (another worker, a restored checkpoint):
    // a new token, and the key's state is gone.
    runner.bags.clear();
    expect(await pane(4, 40, 't2')).toEqual([[4]]);
    expect(runner.stateRequests.filter((r) => r.get).length).toBe(gets + 1);
    expect(await pane(5, 50, 't2')).toEqual([[4, 5]]);
    expect(beam.ParDoPayload.decode(stage.descriptor.transforms![id]!.spec!.payload!).timerFamilySpecs[GABW_TIMER]).toBeDefined();
  });
});
