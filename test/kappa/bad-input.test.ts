/**
 * Bad input that used to pass silently (issue 16 item 3), each failing with a typed error that
 * names the source, the table or file, and what to do:
 * - a replayed table with no partition at all in the range, even beside a full table;
 * - a table with no partitions at all (a mistyped path, a wrong layout);
 * - sibling Parquet files whose read columns have other types.
 */
import { mkdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { KappaReplay, NoPartitionsError, type KappaReplayOptions } from '../../io/kappa/index.js';
import { ParquetFileError } from '../../io/parquet/errors.js';
import { writeParquet } from '../../io/parquet/write.js';
import { Instant, Pipeline } from '../../sdk/index.js';
import { Observed, hourlySums, t, warehouse, type Row } from './harness.js';

type Rec = Record<string, unknown>;
const D = 'dt=2024-01-01';
const rows = (hour: string): Partial<Row>[] => [{ ts: t(`${hour}:10`), key: 'a', value: 1 }];

/** The error a run failed with, and the first error of `type` in its cause chain. */
async function failure<E>(run: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  const err = await run.then(() => undefined, (e: unknown) => e);
  for (let cur = err; cur instanceof Error; cur = cur.cause) if (cur instanceof type) return cur;
  throw new Error(`expected a ${type.name} in the failure, got ${String(err)}`);
}

async function group(root: string, tables: string[], options: KappaReplayOptions) {
  const obs = new Observed();
  const p = new Pipeline();
  const out = p.apply(KappaReplay.group<Record<string, Rec>>(Object.fromEntries(tables.map((n) => [n, { table: `${root}/${n}`, timestampColumn: 'ts' }])), options));
  hourlySums(out[tables[0]!]!, obs);
  return obs.run(p);
}

const range = (from: string, to: string) => ({ from: Instant.ofEpochMillis(t(from)), to: Instant.ofEpochMillis(t(to)) });

describe('a source with nothing to read fails the run', () => {
  it('no partition in the range, beside a full table: names the source, the range and where the data is', async () => {
    const root = await warehouse({
      [`full/${D}/hr=00/f.parquet`]: rows('00'),
      [`full/${D}/hr=01/f.parquet`]: rows('01'),
      [`late/${D}/hr=05/f.parquet`]: rows('05'),
      [`late/${D}/hr=06/f.parquet`]: rows('06'),
    });
    const err = await failure(group(root, ['full', 'late'], { range: range('00:00', '02:00') }), NoPartitionsError);
    expect(err.source).toBe('late');
    expect(err.table).toBe(`${root}/late`);
    expect(err.expected).toBe(2);
    expect(err.message).toBe(
      `KappaReplay source "late": table ${root}/late has no partition in the range [2024-01-01T00:00:00.000Z, 2024-01-01T02:00:00.000Z) (2 expected, none present); ` +
        'the table holds 2 partition(s) from 2024-01-01T05:00:00.000Z to 2024-01-01T06:00:00.000Z: check the range',
    );
  });

  it("fails even with onMissingPartition: 'empty' (which is for some partitions missing, not all)", async () => {
    const root = await warehouse({ [`full/${D}/hr=00/f.parquet`]: rows('00'), [`late/${D}/hr=05/f.parquet`]: rows('05') });
    await failure(group(root, ['full', 'late'], { range: range('00:00', '01:00'), onMissingPartition: 'empty' }), NoPartitionsError);
  });

  it('a table path with nothing below it in the layout: check the path and the layout', async () => {
    const root = await warehouse({ [`full/${D}/hr=00/f.parquet`]: rows('00'), 'typo/': 'empty-dir' });
    const err = await failure(group(root, ['full', 'typo'], {}), NoPartitionsError);
    expect(err.message).toBe(`KappaReplay source "typo": table ${root}/typo has no partitions: check the table path and its layout (hourly, daily, hive(...), template(...))`);
  });

  it('a range over a table with no partition at all says so', async () => {
    const root = await warehouse({ [`full/${D}/hr=00/f.parquet`]: rows('00'), 'none/': 'empty-dir' });
    const err = await failure(group(root, ['full', 'none'], { range: range('00:00', '01:00') }), NoPartitionsError);
    expect(err.message).toMatch(/has no partition in the range .* \(1 expected, none present\); the table holds no partition at all: check the table path and its layout/);
  });

  it('some partitions missing in the range still replay as empty (the policy applies)', async () => {
    const root = await warehouse({ [`t/${D}/hr=00/f.parquet`]: rows('00') });
    const result = await group(root, ['t'], { range: range('00:00', '03:00') });
    expect(result.metrics().counter('missingPartitions')).toBe(2);
    expect(result.metrics().counter('rows')).toBe(1);
  });
});

describe('sibling files must agree on the read columns’ types', () => {
  async function mixed(): Promise<string> {
    const root = await warehouse({ [`t/${D}/hr=00/a.parquet`]: rows('00') });
    await mkdir(`${root}/t/${D}/hr=00`, { recursive: true });
    // The same table, one file with `value` as a string.
    await writeParquet(`${root}/t/${D}/hr=00/b.parquet`, [{ ts: t('00:20'), key: 'a', value: '7', id: '' }], { schema: { ts: 'timestamp', key: 'string', value: 'string', id: 'string' } });
    return root;
  }

  it('a file whose read column has another type fails, naming both files, the column and both types', async () => {
    const root = await mixed();
    const err = await failure(group(root, ['t'], { fileConcurrency: 1 }), ParquetFileError);
    expect(err.problem).toBe('schema-mismatch');
    expect(err.path).toBe(`${root}/t/${D}/hr=00/b.parquet`);
    expect(err.message).toBe(
      `Parquet file ${root}/t/${D}/hr=00/b.parquet: schema-mismatch: column "value" is string here but int32 in ${root}/t/${D}/hr=00/a.parquet, a file of the same read; ` +
        'every file must give a read column one type (rewrite this file, or read it separately)',
    );
  });

  it('columns outside the projection may differ', async () => {
    const root = await mixed();
    const obs = new Observed();
    const p = new Pipeline();
    const out = p.apply(KappaReplay.read<Rec>({ table: `${root}/t`, timestampColumn: 'ts', columns: ['ts', 'key'] }, { fileConcurrency: 1 }));
    const result = await obs.run(p);
    void out;
    expect(result.metrics().counter('rows')).toBe(2);
  });
});
