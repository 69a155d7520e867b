/**
 * Read benchmark over the standard warehouse: Tributary's read path (partition discovery +
 * streaming row-group reader over the storage layer, ranged reads) against the fastest raw
 * reader measured (hyparquet + hyparquet-compressors on the file bytes in memory, one row group
 * per call) in a plain loop. Each case runs in a fresh child process so peak RSS is per case.
 *
 *   npx tsx bench/io/parquet-read.ts [dir] [--partitions=N]
 *
 * Generates the warehouse first if `dir` (default out/bench-warehouse) has none. Prints one JSON
 * line per case: {case, elementsPerSec, plainElementsPerSec, ratio, peakRssMb, plainPeakRssMb}.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg } from '../args.js';
import { readRawParquet } from './lib/raw-parquet.js';
import { readParquet } from '../../io/parquet/index.js';
import { discoverPartitions, hive } from '../../io/warehouse/index.js';
import { generateWarehouse } from './generate-warehouse.js';

const CASES = {
  'io.parquet-read.all-columns': undefined,
  'io.parquet-read.3-columns': ['user_id', 'ts', 'speed'],
} as const satisfies Record<string, string[] | undefined>;
type CaseName = keyof typeof CASES;

interface ChildResult {
  rows: number;
  seconds: number;
  peakRssMb: number;
  check: number;
}

async function files(dir: string, maxPartitions: number): Promise<{ path: string; size: number }[][]> {
  const d = await discoverPartitions(dir, { layout: hive() });
  return d.partitions.slice(0, maxPartitions).map((p) => p.files);
}

/** Tributary: discovery, then each partition's files through the streaming reader. */
async function tributary(dir: string, columns: string[] | undefined, maxPartitions: number): Promise<{ rows: number; check: number }> {
  let rows = 0;
  let check = 0;
  for (const partition of await files(dir, maxPartitions)) {
    for (const f of partition) {
      for await (const batch of readParquet(f.path, { columns, size: f.size })) {
        for (const row of batch.rows) {
          rows++;
          check += row.speed as number;
        }
      }
    }
  }
  return { rows, check };
}

/** Plain loop: whole file in memory, hyparquet one row group per call. */
async function plain(dir: string, columns: string[] | undefined, maxPartitions: number): Promise<{ rows: number; check: number }> {
  let rows = 0;
  let check = 0;
  for (const partition of await files(dir, maxPartitions)) {
    for (const f of partition) {
      await readRawParquet(f.path, columns, (row) => {
        rows++;
        check += row.speed as number;
      });
    }
  }
  return { rows, check };
}


function runChild(caseName: CaseName, impl: 'tributary' | 'plain', dir: string, partitions: number): ChildResult {
  const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), `--child=${caseName}`, `--impl=${impl}`, `--dir=${dir}`, `--partitions=${partitions}`], {
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING: '1' },
  });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

export async function run(dirArg?: string, partitions = 24): Promise<object[]> {
  const dir = resolve(dirArg ?? 'out/bench-warehouse');
  if (!existsSync(resolve(dir, 'dt=2024-01-01'))) await generateWarehouse({ dir });
  const results: object[] = [];
  for (const caseName of Object.keys(CASES) as CaseName[]) {
    const t = runChild(caseName, 'tributary', dir, partitions);
    const p = runChild(caseName, 'plain', dir, partitions);
    if (t.rows !== p.rows || Math.abs(t.check - p.check) > 1e-6 * Math.abs(p.check)) {
      throw new Error(`${caseName}: Tributary read ${t.rows} rows (check ${t.check}), the plain loop ${p.rows} (check ${p.check})`);
    }
    const elementsPerSec = Math.round(t.rows / t.seconds);
    const plainElementsPerSec = Math.round(p.rows / p.seconds);
    const line = {
      case: caseName,
      elementsPerSec,
      plainElementsPerSec,
      ratio: +(elementsPerSec / plainElementsPerSec).toFixed(3),
      peakRssMb: t.peakRssMb,
      plainPeakRssMb: p.peakRssMb,
      rows: t.rows,
    };
    console.log(JSON.stringify(line));
    results.push(line);
  }
  return results;
}

const child = arg('child') as CaseName | undefined;
if (child) {
  const impl = arg('impl')!;
  const dir = arg('dir')!;
  const partitions = Number(arg('partitions') ?? 24);
  const t0 = performance.now();
  const { rows, check } = await (impl === 'plain' ? plain : tributary)(dir, CASES[child] as string[] | undefined, partitions);
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ rows, seconds, check, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
} else if (import.meta.url === `file://${process.argv[1]}`) {
  await run(process.argv.slice(2).find((a) => !a.startsWith('--')), Number(arg('partitions') ?? 24));
}
