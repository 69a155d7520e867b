// The shared runner suites on --runner=flink: Beam's Flink job server with an embedded Flink
// (one per file) executes the pipelines, the harness's in-process worker pool (loopback) runs
// the user code. Every case Flink cannot run is skipped with its reason (docs/runners.md).
//
// Every case is a Flink job (2–20 s each): the file takes about 3.5 minutes with the job server's
// start on a quiet machine, in `npm test` like every other runner's suite.
import { describe, expect, it } from 'vitest';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { FlinkRunner } from '../../runners/flink/flink-runner.js';
import { Count, Create, DoFn, Duration, Instant, Metrics, ParDo, Pipeline, Sessions, Window, kv, type KV, type PipelineRunner, type ProcessContext } from '../../sdk/index.js';
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

// Not a shared case: on Flink a bounded pipeline's combine under sessions is lifted and the
// workers pre-merge partial sessions before the shuffle (runners/exec/merging-precombine.ts);
// Beam's GroupByKey then merges the partials. The sessions must be the direct runner's.
describe('flink (embedded, loopback): sessions pre-merged in the workers', () => {
  it('Count.perKey under sessions gives the direct runner\'s sessions, bridging elements included', async () => {
    const build = (p: Pipeline) => {
      // Per key, minutes (5-minute gap): 0,4 join; 20 alone; 34 bridges 30 and 38; 50,54 join, 64
      // apart; 100 and 105 touch (apart) until 103 bridges them; 200 alone.
      const minutes = [0, 4, 20, 30, 38, 34, 50, 54, 64, 100, 105, 103, 200];
      const events = ['a', 'b', 'c'].flatMap((k, i) => minutes.map((m) => ({ value: kv(k, 1), timestamp: Instant.ofEpochMillis((m + i * 7) * 60_000) })));
      p.apply(Create.timestamped(events))
        .apply(Window.into<KV<string, number>>(Sessions.withGapDuration(Duration.minutes(5))))
        .apply(Count.perKey<string, number>())
        .apply(ParDo.of(new (class extends DoFn<KV<string, number>, void> {
          process(e: KV<string, number>, ctx: ProcessContext<void>): void {
            Metrics.counter('sessions', `${e.key} ${(ctx.window as IntervalWindow).start}-${(ctx.window as IntervalWindow).end} n=${e.value} ts=${ctx.timestamp} ${ctx.pane.timing}`).inc();
          }
        })()));
    };
    const run = async (runner: PipelineRunner) => {
      const p = new Pipeline();
      build(p);
      const result = runner.run(p);
      expect(await result.waitUntilFinish()).toBe('DONE');
      return result.metrics().counters.filter((c) => c.namespace === 'sessions').map((c) => `${c.name} x${c.value}`).sort();
    };
    const direct = await run(new DirectRunner());
    expect(direct.length).toBeGreaterThan(15);
    expect(await run(flink())).toEqual(direct);
  });
});
