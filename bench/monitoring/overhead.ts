/**
 * What watching a job costs, unwatched against watched (PCollection taps on, `/metrics` and the
 * job page served, Prometheus scraping every second and the page's event stream open, as an
 * operator would have them — from a separate process started before the job, watcher.mjs, as
 * Prometheus and a browser are), on two workloads: the Kappa+ replay of a long benchmark warehouse
 * (bench/io/generate-warehouse.ts: five days of the standard hours, 120 partitions, 24M rows, 3
 * columns read; ~10 s per run) → a counting ParDo, the case the issue names; and an in-memory word
 * count (1M words through four edges, no I/O, ~0.5 s), where the per-element cost of the taps has
 * nothing to hide behind. Target: the watched run keeps ≥ 0.95 of the unwatched throughput.
 *
 * The replay is long on purpose: a backfill runs minutes, and what watching costs once per job
 * (the registry, the graph's layout, the server, the first scrape: ~0.1 s) is not a share of its
 * throughput. On the standard 2-second replay those fixed costs alone were 3–4%, and the machine's
 * run-to-run noise (±20–30%) hid the rest.
 *
 *   npm run bench -- monitoring [--repeat=7] [--partitions=120] [--workload=kappa-replay]
 *
 * Each variant runs in a fresh child process, pairs interleaved in alternating order (watched
 * first, then unwatched first) so a drift of the machine does not favour one side; one JSON line
 * per pair and a summary line with the medians and their spread. Two ratios: `ratio` from wall
 * time (what a user sees on a quiet machine) and `cpuRatio` from the child's CPU time (user +
 * system, the monitoring server's work included), which a busy shared machine disturbs far less.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { arg } from '../args.js';
import { KappaReplay } from '../../io/kappa/index.js';
import type { Row } from '../../io/parquet/index.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { isMonitorable } from '../../runners/monitoring/monitored-job.js';
import { startMonitoring } from '../../runners/monitoring/server.js';
import { Count, DoFn, FlatMap, Impulse, Map, Metrics, ParDo, Pipeline, type KV, type PipelineResult } from '../../sdk/index.js';
import { textLines } from '../core/workloads.js';
import { median } from '../harness.js';
import { generateWarehouse } from '../io/generate-warehouse.js';
import { STANDARD, partitionLabel } from '../io/lib/telemetry.js';

const COLUMNS = ['user_id', 'ts', 'speed'];
const WATCHER = fileURLToPath(new URL('./watcher.mjs', import.meta.url));

class CountRowsFn extends DoFn<Row, never> {
  private readonly rowsCounter = Metrics.counter('bench', 'countedRows');
  private rows = 0;
  process(): void {
    this.rows++;
  }
  override finishBundle(): void {
    this.rowsCounter.inc(this.rows);
    this.rows = 0;
  }
}

class LinesFn extends DoFn<Uint8Array, string> {
  *process(): Generator<string> {
    yield* textLines();
  }
}

/** The pipelines, each returning how many elements it processed. */
const WORKLOADS: Record<string, (watched: boolean, dir: string) => Promise<number>> = {
  'kappa-replay': async (watched, dir) => {
    const p = new Pipeline();
    p.apply(KappaReplay.read<Row>({ table: dir, timestampColumn: 'ts', columns: COLUMNS })).apply('Count', ParDo.of(new CountRowsFn()));
    return (await runWatched(p, watched)).metrics().counter('countedRows');
  },
  wordcount: async (watched) => {
    const p = new Pipeline();
    const total = Metrics.counter('bench', 'total');
    p.apply(Impulse.create())
      .apply('Lines', ParDo.of(new LinesFn()))
      .apply('Split', FlatMap.of((line: string) => line.split(' ')))
      .apply('Count', Count.perElement<string>())
      .apply('Total', Map.of((e: KV<string, number>) => total.inc(e.value)));
    return (await runWatched(p, watched)).metrics().counter('total');
  },
};

/** The job's own span, from `run` to the end of `waitUntilFinish`: what watching costs the job.
 *  Waiting for the outside watcher's first scrape and closing the server come after it. */
const span = { seconds: 0, cpuSeconds: 0 };

