/**
 * Kappa+ replay throughput over the standard benchmark warehouse (bench/io/generate-warehouse.ts:
 * 24 hourly partitions × 4 files × 50,000 rows): KappaReplay.read on the direct runner, its rows
 * taken one by one by a ParDo, against the fastest plain use of the raw reader for the same
 * columns (bench/io/lib/raw-parquet.ts `readRawParquetColumns`: hyparquet + hyparquet-compressors
 * reading only the footer and the projected columns' byte ranges, decoding only those, column
 * arrays as hyparquet decodes them, no row objects, timestamps read from their INT64 halves
 * without a BigInt per value, the next file opened while one decodes), files in the same order.
 * The raw loop makes no row object at all, where an element-wise ParDo is handed one per row (a
 * plain object it may keep): the element-wise cases' ratios include that object's cost, and
 * their JSON lines say so (`consumer`, `plainConsumer`).
 *
 *   npm run bench -- kappa/replay-throughput [--repeat=3] [--case=kappa.replay-throughput.3-columns] [--passes=N] [dir]
 *
 * Both variants do the same per-row work on the same rows: count them and sum `user_id`,
 * `ts mod 1000` and `trunc(speed)` (integers, so the order files are read in does not change the
 * sum); the harness (bench/harness.ts) fails the run when counts or sums differ, runs each
 * variant in a fresh process `--repeat` times in alternating order, and prints medians with the
 * spread of the pairs' ratios. Each process reads the warehouse `passes` times (the replay: one
 * pipeline run per pass) so that even the raw loop runs for several seconds: throughput, not
 * start-up. Goal (issue #17): the 3-columns ratio at least 0.8.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { arg } from '../args.js';
import { benchCase, type Outcome } from '../harness.js';
import { int64Halves, millisAt, readRawParquetColumns } from '../io/lib/raw-parquet.js';
import { KappaReplay } from '../../io/kappa/index.js';
import type { Row } from '../../io/parquet/index.js';
import { discoverPartitions, hive } from '../../io/warehouse/index.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { DoFn, ParDo, Pipeline, type BatchedDoFn, type ColumnBatch, type ProcessContext } from '../../sdk/index.js';
import { generateWarehouse } from '../io/generate-warehouse.js';

/** Projection, the replay's consumer (a ParDo taking rows, or one taking column batches), passes over the warehouse per process. */
const CASES: Record<string, { columns: string[] | undefined; batched: boolean; passes: number; goal?: number }> = {
  'kappa.replay-throughput.all-columns': { columns: undefined, batched: false, passes: 2 },
  'kappa.replay-throughput.3-columns': { columns: ['user_id', 'ts', 'speed'], batched: false, passes: 12, goal: 0.8 },
  'kappa.replay-throughput.3-columns-batched': { columns: ['user_id', 'ts', 'speed'], batched: true, passes: 12, goal: 0.8 },
};

interface Tally {
  rows: number;
  check: number;
}

/** The per-row work both variants do. */
function add(t: Tally, userId: number, ts: number, speed: number): void {
  t.rows++;
  t.check += userId + (ts % 1000) + Math.trunc(speed);
}

async function replay(dir: string, columns: string[] | undefined, batched: boolean, passes: number): Promise<Outcome> {
  const tally: Tally = { rows: 0, check: 0 };
  class CountRowsFn extends DoFn<Row, never> {
    process(row: Row): void {
      add(tally, row['user_id'] as number, row['ts'] as number, row['speed'] as number);
    }
  }
  /** The same count taking the replay's column batches whole (its output, the rows unchanged, goes nowhere). */
  class CountBatchesFn extends DoFn<Row, Row> implements BatchedDoFn<Row, Row> {
    process(row: Row, ctx: ProcessContext<Row>): void {
      add(tally, row['user_id'] as number, row['ts'] as number, row['speed'] as number);
      ctx.output(row);
    }
    processBatch(batch: ColumnBatch<Row>): ColumnBatch<Row> {
      const userId = batch.columns['user_id'] as ArrayLike<number>;
      const ts = batch.columns['ts'] as ArrayLike<number>;
      const speed = batch.columns['speed'] as ArrayLike<number>;
      for (let i = 0; i < batch.length; i++) add(tally, userId[i]!, ts[i]!, speed[i]!);
      return batch;
    }
  }
  for (let pass = 0; pass < passes; pass++) {
    const p = new Pipeline();
    const rows = p.apply(KappaReplay.read<Row>({ table: dir, timestampColumn: 'ts', columns }));
    if (batched) rows.apply('Count', ParDo.of(new CountBatchesFn()));
    else rows.apply('Count', ParDo.of(new CountRowsFn()));
    await new DirectRunner().run(p).waitUntilFinish();
  }
  return { elements: tally.rows, checksum: tally.check };
}

async function raw(dir: string, columns: string[] | undefined, passes: number): Promise<Outcome> {
  const tally: Tally = { rows: 0, check: 0 };
  const d = await discoverPartitions(dir, { layout: hive() });
  const paths = d.partitions.flatMap((p) => p.files.map((f) => f.path));
  for (let pass = 0; pass < passes; pass++) {
    await readRawParquetColumns(paths, columns, (length, c) => {
      const userId = c['user_id'] as ArrayLike<number>;
      const ts = int64Halves(c['ts'] as BigInt64Array);
      const speed = c['speed'] as ArrayLike<number>;
      for (let i = 0; i < length; i++) add(tally, userId[i]!, millisAt(ts, i), speed[i]!);
    });
  }
  return { elements: tally.rows, checksum: tally.check };
}

const dir = resolve(arg('dir') ?? process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'out/bench-warehouse');
const variantProcess = process.argv.some((a) => a.startsWith('--variant='));
if (!variantProcess && !existsSync(resolve(dir, 'dt=2024-01-01'))) await generateWarehouse({ dir });
const only = arg('case');
if (only && !(only in CASES)) throw new Error(`no case ${only}; cases: ${Object.keys(CASES).join(', ')}`);
for (const [name, { columns, batched, passes: defaultPasses, goal }] of Object.entries(CASES)) {
  if (only && only !== name) continue;
  const passes = Number(arg('passes') ?? defaultPasses);
  await benchCase(import.meta.url, {
    name,
    childArgs: [`--case=${name}`, `--dir=${dir}`, `--passes=${passes}`],
    plain: () => raw(dir, columns, passes),
    tributary: () => replay(dir, columns, batched, passes),
    // What each side's per-row work reads: the raw loop never makes a row object; an
    // element-wise replay hands its DoFn one per row (the contract of an element-wise DoFn).
    report: (p) => ({ rows: p.elements, passes, consumer: batched ? 'column batches' : 'row objects', plainConsumer: 'column arrays', ...(goal ? { goal } : {}) }),
  });
}
