/**
 * Kappa+ memory as the replayed partitions grow: 4, 16 and 64 equal hourly partitions (4 files ×
 * 25,000 rows each) through a grouping pipeline that keeps values — rows keyed by user, 1-hour
 * fixed windows, GroupByKey (the state holds every row of a window until it fires), then the
 * lists' sizes counted.
 *
 * - `kappa`: KappaReplay — partition at a time, a watermark per partition, so each hour's state
 *   is freed when its window fires. Its peak should not depend on N.
 * - `naive`: ParquetIO.read over the same partitions (files read in any order, timestamps from
 *   the `ts` column) — a bounded source whose watermark jumps to +∞ only at the end, so every
 *   window's state is held until then and the peak grows with N.
 *
 *   npx tsx bench/kappa/memory.ts [--dir=out/bench-kappa-partitions] [--partitions=4,16,64] [--cases=kappa,naive,kappa-v8] [--runs=3]
 *
 * Both run with the direct runner's defaults, which include its heap release (a full collection
 * right after a watermark step frees most of the state, runners/direct/heap-release.ts). A third
 * case, `kappa-v8`, turns that off and leaves collections to V8 alone: its peak shows the heap
 * headroom V8 keeps over the same bounded state, which grows with run length. Each run also
 * reports the collections the runner requested and the milliseconds they took.
 *
 * Each (case, N) runs in a fresh child process (`--expose-gc`, like bench/run.ts) and prints one
 * JSON line {case, partitions, run, rows, elementsPerSec, peakRssMb, peakBufferedElements, ...}.
 * Each is run `--runs` times (3 by default): a peak is the largest of a process's life, so one
 * run is one draw of where V8's collections happened to fall. The summary line gives each case's
 * median peak per N and kappa's 64-to-4 ratio of medians (target ≤ 1.10), and naive's.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KappaReplay } from '../../io/kappa/index.js';
import { ParquetIO, type Row } from '../../io/parquet/index.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { Duration, FixedWindows, GroupByKey, Instant, Map, Metrics, Pipeline, Window, kv, type KV, type PCollection } from '../../sdk/index.js';
import { STANDARD } from '../io/lib/telemetry.js';
import { GROWTH, ensurePartitionWarehouse } from './lib/partitions.js';
import { arg } from '../args.js';

type Case = 'kappa' | 'naive' | 'kappa-v8';
const COLUMNS = ['user_id', 'ts', 'speed', 'accel'];
const HOUR = 3_600_000;

interface ChildResult {
  rows: number;
  panes: number;
  seconds: number;
  peakRssMb: number;
  peakBufferedElements: number;
  releaseCollections: number;
  releaseMillis: number;
}


async function child(kase: Case, table: string, partitions: number): Promise<ChildResult> {
  const from = STANDARD.day;
  const to = STANDARD.day + partitions * HOUR;
  const p = new Pipeline();
  const rows: PCollection<Row> =
    kase === 'naive'
      ? p.apply(ParquetIO.read({ table, range: { start: from, end: to }, columns: COLUMNS, timestampColumn: 'ts' }))
      : p.apply(KappaReplay.read<Row>({ table, timestampColumn: 'ts', columns: COLUMNS }, { range: { from: Instant.ofEpochMillis(from), to: Instant.ofEpochMillis(to) } }));
  const values = Metrics.counter('bench', 'values');
  const panes = Metrics.counter('bench', 'panes');
  rows
    .apply('ByUser', Map.of((r: Row) => kv(r['user_id'] as number, r)))
    .apply('Hourly', Window.into<KV<number, Row>>(FixedWindows.of(Duration.hours(1))))
    .apply('Group', GroupByKey.create<number, Row>())
    .apply(
      'CountLists',
      Map.of((e: KV<number, Row[]>) => {
        values.inc(e.value.length);
        panes.inc();
      }),
    );
  const t0 = performance.now();
  const result = new DirectRunner({ heapRelease: kase === 'kappa-v8' ? false : undefined }).run(p);
  await result.waitUntilFinish();
  const seconds = (performance.now() - t0) / 1000;
  const m = result.metrics();
  return {
    rows: m.counter('values'),
    panes: m.counter('panes'),
    seconds,
    peakRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
    peakBufferedElements: m.gauge('peakBufferedElements') ?? 0,
    releaseCollections: m.gauge('heapReleaseCollections') ?? 0,
    releaseMillis: m.gauge('heapReleaseMillis') ?? 0,
  };
}

function runChild(kase: Case, dir: string, partitions: number): ChildResult {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), `--child=${kase}`, `--dir=${dir}`, `--partitions=${partitions}`], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const line = r.stdout.trim().split('\n').pop();
  if (r.status !== 0 || !line) throw new Error(`bench kappa.memory (${kase}, ${partitions}) failed with status ${r.status}:\n${r.stderr || r.stdout}`);
  return JSON.parse(line) as ChildResult;
}

const kase = arg('child') as Case | undefined;
const dir = resolve(arg('dir') ?? 'out/bench-kappa-partitions');
if (kase) {
  const table = await ensurePartitionWarehouse(dir);
  console.log(JSON.stringify(await child(kase, table, Number(arg('partitions')))));
} else {
  await ensurePartitionWarehouse(dir);
  const ns = (arg('partitions') ?? '4,16,64').split(',').map(Number);
  const cases = (arg('cases') ?? 'kappa,naive,kappa-v8').split(',') as Case[];
  const runs = Number(arg('runs') ?? 3);
  const samples: Record<string, Record<number, number[]>> = {};
  const perPartition = GROWTH.files * GROWTH.rowsPerFile;
  for (let run = 1; run <= runs; run++) {
    for (const c of cases) {
      for (const n of ns) {
        const r = runChild(c, dir, n);
        if (r.rows !== n * perPartition) throw new Error(`kappa.memory ${c} ${n}: grouped ${r.rows} values, expected ${n * perPartition}`);
        ((samples[c] ??= {})[n] ??= []).push(r.peakRssMb);
        console.log(
          JSON.stringify({
            case: c,
            bench: 'kappa.memory',
            partitions: n,
            run,
            rows: r.rows,
            panes: r.panes,
            elementsPerSec: Math.round(r.rows / r.seconds),
            seconds: +r.seconds.toFixed(2),
            peakRssMb: r.peakRssMb,
            peakBufferedElements: r.peakBufferedElements,
            releaseCollections: r.releaseCollections,
            releaseMillis: r.releaseMillis,
          }),
        );
      }
    }
  }
  const peaks: Record<string, Record<number, number>> = {};
  for (const [c, byN] of Object.entries(samples)) for (const [n, xs] of Object.entries(byN)) (peaks[c] ??= {})[Number(n)] = median(xs);
  const lo = Math.min(...ns);
  const hi = Math.max(...ns);
  const ratio = (c: string) => (peaks[c]?.[lo] && peaks[c]?.[hi] ? +(peaks[c]![hi]! / peaks[c]![lo]!).toFixed(3) : undefined);
  const kappaRatio = ratio('kappa');
  console.log(
    JSON.stringify({
      case: 'kappa.memory.summary',
      rowsPerPartition: perPartition,
      runs,
      kappaPeakRssMb: peaks['kappa'],
      naivePeakRssMb: peaks['naive'],
      [`kappaRatio${hi}to${lo}`]: kappaRatio,
      [`naiveRatio${hi}to${lo}`]: ratio('naive'),
      ...(peaks['kappa-v8'] ? { kappaV8PeakRssMb: peaks['kappa-v8'], [`kappaV8Ratio${hi}to${lo}`]: ratio('kappa-v8') } : {}),
      target: 1.1,
      met: kappaRatio === undefined ? undefined : kappaRatio <= 1.1,
    }),
  );
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
