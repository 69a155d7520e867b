/** LiveSource: the in-process unbounded source of realtime mode (bounded-out-of-orderness watermark). */
import { describe, expect, it } from 'vitest';
import { LiveSource, LiveSourceFn, type LiveFeed, type ReplayTraceEvent } from '../../io/kappa/index.js';
import { Duration, Instant, Map as MapT, OffsetRangeTracker, Pipeline, ProcessContinuation, PipelineConstructionError, toPortable, pcollectionId, type SplittableProcessContext } from '../../sdk/index.js';
import { pipeline as beam } from '../../portability-proto/index.js';
import { Observed, fmt, hourlySums, t } from './harness.js';

interface Ev {
  ts: number;
  key: string;
  value: number;
}
const ev = (ts: string, key = 'k', value = 1): Ev => ({ ts: t(ts), key, value });

async function runLive(feed: () => LiveFeed<Ev>, opts: { maxOutOfOrderness: Duration; batchSize?: number; startAt?: number }) {
  const obs = new Observed();
  const trace: ReplayTraceEvent[] = [];
  const p = new Pipeline();
  const events = p.apply(
    LiveSource.from(feed, { timestamp: 'ts', maxOutOfOrderness: opts.maxOutOfOrderness, batchSize: opts.batchSize, startAt: opts.startAt as Instant | undefined, trace: (e) => trace.push(e) }),
  );
  hourlySums(events as never, obs);
  const result = await obs.run(p);
  const sourceWatermarks = trace.filter((e) => e.kind === 'watermark').map((e) => fmt((e as { value: number }).value));
  return { obs, result, sourceWatermarks };
}

