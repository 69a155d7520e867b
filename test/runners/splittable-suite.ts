/**
 * Splittable DoFns on every runner: a read with a watermark estimator drives event time
 * mid-read, tagged outputs work, claims stop a read, and failures name the transform.
 * Assertions go through PAssert and metrics, so they hold wherever the DoFns run.
 */
import { describe, expect, it } from 'vitest';
import { caseUnless, type Skips } from './skips.js';
import {
  Duration,
  FixedWindows,
  Impulse,
  Instant,
  Map,
  Metrics,
  OffsetRangeDoFn,
  ParDo,
  ProcessContinuation,
  Pipeline,
  Sum,
  UserCodeError,
  Window,
  kv,
  type KV,
  type OffsetRange,
  type PipelineRunner,
  type RestrictionTracker,
  type SplittableProcessContext,
} from '../../sdk/index.js';
import { PAssert, PASSERT_SUCCESS_COUNTER } from '../../sdk/testing/passert.js';
import { IncompleteReadError } from '../../runners/read-completeness.js';

const SECOND = 1000;

/** Emits offset i at i seconds with value i, advancing the watermark after every `step` offsets. */
class CountingRead extends OffsetRangeDoFn<Uint8Array, KV<string, number>, { odd: number }> {
  constructor(
    private readonly count: number,
    private readonly step: number,
    /** Offsets emitted again, after the watermark passed them (late data). */
    private readonly stragglers: readonly number[] = [],
  ) {
    super();
  }
  initialRestriction(): OffsetRange {
    return { from: 0, to: this.count };
  }
  async process(_: Uint8Array, tracker: RestrictionTracker<OffsetRange, number>, ctx: SplittableProcessContext<KV<string, number>, { odd: number }>): Promise<void | ProcessContinuation> {
    // A resumed restriction (a runner's checkpoint) starts where the restriction does.
    for (let i = tracker.currentRestriction().from; tracker.tryClaim(i); i++) {
      ctx.outputWithTimestamp(kv('k', i), Instant.ofEpochMillis(i * SECOND));
      if (i % 2 === 1) ctx.outputToWithTimestamp('odd', i, Instant.ofEpochMillis(i * SECOND));
      if ((i + 1) % this.step === 0) {
        await ctx.watermark.advance(Instant.ofEpochMillis((i + 1) * SECOND));
        for (const s of this.stragglers) if (s <= i) ctx.outputWithTimestamp(kv('k', 1000 + s), Instant.ofEpochMillis(s * SECOND));
      }
    }
  }
}

/** Reads `step` offsets per call, moves the watermark, and asks to be called again for the rest
 *  (`ProcessContinuation.resume()`, an idle read's way to hand its watermark over). */
class ResumingRead extends CountingRead {
  constructor(
    count: number,
    private readonly perCall: number,
  ) {
    super(count, perCall);
  }
  override async process(_: Uint8Array, tracker: RestrictionTracker<OffsetRange, number>, ctx: SplittableProcessContext<KV<string, number>, { odd: number }>): Promise<void | ProcessContinuation> {
    const from = tracker.currentRestriction().from;
    // The estimate carries over: a resumed call starts where the previous one advanced to.
    const expected = from === 0 ? Instant.MIN : Instant.ofEpochMillis(from * SECOND);
    if (ctx.watermark.current !== expected) throw new Error(`resumed at offset ${from} with the estimate at ${ctx.watermark.current}, not ${expected}`);
    let i = from;
    for (; i < from + this.perCall && tracker.tryClaim(i); i++) ctx.outputWithTimestamp(kv('k', i), Instant.ofEpochMillis(i * SECOND));
    if (i < from + this.perCall) return ProcessContinuation.stop();
    await ctx.watermark.advance(Instant.ofEpochMillis(i * SECOND));
    return ProcessContinuation.resume();
  }
}

class FailingRead extends CountingRead {
  override async process(): Promise<void> {
    throw new Error('table vanished');
  }
}

