/**
 * The variants of `bench/kappa/backfill.ts`, each computing the minute-stats workload
 * (minute-stats.ts) over one warehouse table and returning its checksum.
 */
import { readFile } from 'node:fs/promises';
import { parquetRead } from 'hyparquet';
import { readRawParquet } from '../../io/lib/raw-parquet.js';
import { compressors } from 'hyparquet-compressors';
import { KappaReplay } from '../../../io/kappa/index.js';
import { discoverPartitions, hive } from '../../../io/warehouse/index.js';
import { DirectRunner } from '../../../runners/direct/direct-runner.js';
import { Combine, DoFn, Duration, FixedWindows, Metrics, ParDo, Pipeline, Window, WithKeys, type CombineFn, type RowCombineFn, type IntervalWindow, type KV, type ProcessContext } from '../../../sdk/index.js';
import { addPane, COLUMNS, emptyChecksum, HARD_ACCEL, MINUTE, type PaneChecksum } from './minute-stats.js';

export type VariantName = 'plain' | 'tuned' | 'duckdb' | 'tributary' | 'batched';

export const VARIANTS: Record<VariantName, (dir: string) => Promise<PaneChecksum>> = {
  plain,
  tuned,
  duckdb,
  tributary: (dir) => minuteStats(dir, false),
  batched: (dir) => minuteStats(dir, true),
};

const epochMs = { timestampFromMilliseconds: (ms: bigint) => Number(ms) };

interface MinuteAcc {
  user: number;
  start: number;
  count: number;
  max: number;
  hard: number;
}

/** The plain loop: object rows from hyparquet, a Map keyed by `user|minute`, windows folded when their partition ends. */
async function plain(dir: string): Promise<PaneChecksum> {
  const out = emptyChecksum();
  const open = new Map<string, MinuteAcc>();
  const d = await discoverPartitions(dir, { layout: hive() });
  for (const partition of d.partitions) {
    for (const f of partition.files) {
      await readRawParquet(
        f.path,
        COLUMNS,
        (r) => {
          const row = r as { user_id: number; ts: number; speed: number; accel: number };
          const start = row.ts - (row.ts % MINUTE);
          const key = `${row.user_id}|${start}`;
          let acc = open.get(key);
          if (acc === undefined) open.set(key, (acc = { user: row.user_id, start, count: 0, max: -Infinity, hard: 0 }));
          acc.count++;
          if (row.speed > acc.max) acc.max = row.speed;
          if (Math.abs(row.accel) > HARD_ACCEL) acc.hard++;
        },
        { parsers: epochMs },
      );
    }
    // the partition is complete: every window ending by its end is final
    for (const [key, acc] of open) {
      if (acc.start + MINUTE > partition.end) continue;
      addPane(out, acc.user, acc.start, acc.count, acc.max, acc.hard);
      open.delete(key);
    }
  }
  for (const acc of open.values()) addPane(out, acc.user, acc.start, acc.count, acc.max, acc.hard);
  return out;
}

/**
 * The plain loop tuned by hand: column arrays from hyparquet (no row objects), a numeric key
 * `user × 2^25 + minute` into a Map of slots, the figures in growing typed arrays.
 */
async function tuned(dir: string): Promise<PaneChecksum> {
  const out = emptyChecksum();
  const slots = new Map<number, number>();
  let count = new Int32Array(1 << 16);
  let hard = new Int32Array(1 << 16);
  let max = new Float64Array(1 << 16);
  const free: number[] = [];
  let used = 0;
  const d = await discoverPartitions(dir, { layout: hive() });
  for (const partition of d.partitions) {
    for (const f of partition.files) {
      const buf = await readFile(f.path);
      const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
      const columns: Record<string, ArrayLike<number>> = {};
      await parquetRead({ file, columns: [...COLUMNS], compressors, parsers: epochMs, onChunk: (c) => {
        // one row group per file here: a column in several chunks would need joining
        if (columns[c.columnName]) throw new Error(`${f.path}: column ${c.columnName} in several chunks`);
        columns[c.columnName] = c.columnData as ArrayLike<number>;
      } });
      const { user_id: users, ts, speed, accel } = columns as Record<(typeof COLUMNS)[number], ArrayLike<number>>;
      for (let i = 0; i < users.length; i++) {
        const key = users[i]! * 33_554_432 + Math.floor(ts[i]! / MINUTE);
        let slot = slots.get(key);
        if (slot === undefined) {
          slot = free.pop() ?? used++;
          if (slot >= count.length) {
            const grow = <T extends Int32Array | Float64Array>(a: T): T => {
              const b = new (a.constructor as new (n: number) => T)(a.length * 2);
              b.set(a);
              return b;
            };
            count = grow(count);
            hard = grow(hard);
            max = grow(max);
          }
          slots.set(key, slot);
          count[slot] = 0;
          hard[slot] = 0;
          max[slot] = -Infinity;
        }
        count[slot]!++;
        if (speed[i]! > max[slot]!) max[slot] = speed[i]!;
        if (Math.abs(accel[i]!) > HARD_ACCEL) hard[slot]!++;
      }
    }
    for (const [key, slot] of slots) {
      const start = (key % 33_554_432) * MINUTE;
      if (start + MINUTE > partition.end) continue;
      addPane(out, Math.floor(key / 33_554_432), start, count[slot]!, max[slot]!, hard[slot]!);
      slots.delete(key);
      free.push(slot);
    }
  }
  for (const [key, slot] of slots) addPane(out, Math.floor(key / 33_554_432), (key % 33_554_432) * MINUTE, count[slot]!, max[slot]!, hard[slot]!);
  return out;
}

