/**
 * Kappa+ replay throughput over the standard benchmark warehouse (bench/io/generate-warehouse.ts:
 * 24 hourly partitions × 4 files × 50,000 rows): KappaReplay.read on the direct runner, its rows
 * consumed cheaply (counted in a DoFn, reported as metrics once a bundle), against the raw reader
 * of bench/io/parquet-read.ts (hyparquet + hyparquet-compressors on the file bytes in memory, one
 * row group per call) in a plain loop. Target: ratio ≥ 0.70.
 *
 *   npx tsx bench/kappa/replay-throughput.ts [dir] [--repeat=1]
 *
 * Each variant runs in a fresh child process (peak RSS per variant); one JSON line per case:
 * {case, elementsPerSec, plainElementsPerSec, ratio, peakRssMb, plainPeakRssMb, rows, target}.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg } from '../args.js';
import { readRawParquet } from '../io/lib/raw-parquet.js';
import { KappaReplay } from '../../io/kappa/index.js';
import type { Row } from '../../io/parquet/index.js';
import { discoverPartitions, hive } from '../../io/warehouse/index.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { DoFn, Metrics, ParDo, Pipeline } from '../../sdk/index.js';
import { generateWarehouse } from '../io/generate-warehouse.js';

const CASES = {
  'kappa.replay-throughput.all-columns': undefined,
  'kappa.replay-throughput.3-columns': ['user_id', 'ts', 'speed'],
} as const satisfies Record<string, string[] | undefined>;
type CaseName = keyof typeof CASES;

interface Counted {
  rows: number;
  check: number;
}

/** Counts rows and sums user ids, reporting both as counters once a bundle. */
class CountRowsFn extends DoFn<Row, never> {
  private readonly rowsCounter = Metrics.counter('bench', 'countedRows');
  private readonly checkCounter = Metrics.counter('bench', 'countedCheck');
  private rows = 0;
  private check = 0;
  process(row: Row): void {
    this.rows++;
    this.check += row['user_id'] as number;
  }
  override finishBundle(): void {
    this.rowsCounter.inc(this.rows);
    this.checkCounter.inc(this.check);
    this.rows = this.check = 0;
  }
}

async function kappa(dir: string, columns: readonly string[] | undefined): Promise<Counted> {
  const p = new Pipeline();
  p.apply(KappaReplay.read<Row>({ table: dir, timestampColumn: 'ts', columns })).apply('Count', ParDo.of(new CountRowsFn()));
  const result = new DirectRunner().run(p);
  await result.waitUntilFinish();
  const m = result.metrics();
  return { rows: m.counter('countedRows'), check: m.counter('countedCheck') };
}

/** The raw reader of bench/io/parquet-read.ts: whole file in memory, hyparquet one row group per call. */
async function plain(dir: string, columns: readonly string[] | undefined): Promise<Counted> {
  let rows = 0;
  let check = 0;
  const d = await discoverPartitions(dir, { layout: hive() });
  for (const partition of d.partitions) {
    for (const f of partition.files) {
      await readRawParquet(f.path, columns, (row) => {
        rows++;
        check += row.user_id as number;
      });
    }
  }
  return { rows, check };
}


interface ChildResult extends Counted {
  seconds: number;
  peakRssMb: number;
}

function runChild(caseName: CaseName, impl: 'kappa' | 'plain', dir: string): ChildResult {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), `--child=${caseName}`, `--impl=${impl}`, `--dir=${dir}`], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

const child = arg('child') as CaseName | undefined;
if (child) {
  const t0 = performance.now();
  const r = await (arg('impl') === 'plain' ? plain : kappa)(arg('dir')!, CASES[child]);
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ ...r, seconds, peakRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10 }));
} else {
  const dir = resolve(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'out/bench-warehouse');
  if (!existsSync(resolve(dir, 'dt=2024-01-01'))) await generateWarehouse({ dir });
  const repeat = Number(arg('repeat') ?? 1);
  for (let i = 0; i < repeat; i++) {
    for (const caseName of Object.keys(CASES) as CaseName[]) {
      const t = runChild(caseName, 'kappa', dir);
      const p = runChild(caseName, 'plain', dir);
      if (t.rows !== p.rows || t.check !== p.check) {
        throw new Error(`${caseName}: KappaReplay counted ${t.rows} rows (check ${t.check}), the raw reader ${p.rows} (check ${p.check})`);
      }
      const elementsPerSec = Math.round(t.rows / t.seconds);
      const plainElementsPerSec = Math.round(p.rows / p.seconds);
      console.log(
        JSON.stringify({
          case: caseName,
          elementsPerSec,
          plainElementsPerSec,
          ratio: +(elementsPerSec / plainElementsPerSec).toFixed(3),
          peakRssMb: t.peakRssMb,
          plainPeakRssMb: p.peakRssMb,
          rows: t.rows,
          target: 0.7,
        }),
      );
    }
  }
}
