/** Flink's batch or streaming mode, chosen per pipeline (runners/flink/execution-mode.ts). */
import { describe, expect, it } from 'vitest';
import { chooseStreaming, FlinkBatchRefusedError, sessionsInWorkers, streamingReason } from '../../runners/flink/execution-mode.js';
import { beamFlinkOptions, flinkSettings } from '../../runners/flink/flink-options.js';
import {
  AfterCount,
  AfterWatermark,
  Coders,
  Create,
  Duration,
  FixedWindows,
  Instant,
  Map,
  ParDo,
  Pipeline,
  Sessions,
  StateSpecs,
  StatefulDoFn,
  Sum,
  Window,
  kv,
  type KV,
  type PCollection,
  type StatefulProcessContext,
} from '../../sdk/index.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { toPortable } from '../../sdk/translate/to-proto.js';
import { IntervalWindow, type BoundedWindow } from '../../sdk/window/bounded-window.js';
import { MergingWindowFn, mergeOverlappingIntervals, type WindowFn } from '../../sdk/window/window-fn.js';

const keyed = (p: Pipeline): PCollection<KV<string, number>> =>
  p.apply(Create.timestamped([{ value: kv('a', 1), timestamp: 1000 }, { value: kv('b', 2), timestamp: 2000 }] as never)) as PCollection<KV<string, number>>;

function proto(build: (p: Pipeline) => void) {
  const p = new Pipeline();
  build(p);
  return toPortable(p).proto;
}

const specs = { n: StateSpecs.value(Coders.varint()) };
class Counting extends StatefulDoFn<string, number, number, typeof specs> {
  constructor() {
    super({ state: specs });
  }
  process(e: KV<string, number>, ctx: StatefulProcessContext<string, number, typeof specs>): void {
    ctx.output(ctx.state.n.update((n) => (n ?? 0) + e.value));
  }
}

/** A merging window fn of the user's own (not Beam's sessions): each element's hour, merged when
 *  they overlap. */
class EveryHourMerged extends MergingWindowFn {
  readonly name = 'EveryHourMerged';
  assignWindows(ts: Instant): IntervalWindow[] {
    const start = ts - (ts % 3_600_000);
    return [new IntervalWindow(start as Instant, (start + 3_600_000) as Instant)];
  }
  mergeWindows(windows: readonly IntervalWindow[]) {
    return mergeOverlappingIntervals(windows);
  }
  windowCoder() {
    return Coders.intervalWindow();
  }
  isCompatible(o: WindowFn<BoundedWindow>): boolean {
    return o === this;
  }
  toString() {
    return 'EveryHourMerged';
  }
}

describe('flink execution mode', () => {
  it('runs a bounded keyed sum in batch, fixed windows and an AfterWatermark trigger included', () => {
    const sum = proto((p) => keyed(p).apply(Sum.perKey<string>()));
    expect(streamingReason(sum, false)).toBeUndefined();
    const windowed = proto((p) => keyed(p).apply(Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(10))).triggering(AfterWatermark.pastEndOfWindow()).discardingFiredPanes()).apply(Sum.perKey<string>()));
    expect(streamingReason(windowed, false)).toBeUndefined();
    expect(chooseStreaming(sum, { checkpointing: false })).toBe(false);
    expect(beamFlinkOptions(flinkSettings({}), { streaming: false })).toEqual({ 'beam:option:streaming:v1': false });
  });

  it('keeps in streaming mode what batch would compute differently, and says why', () => {
    const merging = proto((p) => keyed(p).apply(Window.into<KV<string, number>>(new EveryHourMerged())).apply(Sum.perKey<string>()));
    expect(streamingReason(merging, false)).toMatch(/merging windows other than sessions/);
    const early = proto((p) =>
      keyed(p)
        .apply(Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(10))).triggering(AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterCount.of(1))).discardingFiredPanes())
        .apply(Sum.perKey<string>()),
    );
    expect(streamingReason(early, false)).toMatch(/early or late firings/);
    const stateful = proto((p) => keyed(p).apply(ParDo.of(new Counting())));
    expect(streamingReason(stateful, false)).toMatch(/uses state or timers/);
    const stream = proto((p) => p.apply(TestStream.create<string>().addElements({ value: 'x', timestamp: 0 } as never).advanceWatermarkToInfinity()).apply(Map.of((s: string) => s)));
    expect(streamingReason(stream, false)).toMatch(/is a TestStream/);
    expect(streamingReason(proto((p) => keyed(p).apply(Sum.perKey<string>())), true)).toMatch(/checkpointingInterval/);
    expect(chooseStreaming(merging, { checkpointing: false })).toBe(true);
  });

  it('runs sessions in batch where the workers merge them (sessionsInWorkers), not where an element can be late', () => {
    const sessions = proto((p) => keyed(p).apply(Window.into<KV<string, number>>(Sessions.withGapDuration(Duration.minutes(30)))).apply(Sum.perKey<string>()));
    expect(streamingReason(sessions, false)).toBeUndefined();
    expect(sessionsInWorkers(sessions)).toBe(true);
    expect(chooseStreaming(sessions, { checkpointing: false })).toBe(false);
    // Checkpointing keeps streaming mode; the rewrite is exact there too.
    expect(chooseStreaming(sessions, { checkpointing: true })).toBe(true);
    expect(sessionsInWorkers(sessions)).toBe(true);
    const streamed = proto((p) =>
      p
        .apply(TestStream.create<KV<string, number>>().addElements({ value: kv('a', 1), timestamp: 0 } as never).advanceWatermarkToInfinity())
        .apply(Window.into<KV<string, number>>(Sessions.withGapDuration(Duration.minutes(30))))
        .apply(Sum.perKey<string>()),
    );
    expect(sessionsInWorkers(streamed)).toBe(false);
  });

  it('--flinkBatch is refused, naming the reason, where batch would differ; --no-flinkBatch forces streaming', () => {
    const merging = proto((p) => keyed(p).apply(Window.into<KV<string, number>>(new EveryHourMerged())).apply(Sum.perKey<string>()));
    expect(() => chooseStreaming(merging, { batch: true, checkpointing: false })).toThrow(FlinkBatchRefusedError);
    expect(() => chooseStreaming(merging, { batch: true, checkpointing: false })).toThrow(/--flinkBatch: .*merging windows/);
    const sum = proto((p) => keyed(p).apply(Sum.perKey<string>()));
    expect(chooseStreaming(sum, { batch: true, checkpointing: false })).toBe(false);
    expect(chooseStreaming(sum, { batch: false, checkpointing: false })).toBe(true);
    expect(flinkSettings({ flinkBatch: false }).batch).toBe(false);
    expect(flinkSettings({}).batch).toBeUndefined();
  });
});