describe('LiveSource', () => {
  it('moves the watermark per batch to the largest event time seen less maxOutOfOrderness, then +∞ when the feed ends', async () => {
    const feed = function* () {
      yield* [ev('00:10'), ev('00:05'), ev('00:30'), ev('00:20'), ev('00:40')];
    };
    const { obs, sourceWatermarks } = await runLive(feed, { maxOutOfOrderness: Duration.minutes(5), batchSize: 2 });
    // Batches {00:10, 00:05} → 00:05, {00:30, 00:20} → 00:25; the fifth element ends the feed.
    expect(sourceWatermarks).toEqual(['00:05', '00:25']);
    expect(obs.watermarksAt('SumPerKey')).toEqual(['00:05', '00:25', '+∞']);
    expect(obs.panes()).toEqual(['[00:00,01:00) k=5 ON_TIME #0']);
  });

  it('reads an async generator', async () => {
    const feed = async function* () {
      for (const e of [ev('00:10', 'a', 2), ev('01:10', 'b', 3)]) {
        await Promise.resolve();
        yield e;
      }
    };
    const { obs } = await runLive(feed, { maxOutOfOrderness: Duration.minutes(1) });
    expect(obs.panes()).toEqual(['[00:00,01:00) a=2 ON_TIME #0', '[01:00,02:00) b=3 ON_TIME #0']);
  });

  it('drops an element that arrives behind the watermark once its window fired (out of order by more than the bound)', async () => {
    const feed = function* () {
      yield ev('00:10');
      yield ev('01:30'); // watermark → 01:20: [00:00,01:00) fires
      yield ev('00:50'); // 40 minutes out of order, bound 10 minutes: late, dropped
      yield ev('01:25'); // 5 minutes out of order: within the bound, on time
    };
    const { obs, result, sourceWatermarks } = await runLive(feed, { maxOutOfOrderness: Duration.minutes(10), batchSize: 1 });
    expect(sourceWatermarks).toEqual(['00:00', '01:20']);
    expect(obs.panes()).toEqual(['[00:00,01:00) k=1 ON_TIME #0', '[01:00,02:00) k=2 ON_TIME #0']);
    expect(result.metrics().counter('droppedLate')).toBe(1);
  });

  it('keeps every element when the bound covers the disorder', async () => {
    const feed = function* () {
      yield* [ev('00:10'), ev('01:30'), ev('00:50'), ev('01:25')];
    };
    const { obs, result } = await runLive(feed, { maxOutOfOrderness: Duration.minutes(45), batchSize: 1 });
    expect(obs.panes()).toEqual(['[00:00,01:00) k=2 ON_TIME #0', '[01:00,02:00) k=2 ON_TIME #0']);
    expect(result.metrics().counter('droppedLate')).toBe(0);
  });

  it('moves the watermark on a heartbeat with no element, firing windows before the next element arrives', async () => {
    const feed = function* () {
      yield ev('00:10');
      yield LiveSource.heartbeat(t('01:30'));
      yield ev('03:00');
    };
    const { obs, sourceWatermarks } = await runLive(feed, { maxOutOfOrderness: Duration.minutes(10), batchSize: 100 });
    expect(sourceWatermarks).toEqual(['01:20']);
    const pane0 = obs.indexOf((e) => e.kind === 'pane' && e.window === '[00:00,01:00)');
    const element3 = obs.indexOf((e) => e.kind === 'element' && e.ts === t('03:00'));
    expect(pane0).toBeGreaterThan(-1);
    expect(element3).toBeGreaterThan(pane0);
  });

  it('startAt: drops and counts elements before the cut, starts the watermark at the cut and never below it', async () => {
    const feed = function* () {
      yield* [ev('00:50'), ev('01:05'), ev('00:59:59.999'), ev('01:10'), ev('01:02')];
    };
    const { obs, result, sourceWatermarks } = await runLive(feed, { maxOutOfOrderness: Duration.minutes(30), batchSize: 2, startAt: t('01:00') });
    // Every batch gives (newest − 30 min) < 01:00: the watermark stays at the cut until the feed ends.
    expect(sourceWatermarks).toEqual(['01:00']);
    expect(obs.watermarksAt('SumPerKey')).toEqual(['01:00', '+∞']);
    expect(result.metrics().counter('filteredBelowCut')).toBe(2);
    expect(obs.panes()).toEqual(['[01:00,02:00) k=3 ON_TIME #0']);
  });

  it('marks its output, and what is computed from it, unbounded', () => {
    const p = new Pipeline();
    const live = p.apply(LiveSource.from(() => [ev('00:00')], { timestamp: (e) => e.ts, maxOutOfOrderness: Duration.seconds(1) }));
    const keys = live.apply(MapT.of((e: Ev) => e.key));
    expect(live.isBounded).toBe(false);
    expect(keys.isBounded).toBe(false);
    const proto = toPortable(p);
    const pcs = proto.proto.components!.pcollections!;
    expect(pcs[pcollectionId(live)]?.isBounded).toBe(beam.IsBounded.Enum.UNBOUNDED);
    expect(pcs[pcollectionId(keys)]?.isBounded).toBe(beam.IsBounded.Enum.UNBOUNDED);
  });

  it('fails the run on an element without an event time', async () => {
    const p = new Pipeline();
    p.apply(LiveSource.from(() => [{ ts: 'soon' } as unknown as Ev], { timestamp: 'ts', maxOutOfOrderness: Duration.seconds(1) }));
    await expect(new Observed().run(p)).rejects.toThrow(/no usable event time/);
  });

  it('rejects bad options when the pipeline is built', () => {
    const from = (o: object) => () => LiveSource.from(() => [], { timestamp: 'ts', maxOutOfOrderness: Duration.seconds(1), ...o } as never);
    expect(from({ maxOutOfOrderness: -1 })).toThrow(PipelineConstructionError);
    expect(from({ batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
    expect(from({ timestamp: 3 })).toThrow(/timestamp must be/);
  });

  it('resumed from a checkpointed restriction, skips the elements already read and claims on from there', async () => {
    const feed = function* () {
      yield* [ev('00:01', 'a'), ev('00:02', 'b'), LiveSource.heartbeat(t('00:30')), ev('00:03', 'c'), ev('00:04', 'd')];
    };
    const fn = new LiveSourceFn<Ev>(feed, { timestamp: 'ts', maxOutOfOrderness: Duration.minutes(1), batchSize: 100 });
    const out: string[] = [];
    const ctx: SplittableProcessContext<Ev> = {
      outputWithTimestamp: (e) => void out.push(e.key),
      outputToWithTimestamp: () => undefined,
      flush: () => Promise.resolve(),
      watermark: { advance: () => Promise.resolve(), current: Instant.MIN },
      stopped: false,
      resumeRequested: false,
    };
    const tracker = new OffsetRangeTracker({ from: 2, to: Number.MAX_SAFE_INTEGER });
    await fn.process(new Uint8Array(), tracker, ctx);
    expect(out).toEqual(['c', 'd']);
    expect(tracker.currentRestriction().from).toBe(4);
  });

  it('called again after resume() or a refused claim (a portable runner), goes on with the open feed: every element once, the feed produced once', async () => {
    let produced = 0;
    const feed = function* () {
      produced++;
      yield* [ev('00:01', 'a'), ev('00:02', 'b'), LiveSource.heartbeat(t('00:30')), ev('00:31', 'c'), ev('00:32', 'd'), ev('00:33', 'e')];
    };
    const fn = new LiveSourceFn<Ev>(feed, { timestamp: 'ts', maxOutOfOrderness: Duration.millis(0), batchSize: 2 });
    const out: string[] = [];
    let estimate: number = Instant.MIN;
    /** One process call as the harness makes it: resume wanted once the estimate moved; claims
     *  refused after `claims` (a checkpoint the runner asked for). */
    const call = async (from: number, claims = Infinity) => {
      let requested = false;
      const ctx: SplittableProcessContext<Ev> = {
        outputWithTimestamp: (e) => void out.push(e.key),
        outputToWithTimestamp: () => undefined,
        flush: () => Promise.resolve(),
        watermark: {
          advance: (w: Instant) => {
            if (w > estimate) (estimate = w), (requested = true);
            return Promise.resolve();
          },
          get current() {
            return estimate as Instant;
          },
        },
        stopped: false,
        get resumeRequested() {
          return requested;
        },
      };
      const inner = new OffsetRangeTracker({ from, to: Number.MAX_SAFE_INTEGER });
      let left = claims;
      const tracker = { tryClaim: (i: number) => left-- > 0 && inner.tryClaim(i), currentRestriction: () => inner.currentRestriction() };
      const result = await fn.process(new Uint8Array(), tracker, ctx);
      return { result, rest: tracker.currentRestriction().from };
    };
    const first = await call(0); // a, b: a batch, its watermark step, then back to the runner
    expect(first).toEqual({ result: ProcessContinuation.resume(), rest: 2 });
    expect(out).toEqual(['a', 'b']);
    const second = await call(2); // the heartbeat moves the watermark: back again
    expect(second).toEqual({ result: ProcessContinuation.resume(), rest: 2 });
    expect(estimate).toBe(t('00:30'));
    const third = await call(2, 0); // c pulled, its claim refused: the read stops there
    expect(third).toEqual({ result: undefined, rest: 2 });
    const fourth = await call(2); // c (held from the refused claim) and d, then back
    expect(fourth.rest).toBe(4);
    const last = await call(4); // e, and the feed ends
    expect(last).toEqual({ result: undefined, rest: 5 });
    expect(out).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(produced).toBe(1);
  });
});
