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
 *   npx tsx bench/kappa/memory.ts [--dir=out/bench-kappa-partitions] [--partitions=4,16,64] [--cases=kappa,naive,kappa-gc]
 *
 * A third, diagnostic case, `kappa-gc`, is kappa with a full GC forced at each partition
 * completion: its `liveHeapMb` is the most the replay held at a partition boundary and its peak
 * leaves out the garbage V8 lets accumulate between collections (which grows over the first few
 * collections of a process, so it weighs on short runs less than on long ones).
 *
 * Each (case, N) runs in a fresh child process (`--expose-gc`, like bench/run.ts) and prints one
 * JSON line {case, partitions, rows, elementsPerSec, peakRssMb, peakBufferedElements, ...}; a
 * summary line gives kappa's 64-to-4 peak ratio (target ≤ 1.10) and naive's.
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

/** `kappa-gc` is a diagnostic: kappa with a full GC at each partition completion (needs --expose-gc),
 *  recording the live heap there; its peak shows what the replay holds without V8's headroom. */
type Case = 'kappa' | 'naive' | 'kappa-gc';
const COLUMNS = ['user_id', 'ts', 'speed', 'accel'];
const HOUR = 3_600_000;

interface ChildResult {
  rows: number;
  panes: number;
  seconds: number;
  peakRssMb: number;
  peakBufferedElements: number;
  liveHeapMb?: number;
}


async function child(kase: Case, table: string, partitions: number): Promise<ChildResult> {
  const from = STANDARD.day;
  const to = STANDARD.day + partitions * HOUR;
  const p = new Pipeline();
  let liveHeap = 0;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (kase === 'kappa-gc' && !gc) throw new Error('kappa-gc needs node --expose-gc');
  const trace =
    kase === 'kappa-gc'
      ? (e: { kind: string }) => {
          if (e.kind !== 'complete') return;
          gc!();
          liveHeap = Math.max(liveHeap, process.memoryUsage().heapUsed);
        }
      : undefined;
  const rows: PCollection<Row> =
    kase === 'naive'
      ? p.apply(ParquetIO.read({ table, range: { start: from, end: to }, columns: COLUMNS, timestampColumn: 'ts' }))
      : p.apply(KappaReplay.read<Row>({ table, timestampColumn: 'ts', columns: COLUMNS }, { range: { from: Instant.ofEpochMillis(from), to: Instant.ofEpochMillis(to) }, trace }));
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
  const result = new DirectRunner().run(p);
  await result.waitUntilFinish();
  const seconds = (performance.now() - t0) / 1000;
  const m = result.metrics();
  return {
    rows: m.counter('values'),
    panes: m.counter('panes'),
    seconds,
    peakRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
    peakBufferedElements: m.gauge('peakBufferedElements') ?? 0,
    ...(liveHeap ? { liveHeapMb: Math.round(liveHeap / 1e5) / 10 } : {}),
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
  const cases = (arg('cases') ?? 'kappa,naive,kappa-gc').split(',') as Case[];
  const peaks: Record<string, Record<number, number>> = {};
  const perPartition = GROWTH.files * GROWTH.rowsPerFile;
  for (const c of cases) {
    for (const n of ns) {
      const r = runChild(c, dir, n);
      if (r.rows !== n * perPartition) throw new Error(`kappa.memory ${c} ${n}: grouped ${r.rows} values, expected ${n * perPartition}`);
      (peaks[c] ??= {})[n] = r.peakRssMb;
      console.log(
        JSON.stringify({
          case: c,
          bench: 'kappa.memory',
          partitions: n,
          rows: r.rows,
          panes: r.panes,
          elementsPerSec: Math.round(r.rows / r.seconds),
          seconds: +r.seconds.toFixed(2),
          peakRssMb: r.peakRssMb,
          peakBufferedElements: r.peakBufferedElements,
          ...(r.liveHeapMb !== undefined ? { liveHeapMb: r.liveHeapMb } : {}),
        }),
      );
    }
  }
  const lo = Math.min(...ns);
  const hi = Math.max(...ns);
  const ratio = (c: string) => (peaks[c]?.[lo] && peaks[c]?.[hi] ? +(peaks[c]![hi]! / peaks[c]![lo]!).toFixed(3) : undefined);
  const kappaRatio = ratio('kappa');
  console.log(
    JSON.stringify({
      case: 'kappa.memory.summary',
      rowsPerPartition: perPartition,
      kappaPeakRssMb: peaks['kappa'],
      naivePeakRssMb: peaks['naive'],
      [`kappaRatio${hi}to${lo}`]: kappaRatio,
      [`naiveRatio${hi}to${lo}`]: ratio('naive'),
      ...(peaks['kappa-gc'] ? { kappaGcPeakRssMb: peaks['kappa-gc'], [`kappaGcRatio${hi}to${lo}`]: ratio('kappa-gc') } : {}),
      target: 1.1,
      met: kappaRatio === undefined ? undefined : kappaRatio <= 1.1,
    }),
  );
}