/** DuckDB on one thread: the whole workload, checksum included, as one query. */
async function duckdb(dir: string): Promise<PaneChecksum> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  const glob = `${dir.replace(/'/g, "''")}/**/*.parquet`;
  const reader = await connection.runAndReadAll(`
    WITH panes AS (
      SELECT user_id, epoch_ms(ts) // ${MINUTE} AS minute, count(*) AS n, max(speed) AS mx, count(*) FILTER (WHERE abs(accel) > ${HARD_ACCEL}) AS hard
      FROM read_parquet('${glob}', hive_partitioning = false)
      GROUP BY user_id, minute
    )
    SELECT sum(n)::BIGINT, count(*)::BIGINT, sum(hard)::BIGINT, sum(round(mx::DOUBLE * 1000))::BIGINT, sum((user_id * 31 + minute) % 1000003)::BIGINT FROM panes`);
  const [rows, panes, hard, maxSpeedMilli, keys] = reader.getRows()[0]!.map((v) => Number(v));
  connection.closeSync();
  return { rows: rows!, panes: panes!, hard: hard!, maxSpeedMilli: maxSpeedMilli!, keys: keys! };
}

interface Stats {
  count: number;
  max: number;
  hard: number;
}

/** The read columns, as the pipelines declare them. */
interface Reading {
  user_id: number;
  ts: number;
  speed: number;
  accel: number;
}

/** The workload as a user writes it: an element-wise CombineFn over rows. */
const minuteStatsFn: CombineFn<Reading, Stats, Stats> = {
  createAccumulator: () => ({ count: 0, max: -Infinity, hard: 0 }),
  addInput(acc, row) {
    acc.count++;
    if (row.speed > acc.max) acc.max = row.speed;
    if (Math.abs(row.accel) > HARD_ACCEL) acc.hard++;
    return acc;
  },
  mergeAccumulators(accs) {
    const out = { count: 0, max: -Infinity, hard: 0 };
    for (const a of accs) {
      out.count += a.count;
      if (a.max > out.max) out.max = a.max;
      out.hard += a.hard;
    }
    return out;
  },
  extractOutput: (acc) => acc,
};

/** The same CombineFn, also adding a row of a column batch where it lies (no row object). */
const minuteStatsRowsFn: RowCombineFn<Reading, Stats, Stats> = {
  ...minuteStatsFn,
  addRow(acc, columns, i) {
    acc.count++;
    const speed = columns.speed[i]!;
    if (speed > acc.max) acc.max = speed;
    if (Math.abs(columns.accel[i]!) > HARD_ACCEL) acc.hard++;
    return acc;
  },
};

/** Folds every pane into the checksum, reported as counters once a bundle. */
class ChecksumFn extends DoFn<KV<number, Stats>, never> {
  // prefixed: the replay counts `kappa/rows`, and a result's counter is found by name alone
  private readonly counters = Object.fromEntries((['rows', 'panes', 'hard', 'maxSpeedMilli', 'keys'] as const).map((k) => [k, Metrics.counter('bench', `checksum.${k}`)]));
  private sum = emptyChecksum();
  process(pane: KV<number, Stats>, ctx: ProcessContext<never>): void {
    const s = pane.value;
    addPane(this.sum, pane.key, (ctx.window as IntervalWindow).start, s.count, s.max, s.hard);
  }
  override finishBundle(): void {
    for (const [k, v] of Object.entries(this.sum)) this.counters[k]!.inc(v);
    this.sum = emptyChecksum();
  }
}

/** The pipeline as a user writes it, element-wise (`batched` false) or batch-aware: column
 *  batches from the replay through keying and windowing into the combine. */
async function minuteStats(dir: string, batched: boolean): Promise<PaneChecksum> {
  const p = new Pipeline();
  p.apply(KappaReplay.read<Reading>({ table: dir, timestampColumn: 'ts', columns: ['user_id', 'speed', 'accel'] }))
    .apply('ByUser', batched ? WithKeys.ofColumn<Reading, 'user_id'>('user_id') : WithKeys.of<number, Reading>((row) => row.user_id))
    .apply('Minute', Window.into<KV<number, Reading>>(FixedWindows.of(Duration.minutes(1))))
    .apply('Stats', Combine.perKey<number, Reading, Stats>(batched ? minuteStatsRowsFn : minuteStatsFn))
    .apply('Checksum', ParDo.of(new ChecksumFn()));
  const result = new DirectRunner().run(p);
  await result.waitUntilFinish();
  return checksumOf(result.metrics());
}

function checksumOf(m: { counter(name: string): number }): PaneChecksum {
  const c = (k: keyof PaneChecksum) => m.counter(`checksum.${k}`);
  return { rows: c('rows'), panes: c('panes'), hard: c('hard'), maxSpeedMilli: c('maxSpeedMilli'), keys: c('keys') };
}
