// The shared runner suites on --runner=flink: Beam's Flink job server with an embedded Flink
// (one per file) executes the pipelines, the harness's in-process worker pool (loopback) runs
// the user code. Every case Flink cannot run is skipped with its reason (docs/runners.md).
//
// Every case is a Flink job (2–20 s each): the file takes about 3.5 minutes with the job server's
// start on a quiet machine, in `npm test` like every other runner's suite.
import { describe, expect, it } from 'vitest';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { FlinkRunner } from '../../runners/flink/flink-runner.js';
import { Count, Create, DoFn, Duration, GroupByKey, Instant, Metrics, ParDo, Pipeline, Reshuffle, Sessions, Window, kv, type KV, type PipelineRunner, type ProcessContext } from '../../sdk/index.js';
import type { IntervalWindow } from '../../sdk/window/bounded-window.js';
import { useFlinkJobServer } from '../servers/flink-job-server.js';
import { runnerSuite } from './suite.js';
import { splittableSuite } from './splittable-suite.js';
import { stateSuite } from './state-suite.js';

// Each reason is also in docs/runners.md ("The shared suites on Flink").
const FLINK_DROPS_LATE = 'the output is right (late element dropped, onWindowExpiration ran), but Beam\'s Java StatefulDoFnRunner drops the late element before it reaches the harness and counts it in its own counter, so tributary/droppedLate stays 0';

const server = useFlinkJobServer();
const flink = () => new FlinkRunner({ jobEndpoint: server.endpoint });
runnerSuite('flink (embedded, loopback)', flink, {
  skip: {
    'DoFn lifecycle: setup, startBundle, finishBundle and teardown run; finishBundle can output':
      'teardown runs after the worker reported its last bundle, so what teardown counts never reaches the job\'s metrics',
  },
});
splittableSuite('flink (embedded, loopback)', flink, {
  'moves the watermark mid-read: output behind an advanced watermark is late and dropped':
    'the runner owns the watermark: Flink advances it from the read\'s estimate only between bundles, so the elements the direct runner drops as late are on time here',
});
stateSuite('flink (embedded, loopback)', flink, {
  "a window's state is gone once the window expires; late elements for it are dropped and counted": FLINK_DROPS_LATE,
  'processing-time timers fire when processing time reaches them (setRelative); onTimer reads state':
    'a TestStream that advances processing time fails on Flink: "Advancing Processing time is not supported by the Flink Runner"',
});