async function runWatched(p: Pipeline, watched: boolean): Promise<PipelineResult> {
  // The watcher runs before the job starts, as Prometheus does; it learns the URL later.
  const watcher = watched ? await startWatcher() : undefined;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const result = new DirectRunner({ monitoring: watched }).run(p);
  let stop = async () => {};
  if (watcher) {
    if (!isMonitorable(result)) throw new Error('a watched direct run is monitorable');
    const server = await startMonitoring(result.monitored(), { port: 0 });
    // A run shorter than a scrape still waits for one: watched means answered.
    const scraped = once(watcher.stdout!, 'data');
    watcher.stdin!.write(`${server.url}\n`);
    stop = async () => {
      await scraped;
      const exited = once(watcher, 'exit');
      watcher.kill('SIGTERM');
      await exited;
      await server.close();
    };
  }
  await result.waitUntilFinish();
  const cpu = process.cpuUsage(cpu0);
  span.seconds = (performance.now() - t0) / 1000;
  span.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  await stop();
  return result;
}

async function startWatcher(): Promise<ChildProcess> {
  const watcher = spawn(process.execPath, [WATCHER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [ready] = (await once(watcher.stdout!, 'data')) as [Buffer];
  if (!ready.toString().startsWith('ready')) throw new Error(`the watcher said ${ready.toString()} instead of ready`);
  return watcher;
}

interface ChildResult {
  rows: number;
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
}

function runChild(workload: string, watched: boolean, dir: string): ChildResult {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), `--child=${watched ? 'watched' : 'unwatched'}`, `--workload=${workload}`, `--dir=${dir}`], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}


const child = arg('child');
if (child) {
  const rows = await WORKLOADS[arg('workload')!]!(child === 'watched', arg('dir')!);
  const { seconds, cpuSeconds } = span;
  console.log(JSON.stringify({ rows, seconds, cpuSeconds, peakRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10 }));
} else {
  const partitions = Number(arg('partitions') ?? 120);
  const dir = resolve(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? `out/bench-warehouse-${partitions}`);
  // The last partition is written last: its presence means a whole warehouse.
  if (!existsSync(resolve(dir, partitionLabel(partitions - 1), `part-${STANDARD.filesPerPartition - 1}.parquet`))) await generateWarehouse({ dir, partitions });
  const repeat = Number(arg('repeat') ?? 7);
  const only = arg('workload');
  for (const workload of Object.keys(WORKLOADS)) if (!only || only === workload) measure(workload, dir, repeat);
}

function measure(workload: string, dir: string, repeat: number): void {
  const name = `monitoring.${workload}-watched`;
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  const on: number[] = [];
  const off: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const watchedFirst = i % 2 === 0;
    const first = runChild(workload, watchedFirst, dir);
    const second = runChild(workload, !watchedFirst, dir);
    const [w, u] = watchedFirst ? [first, second] : [second, first];
    if (w.rows !== u.rows || w.rows === 0) throw new Error(`${name}: the watched run counted ${w.rows} elements, the unwatched ${u.rows}`);
    ratios.push(u.seconds / w.seconds);
    cpuRatios.push(u.cpuSeconds / w.cpuSeconds);
    on.push(w.rows / w.seconds);
    off.push(u.rows / u.seconds);
    console.log(
      JSON.stringify({
        case: name,
        run: i + 1,
        ratio: +ratios[i]!.toFixed(3),
        cpuRatio: +cpuRatios[i]!.toFixed(3),
        elementsPerSec: Math.round(on[i]!),
        unwatchedElementsPerSec: Math.round(off[i]!),
        peakRssMb: w.peakRssMb,
        unwatchedPeakRssMb: u.peakRssMb,
        elements: w.rows,
      }),
    );
  }
  const spread = (xs: number[]) => [+Math.min(...xs).toFixed(3), +Math.max(...xs).toFixed(3)];
  console.log(
    JSON.stringify({
      case: `${name}.median`,
      runs: repeat,
      ratio: +median(ratios).toFixed(3),
      ratioSpread: spread(ratios),
      cpuRatio: +median(cpuRatios).toFixed(3),
      cpuRatioSpread: spread(cpuRatios),
      elementsPerSec: Math.round(median(on)),
      unwatchedElementsPerSec: Math.round(median(off)),
      target: 0.95,
    }),
  );
}
