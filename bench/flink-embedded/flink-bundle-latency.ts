/**
 * `flink-bundle-latency`: what one element costs on an embedded Flink when every bundle holds one
 * element (`--maxBundleSize=1`, what the flink runner sends for a TestStream and what exact EARLY
 * panes on a Kafka read need; docs/runners.md, "One element per bundle on Flink").
 *
 * Elements are keyed and grouped with a trigger that fires on every element, accumulating, and a
 * late-data output: a grouping the harness runs itself (GroupAlsoByWindow, as for driving-score's
 * predicate trigger). Each element is one bundle of that stateful stage, which writes its key's
 * state back and sets its timers, and one pane out of it. The loopback harness runs in this
 * process, so the panes are timed here: from the first pane to the last, over the elements in
 * between, is the cost per element in the steady state; the job's fixed cost (submission, Flink's
 * job graph, the end of the job) is reported apart. Medians of `--repeat` jobs on one job server
 * (after two warm-up jobs), streaming mode, parallelism 1:
 *
 *   {"case":"flink-bundle-latency","msPerElement":…,"jobMs":…,"elements":…,"runs":…,"loadavg":…}
 *
 *   npm run bench -- flink-bundle-latency     (options: --repeat=3 --elements=1000)
 */
import { loadavg } from 'node:os';
import { startFlinkJobServer } from '../../engines/flink.js';
import { FlinkRunner } from '../../runners/flink/flink-runner.js';
import { AfterCount, Create, GlobalWindows, GroupByKey, kv, Map, Pipeline, Repeatedly, Window, type KV } from '../../sdk/index.js';
import { arg } from '../args.js';

const repeat = Math.max(1, Number(arg('repeat') ?? 3));
const elements = Math.max(10, Number(arg('elements') ?? 1000));
const KEYS = 8;
const WARM_UP_JOBS = 2;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function job(jobEndpoint: string, n: number): Promise<{ jobMs: number; msPerElement: number }> {
  const panes: number[] = [];
  const p = new Pipeline();
  p.apply(Create.of(Array.from({ length: n }, (_, i) => i)))
    .apply(Map.of((i: number) => kv(`k${i % KEYS}`, i)))
    .apply(Window.into<KV<string, number>>(GlobalWindows.of()).triggering(Repeatedly.forever(AfterCount.of(1))).accumulatingFiredPanes())
    .apply(GroupByKey.create<string, number>().withLateDataOutput())
    .main.apply('Panes', Map.of((g: KV<string, number[]>) => panes.push(performance.now())));
  const t0 = performance.now();
  await new FlinkRunner({ jobEndpoint, maxBundleSize: 1, parallelism: 1, flinkBatch: false }).run(p).waitUntilFinish();
  const jobMs = performance.now() - t0;
  // One pane per element, then each key's final pane at the end of input: anything else and the
  // stage did not run one element per bundle.
  if (panes.length !== n + KEYS) throw new Error(`flink-bundle-latency: ${panes.length} panes for ${n} elements of ${KEYS} keys`);
  return { jobMs, msPerElement: (panes[n - 1]! - panes[0]!) / (n - 1) };
}

const server = await startFlinkJobServer({ heap: '512m' });
try {
  // The first jobs on a job server load Flink's classes and let the JVM compile the per-bundle
  // path: a bundle costs about three times as much in the first job as in the third.
  for (let i = 0; i < WARM_UP_JOBS; i++) await job(server.jobEndpoint, elements);
  const runs: { jobMs: number; msPerElement: number }[] = [];
  const load: number[] = [];
  for (let i = 0; i < repeat; i++) {
    load.push(loadavg()[0]!);
    runs.push(await job(server.jobEndpoint, elements));
  }
  process.stdout.write(
    `${JSON.stringify({ case: 'flink-bundle-latency', msPerElement: Math.round(median(runs.map((r) => r.msPerElement)) * 100) / 100, jobMs: Math.round(median(runs.map((r) => r.jobMs))), elements, msPerElementRuns: runs.map((r) => Math.round(r.msPerElement * 100) / 100), runs: repeat, loadavg: Math.round(median(load) * 10) / 10 })}\n`,
  );
} finally {
  await server.stop();
}