// Not shared cases: on Flink a bounded pipeline's sessions are merged by the workers
// (runners/portable/sessions-in-workers.ts): a combine's values are pre-merged into partial
// sessions before the shuffle (runners/exec/merging-precombine.ts), Flink groups by key in the
// global window in batch mode, and the harness merges each key's partials with the direct
// runner's reducer. Sessions, values, timestamps and panes must be the direct runner's.
describe('flink (embedded, loopback): sessions merged in the workers', () => {
  // Per key, minutes (5-minute gap): 0,4 join; 20 alone; 34 bridges 30 and 38; 50,54 join, 64
  // apart; 100 and 105 touch (apart) until 103 bridges them; 200 alone.
  const minutes = [0, 4, 20, 30, 38, 34, 50, 54, 64, 100, 105, 103, 200];
  const events = ['a', 'b', 'c'].flatMap((k, i) => minutes.map((m, j) => ({ value: kv(k, j), timestamp: Instant.ofEpochMillis((m + i * 7) * 60_000) })));
  const SHARDS = 3;
  /** The events in three shards spread over the workers (Flink deals the reshuffled shard numbers
   *  out round robin): at parallelism 2 each worker pre-merges its own share of a key's events. */
  class ShardEvents extends DoFn<number, KV<string, number>> {
    override allowedTimestampSkew = Infinity;
    process(shard: number, ctx: ProcessContext<KV<string, number>>): void {
      events.forEach((e, n) => n % SHARDS === shard && ctx.outputWithTimestamp(e.value, e.timestamp));
    }
  }
  const windowed = (p: Pipeline, combiner?: 'EARLIEST') => {
    const w = Window.into<KV<string, number>>(Sessions.withGapDuration(Duration.minutes(5)));
    return p
      .apply(Create.of([...Array(SHARDS).keys()]))
      .apply(Reshuffle.viaRandomKey<number>())
      .apply(ParDo.of(new ShardEvents()))
      .apply(combiner ? w.withTimestampCombiner(combiner) : w);
  };
  const describeOut = (what: string, ctx: ProcessContext<void>) => {
    const w = ctx.window as IntervalWindow;
    const pane = ctx.pane;
    Metrics.counter('sessions', `${what} [${w.start},${w.end}) ts=${ctx.timestamp} ${pane.timing} #${pane.index}/${pane.onTimeIndex} first=${pane.isFirst} last=${pane.isLast}`).inc();
  };
  const counted = (combiner?: 'EARLIEST') => (p: Pipeline) => {
    windowed(p, combiner)
      .apply(Count.perKey<string, number>())
      .apply(ParDo.of(new (class extends DoFn<KV<string, number>, void> {
        process(e: KV<string, number>, ctx: ProcessContext<void>): void {
          describeOut(`${e.key} n=${e.value}`, ctx);
        }
      })()));
  };
  const listed = (p: Pipeline) => {
    windowed(p)
      .apply(GroupByKey.create<string, number>())
      .apply(ParDo.of(new (class extends DoFn<KV<string, Iterable<number>>, void> {
        process(e: KV<string, Iterable<number>>, ctx: ProcessContext<void>): void {
          describeOut(`${e.key} values=${[...e.value].sort((x, y) => x - y).join(',')}`, ctx);
        }
      })()));
  };
  const run = async (runner: PipelineRunner, build: (p: Pipeline) => void) => {
    const p = new Pipeline();
    build(p);
    const result = runner.run(p);
    expect(await result.waitUntilFinish()).toBe('DONE');
    return result.metrics().counters.filter((c) => c.namespace === 'sessions').map((c) => `${c.name} x${c.value}`).sort();
  };

  it('Count.perKey under sessions gives the direct runner\'s sessions, bridging elements included, in batch and in streaming mode', async () => {
    const direct = await run(new DirectRunner(), counted());
    expect(direct.length).toBeGreaterThan(15);
    expect(direct).toContain('a n=3 [1800000,2580000) ts=2579999 ON_TIME #0/0 first=true last=true x1');
    expect(await run(flink(), counted())).toEqual(direct);
    // --no-flinkBatch: streaming mode, the same rewrite (Flink's global-window GroupByKey fires at the end of input).
    expect(await run(new FlinkRunner({ jobEndpoint: server.endpoint, flinkBatch: false }), counted())).toEqual(direct);
  });

  it('key/value events reshuffled straight from Create, then grouped under sessions, in batch mode at parallelism 2 (the Reshuffle\'s input and output share one coder: Flink\'s batch Reshuffle passes the bytes through), raw events shuffled (no pre-merge)', async () => {
    const reshuffled = (p: Pipeline) => {
      p.apply(Create.timestamped(events))
        .apply(Reshuffle.viaRandomKey<KV<string, number>>())
        .apply(Window.into<KV<string, number>>(Sessions.withGapDuration(Duration.minutes(5))))
        .apply(Count.perKey<string, number>())
        .apply(ParDo.of(new (class extends DoFn<KV<string, number>, void> {
          process(e: KV<string, number>, ctx: ProcessContext<void>): void {
            describeOut(`${e.key} n=${e.value}`, ctx);
          }
        })()));
    };
    const direct = await run(new DirectRunner(), reshuffled);
    expect(direct).toContain('a n=3 [1800000,2580000) ts=2579999 ON_TIME #0/0 first=true last=true x1');
    // --no-premergeSessions: the raw events cross the shuffle and the combine runs on each merged
    // session (the other parallelism-2 cases pre-merge, the default).
    expect(await run(new FlinkRunner({ jobEndpoint: server.endpoint, parallelism: 2, premergeSessions: false }), reshuffled)).toEqual(direct);
  });

  it('a GroupByKey under sessions lists each session\'s values; EARLIEST timestamps; parallelism 2 (where Beam\'s batch GroupByKey merges wrongly)', async () => {
    const direct = await run(new DirectRunner(), listed);
    expect(direct).toContain('b values=3,4,5 [2220000,3000000) ts=2999999 ON_TIME #0/0 first=true last=true x1');
    expect(await run(new FlinkRunner({ jobEndpoint: server.endpoint, parallelism: 2 }), listed)).toEqual(direct);
    const earliest = await run(new DirectRunner(), counted('EARLIEST'));
    expect(earliest).toContain('a n=3 [1800000,2580000) ts=1800000 ON_TIME #0/0 first=true last=true x1');
    expect(await run(new FlinkRunner({ jobEndpoint: server.endpoint, parallelism: 2 }), counted('EARLIEST'))).toEqual(earliest);
  });
});
