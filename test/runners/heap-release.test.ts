/**
 * The direct runner's heap release (runners/direct/heap-release.ts): a full collection right
 * after a watermark step frees most of the state, only when worth it, within a share of the time.
 */
import { describe, expect, it } from 'vitest';
import { HeapRelease, type HeapProbes } from '../../runners/direct/heap-release.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import {
  Create,
  Duration,
  FixedWindows,
  GroupByKey,
  Impulse,
  Instant,
  Map,
  OffsetRangeDoFn,
  ParDo,
  Pipeline,
  Window,
  kv,
  type KV,
  type OffsetRange,
  type RestrictionTracker,
  type SplittableProcessContext,
} from '../../sdk/index.js';
import { TestStream } from '../../sdk/testing/test-stream.js';

/** A process whose clock the test moves; a collection takes `gcMillis`. */
function fakeProcess(gcMillis: number) {
  const state = { now: 0, collections: 0 };
  const probes: HeapProbes = { now: () => state.now };
  const collect = () => {
    state.collections++;
    state.now += gcMillis;
  };
  return { state, probes, collect };
}

describe('heap release policy', () => {
  it('collects after a step that releases at least half the peak and at least minReleased', () => {
    const { state, probes, collect } = fakeProcess(1);
    const release = new HeapRelease(collect, { minReleased: 100 }, probes);
    state.now = 1000;
    release.held(150);
    release.released(60); // released 90 < 100
    expect(state.collections).toBe(0);
    release.held(400);
    release.released(210); // released 190 but keeps more than half
    expect(state.collections).toBe(0);
    release.released(0);
    expect(state.collections).toBe(1);
    expect(release.stats()).toEqual({ collections: 1, millis: 1 });
  });

  it('spends at most maxShare of the run in requested collections', () => {
    const { state, probes, collect } = fakeProcess(60);
    const release = new HeapRelease(collect, { minReleased: 1, maxShare: 0.25 }, probes);
    for (let step = 0; step < 20; step++) {
      state.now += 100; // a partition's work
      release.held(10);
      release.released(0);
    }
    const { collections, millis } = release.stats();
    expect(collections).toBeGreaterThan(0);
    expect(collections).toBeLessThan(20);
    expect(millis).toBe(collections * 60);
    expect(millis - 60).toBeLessThanOrEqual(0.25 * state.now); // the last one may cross the share
  });
});

describe('heap release in the direct runner', () => {
  /** Three hours of 20,000 values each, the watermark moving past each hour in turn. */
  function hourlyGroups(): Pipeline {
    const p = new Pipeline();
    let stream = TestStream.create<KV<number, number>>();
    for (let h = 0; h < 3; h++) {
      const start = h * 3_600_000;
      stream = stream
        .addElements(...Array.from({ length: 20_000 }, (_, i) => ({ value: kv(i % 100, i), timestamp: Instant.ofEpochMillis(start + i) })))
        .advanceWatermarkTo(Instant.ofEpochMillis(start + 3_600_000));
    }
    p.apply(stream.advanceWatermarkToInfinity())
      .apply(Window.into<KV<number, number>>(FixedWindows.of(Duration.hours(1))))
      .apply(GroupByKey.create<number, number>());
    return p;
  }

  it('collects after the watermark steps that fire the hours, and reports it as runner metrics', async () => {
    const result = new DirectRunner().run(hourlyGroups());
    await result.waitUntilFinish();
    expect(result.metrics().gauge('peakBufferedElements')).toBe(20_000);
    expect(result.metrics().gauge('heapReleaseCollections')).toBeGreaterThanOrEqual(1);
  });

  it('does not collect at the end of the input, where the job releases everything and then stops', async () => {
    // One group per key in the global window: all 20,000 values are released by the last step only.
    const p = new Pipeline();
    p.apply(Create.of(Array.from({ length: 20_000 }, (_, i) => kv(i, i)))).apply(GroupByKey.create<number, number>());
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    expect(result.metrics().gauge('peakBufferedElements')).toBe(20_000);
    expect(result.metrics().gauge('heapReleaseCollections')).toBeUndefined();
  });

  /** Three hours of 20,000 values, each hour's output buffered and handed on as the watermark passes it. */
  class HourlyRead extends OffsetRangeDoFn<Uint8Array, number> {
    initialRestriction(): OffsetRange {
      return { from: 0, to: 3 };
    }
    async process(_: Uint8Array, tracker: RestrictionTracker<OffsetRange, number>, ctx: SplittableProcessContext<number>): Promise<void> {
      for (let h = tracker.currentRestriction().from; tracker.tryClaim(h); h++) {
        for (let i = 0; i < 20_000; i++) ctx.outputWithTimestamp(i, Instant.ofEpochMillis(h * 3_600_000 + i));
        await ctx.watermark.advance(Instant.ofEpochMillis((h + 1) * 3_600_000));
      }
    }
  }

  it("does not count a read's buffered output as state a watermark step releases", async () => {
    // Each step empties the read's buffer of 20,000 values, but that is delivery, not a release:
    // counted as held state, every step asked for a full collection.
    const p = new Pipeline();
    let seen = 0;
    p.apply(Impulse.create())
      .apply('Read', ParDo.of(new HourlyRead()))
      .apply(Map.of((v: number) => void (seen += v >= 0 ? 1 : 0)));
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    expect(seen).toBe(60_000);
    expect(result.metrics().gauge('peakBufferedElements')).toBe(20_000);
    expect(result.metrics().gauge('heapReleaseCollections')).toBeUndefined();
  });

  it('does nothing with heapRelease: false', async () => {
    const result = new DirectRunner({ heapRelease: false }).run(hourlyGroups());
    await result.waitUntilFinish();
    expect(result.metrics().gauge('peakBufferedElements')).toBe(20_000);
    expect(result.metrics().gauge('heapReleaseCollections')).toBeUndefined();
  });
});
