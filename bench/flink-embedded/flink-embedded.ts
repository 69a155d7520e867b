/**
 * Tributary on an embedded Apache Flink (`--runner=flink`, Beam's Flink job server with Flink
 * inside its JVM, one loopback harness in this process), one JSON line per case:
 *
 * - `flink-embedded-keyed-sum`, `flink-embedded-sessions`: the portable benchmarks' pipelines (bench/portable,
 *   200,000 events) as a ratio of a plain Node loop doing the same work (medians of `--repeat`
 *   runs, alternating with the loop); the job server is started once, before the runs;
 * - `flink-first-output`: from `runner.run()` to the first element reaching the last transform,
 *   and to DONE, for a ten-element pipeline, with the job server running (warm) and with the run
 *   starting its own job server (cold).
 *
 * `peakRssMb` is this process (the submitting client and the loopback harness); `jvmPeakRssMb`
 * the job server's JVM (Flink itself), from /proc VmHWM.
 *
 *   npm run bench -- flink-embedded     (or: node --expose-gc --import tsx bench/flink-embedded/flink-embedded.ts [--repeat=3])
 *
 * The cluster figures of issue #13 (parallelism 1 and 2, harness processes) are bench/flink/cluster.ts.
 */
import { readFileSync } from 'node:fs';
import { startFlinkJobServer } from '../../engines/flink.js';
import { FlinkRunner } from '../../runners/flink/flink-runner.js';
import { Create, Map, Pipeline } from '../../sdk/index.js';
import { arg } from '../args.js';
import { events } from '../core/workloads.js';
import { plainSessionsChecksum } from '../event-time/workload.js';
import { keyedSum, N, sessionsCount } from '../portable/pipelines.js';

const repeat = Math.max(1, Number(arg('repeat') ?? 3));
const GAP = 30 * 60_000;

function peakRssMb(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

function jvmPeakRssMb(pid: number): number | undefined {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : undefined;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function plainKeyedSum(): number {
  const sums = new globalThis.Map<string, number>();
  let i = 0;
  for (const e of events()) {
    if (i++ >= N) break;
    sums.set(e.user, (sums.get(e.user) ?? 0) + e.amount);
  }
  let checksum = 0;
  for (const s of sums.values()) checksum += s;
  return checksum;
}

async function timed<T>(f: () => Promise<T> | T): Promise<{ value: T; seconds: number }> {
  const t0 = performance.now();
  const value = await f();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

const server = await startFlinkJobServer({ heap: '512m' });
try {
  const runner = () => new FlinkRunner({ jobEndpoint: server.jobEndpoint });
  for (const c of [
    { name: 'flink-embedded-keyed-sum', plain: plainKeyedSum, flink: async () => (await keyedSum(runner())).checksum },
    { name: 'flink-embedded-sessions', plain: () => plainSessionsChecksum(N, GAP), flink: async () => (await sessionsCount(runner())).checksum },
  ]) {
    const plain: number[] = [];
    const flink: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const p = await timed(c.plain);
      const f = await timed(c.flink);
      if (p.value !== f.value) throw new Error(`${c.name}: Flink's checksum ${f.value} differs from the plain loop's ${p.value}`);
      plain.push(N / p.seconds);
      flink.push(N / f.seconds);
    }
    const elementsPerSec = Math.round(median(flink));
    const plainElementsPerSec = Math.round(median(plain));
    process.stdout.write(
      `${JSON.stringify({ case: c.name, elements: N, elementsPerSec, plainElementsPerSec, ratio: Math.round((elementsPerSec / plainElementsPerSec) * 1e4) / 1e4, runs: repeat, peakRssMb: peakRssMb(), jvmPeakRssMb: jvmPeakRssMb(server.process.pid) })}\n`,
    );
  }

  const firstOutput = async (r: FlinkRunner) => {
    let first: number | undefined;
    const p = new Pipeline();
    p.apply(Create.of([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).apply('Last', Map.of((x: number) => ((first ??= performance.now()), x)));
    const t0 = performance.now();
    await r.run(p).waitUntilFinish();
    const done = performance.now();
    if (first === undefined) throw new Error('flink-first-output: no element reached the last transform');
    return { firstOutputMs: Math.round(first - t0), doneMs: Math.round(done - t0) };
  };
  const warm: { firstOutputMs: number; doneMs: number }[] = [];
  for (let i = 0; i < repeat; i++) warm.push(await firstOutput(runner()));
  const cold = await firstOutput(new FlinkRunner({}));
  process.stdout.write(
    `${JSON.stringify({ case: 'flink-first-output', firstOutputMs: median(warm.map((w) => w.firstOutputMs)), doneMs: median(warm.map((w) => w.doneMs)), coldFirstOutputMs: cold.firstOutputMs, coldDoneMs: cold.doneMs, runs: repeat, peakRssMb: peakRssMb(), jvmPeakRssMb: jvmPeakRssMb(server.process.pid) })}\n`,
  );
} finally {
  await server.stop();
}
