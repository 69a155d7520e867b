/**
 * `flink-bundle-latency`: what one more element costs on an embedded Flink when every bundle
 * holds one element (`--maxBundleSize=1`, what the flink runner sends for a TestStream and what
 * exact EARLY panes on a Kafka read need; docs/runners.md, "One element per bundle on Flink").
 *
 * Elements are keyed and grouped with a trigger that fires on every element and a late-data
 * output, a grouping the harness runs itself (GroupAlsoByWindow, as for driving-score's
 * predicate trigger): each element is one bundle of that stateful stage (its reducer's state
 * written back, its timers set and sent). Two job sizes run alternately, `--repeat` times each, on one job server
 * in streaming mode at parallelism 1; the difference of their median job times over the
 * difference of their sizes is the cost per element, the job's fixed cost (submission, Flink's
 * job graph, the harness's start, the end of the job) cancelling out:
 *
 *   {"case":"flink-bundle-latency","msPerElement":…,"fixedMs":…,"small":…,"large":…,"runs":…,"loadavg":…}
 *
 *   npm run bench -- flink-bundle-latency     (options: --repeat=3 --small=100 --large=1100)
 */
import { loadavg } from 'node:os';
import { startFlinkJobServer } from '../../engines/flink.js';
import { FlinkRunner } from '../../runners/flink/flink-runner.js';
import { AfterCount, Create, GlobalWindows, GroupByKey, kv, Map, Pipeline, Repeatedly, Window, type KV } from '../../sdk/index.js';
import { arg } from '../args.js';

const repeat = Math.max(1, Number(arg('repeat') ?? 3));
const small = Number(arg('small') ?? 100);
const large = Number(arg('large') ?? 1100);
const KEYS = 8;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function jobMs(jobEndpoint: string, n: number): Promise<number> {
  let grouped = 0;
  const p = new Pipeline();
  p.apply(Create.of(Array.from({ length: n }, (_, i) => i)))
    .apply(Map.of((i: number) => kv(`k${i % KEYS}`, i)))
    .apply(Window.into<KV<string, number>>(GlobalWindows.of()).triggering(Repeatedly.forever(AfterCount.of(1))).discardingFiredPanes())
    .apply(GroupByKey.create<string, number>().withLateDataOutput())
    .main.apply('Count', Map.of((g: KV<string, Iterable<number>>) => {
      for (const _ of g.value) grouped++;
      return 0;
    }));
  const t0 = performance.now();
  await new FlinkRunner({ jobEndpoint, maxBundleSize: 1, parallelism: 1, flinkBatch: false }).run(p).waitUntilFinish();
  const ms = performance.now() - t0;
  // The loopback harness runs in this process: every element must have passed the grouping.
  if (grouped !== n) throw new Error(`flink-bundle-latency: ${grouped} of ${n} elements came out of the GroupByKey`);
  return ms;
}

const server = await startFlinkJobServer({ heap: '512m' });
try {
  await jobMs(server.jobEndpoint, small); // warm-up: the first job on a job server loads Flink's classes
  const smallMs: number[] = [];
  const largeMs: number[] = [];
  const load: number[] = [];
  for (let i = 0; i < repeat; i++) {
    load.push(loadavg()[0]!);
    smallMs.push(await jobMs(server.jobEndpoint, small));
    largeMs.push(await jobMs(server.jobEndpoint, large));
  }
  const msPerElement = (median(largeMs) - median(smallMs)) / (large - small);
  const fixedMs = median(smallMs) - msPerElement * small;
  process.stdout.write(
    `${JSON.stringify({ case: 'flink-bundle-latency', msPerElement: Math.round(msPerElement * 100) / 100, fixedMs: Math.round(fixedMs), small, large, smallMs: smallMs.map(Math.round), largeMs: largeMs.map(Math.round), runs: repeat, loadavg: Math.round(median(load) * 10) / 10 })}\n`,
  );
} finally {
  await server.stop();
}