export function splittableSuite(name: string, makeRunner: () => PipelineRunner, skips: Skips = {}): void {
  const it = caseUnless(skips);
  describe(`${name} runner: splittable DoFns`, () => {
    it('reads its restriction into windows, with tagged outputs', async () => {
      const p = new Pipeline();
      const read = p.apply(Impulse.create()).apply(ParDo.of(new CountingRead(20, 5)).withOutputTags('odd'));
      const sums = read.main
        .apply(Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(10))))
        .apply(Sum.perKey<string>())
        .apply(Map.of((e: KV<string, number>) => e.value));
      PAssert.that(sums).containsInAnyOrder([45, 145]);
      PAssert.that(read.odd).containsInAnyOrder([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
      const result = makeRunner().run(p);
      await result.waitUntilFinish();
      expect(result.metrics().counter(PASSERT_SUCCESS_COUNTER)).toBe(2);
    });

    it('moves the watermark mid-read: output behind an advanced watermark is late and dropped', async () => {
      // After every advance the read re-emits offsets 3 and 12 (value 1000 + offset) once it has
      // passed them. Offset 3 after 5 s: [0, 10) is open, it counts; after 10, 15 and 20 s it is
      // late. Offset 12 after 15 s counts in [10, 20); after 20 s it is late.
      const p = new Pipeline();
      const sums = p
        .apply(Impulse.create())
        .apply(ParDo.of(new CountingRead(20, 5, [3, 12])).withOutputTags('odd'))
        .main
        .apply(Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(10))))
        .apply(Sum.perKey<string>())
        .apply(Map.of((e: KV<string, number>) => e.value));
      PAssert.that(sums).containsInAnyOrder([45 + 1003, 145 + 1012]);
      const result = makeRunner().run(p);
      await result.waitUntilFinish();
      expect(result.metrics().counter(PASSERT_SUCCESS_COUNTER)).toBe(1);
      expect(result.metrics().counter('droppedLate')).toBe(4);
    });

    it('a read that returns resume() after each step is called again with the rest and its estimate: the same windows', async () => {
      const p = new Pipeline();
      const sums = p
        .apply(Impulse.create())
        .apply(ParDo.of(new ResumingRead(20, 5)))
        .apply(Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(10))))
        .apply(Sum.perKey<string>())
        .apply(Map.of((e: KV<string, number>) => e.value));
      PAssert.that(sums).containsInAnyOrder([45, 145]);
      const result = makeRunner().run(p);
      await result.waitUntilFinish();
      expect(result.metrics().counter(PASSERT_SUCCESS_COUNTER)).toBe(1);
    });

    it('fails the job with the transform named when the read throws', async () => {
      const p = new Pipeline();
      p.apply(Impulse.create()).apply('ReadTable', ParDo.of(new FailingRead(1, 1)));
      const error = await makeRunner()
        .run(p)
        .waitUntilFinish()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserCodeError);
      expect((error as Error).message).toBe('transform "ReadTable" failed in process: table vanished');
    });

    it('counts what the read reports in its metrics', async () => {
      const rows = Metrics.counter('read', 'rows');
      class Metered extends CountingRead {
        override async process(e: Uint8Array, t: RestrictionTracker<OffsetRange, number>, ctx: SplittableProcessContext<KV<string, number>, { odd: number }>) {
          for (let i = 0; t.tryClaim(i); i++) {
            rows.inc();
            await ctx.flush();
          }
        }
      }
      const p = new Pipeline();
      p.apply(Impulse.create()).apply(ParDo.of(new Metered(7, 1)));
      const result = makeRunner().run(p);
      await result.waitUntilFinish();
      expect(result.metrics().counter('rows')).toBe(7);
    });

    // The guard against a runner dropping a read's leftover work: a Kappa+ replay publishes its
    // plan and progress as gauges, and a job whose replay completed fewer partitions than planned
    // must not end DONE. Here a read reports 2 of 3 as a replay cut short would; the case proves
    // the gauges travel from the worker to the check on every runner.
    it('fails a job that ended with a replay short of its planned partitions, naming it and the counts', async () => {
      const total = Metrics.gauge('kappa', 'partitionsTotal');
      const completed = Metrics.gauge('kappa', 'partitionsCompleted');
      class ShortReplay extends CountingRead {
        override async process(_: Uint8Array, t: RestrictionTracker<OffsetRange, number>) {
          total.set(3);
          for (let i = t.currentRestriction().from; t.tryClaim(i); i++) completed.set(Math.min(i + 1, 2));
        }
      }
      const p = new Pipeline();
      p.apply(Impulse.create()).apply('Backfill', ParDo.of(new ShortReplay(3, 1)));
      const result = makeRunner().run(p);
      const error = await result.waitUntilFinish().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IncompleteReadError);
      expect((error as Error).message).toContain('the Kappa+ replay "Backfill" completed 2 of its 3 partitions');
      expect(result.state).toBe('FAILED');
    });
  });
}
