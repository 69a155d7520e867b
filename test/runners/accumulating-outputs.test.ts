/**
 * An accumulating window's panes are independent values: a pane kept downstream does not change
 * when a later pane of the same window adds to the accumulator it came from.
 */
import { describe, expect, it } from 'vitest';
import { AfterCount, DoFn, Duration, FixedWindows, GroupByKey, Instant, ParDo, Pipeline, Repeatedly, ToList, Window, kv, type KV } from '../../sdk/index.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';

const at = (s: number) => Instant.ofEpochMillis(s * 1000);

/** Three elements of one key and window, each in its own bundle. */
function threeElements() {
  return TestStream.create<KV<string, number>>()
    .addElements({ value: kv('k', 1), timestamp: at(1) })
    .addElements({ value: kv('k', 2), timestamp: at(2) })
    .addElements({ value: kv('k', 3), timestamp: at(3) })
    .advanceWatermarkToInfinity();
}

const everyElement = <T>() =>
  Window.into<T>(FixedWindows.of(Duration.seconds(10)))
    .triggering(Repeatedly.forever(AfterCount.of(1)))
    .withAllowedLateness(Duration.ZERO)
    .accumulatingFiredPanes();

/** Keeps each pane's list as it arrived, and a copy of what it held then. */
class KeepPanes extends DoFn<KV<string, number[]> | number[], never> {
  static kept: { list: number[]; then: number[] }[] = [];
  process(e: KV<string, number[]> | number[]): void {
    const list = Array.isArray(e) ? e : e.value;
    KeepPanes.kept.push({ list, then: [...list] });
  }
}

describe('accumulating panes share nothing with the accumulator', () => {
  it('GroupByKey: each kept list still holds what its pane held', async () => {
    KeepPanes.kept = [];
    const p = new Pipeline();
    p.apply(threeElements())
      .apply(everyElement<KV<string, number>>())
      .apply(GroupByKey.create<string, number>())
      .apply(ParDo.of(new KeepPanes()));
    await new DirectRunner().run(p).waitUntilFinish();
    expect(KeepPanes.kept.map((k) => k.then)).toEqual([[1], [1, 2], [1, 2, 3], [1, 2, 3]]);
    expect(KeepPanes.kept.map((k) => k.list)).toEqual(KeepPanes.kept.map((k) => k.then));
  });

  it('Combine with ToList: the same', async () => {
    KeepPanes.kept = [];
    const p = new Pipeline();
    p.apply(threeElements())
      .apply(everyElement<KV<string, number>>())
      .apply(ToList.perKey<string, number>())
      .apply(ParDo.of(new KeepPanes()));
    await new DirectRunner().run(p).waitUntilFinish();
    expect(KeepPanes.kept.map((k) => k.then)).toEqual([[1], [1, 2], [1, 2, 3], [1, 2, 3]]);
    expect(KeepPanes.kept.map((k) => k.list)).toEqual(KeepPanes.kept.map((k) => k.then));
  });
});


