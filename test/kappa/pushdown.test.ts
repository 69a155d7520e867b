/**
 * The replay's time range pushed down to Parquet: row groups whose timestamp statistics lie wholly
 * outside `[from, to)` are skipped without being fetched and counted (`rowGroupsSkipped`), their
 * rows counted in `outOfRange` as if read; row groups that straddle a boundary are read and
 * filtered row by row. The results and the counters equal those of a read with no statistics.
 */
import { mkdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { KappaReplay } from '../../io/kappa/index.js';
import { writeParquet } from '../../io/parquet/write.js';
import { Instant, Pipeline } from '../../sdk/index.js';
import { Observed, hourlySums, t, warehouse } from './harness.js';

const D = 'dt=2024-01-01';
const MIN = 60_000;
// 60 rows at 00:00, 00:01, … 00:59 in row groups of 10: group g holds minutes 10g … 10g + 9.
const rows = Array.from({ length: 60 }, (_, i) => ({ ts: t('00:00') + i * MIN, key: 'a', value: 1 }));

async function table(tsType: 'timestamp' | 'string'): Promise<string> {
  const root = await warehouse({});
  await mkdir(`${root}/t/${D}/hr=00`, { recursive: true });
  const data: Record<string, unknown>[] = tsType === 'string' ? rows.map((r) => ({ ...r, ts: new Date(r.ts).toISOString() })) : rows;
  await writeParquet(`${root}/t/${D}/hr=00/f.parquet`, data, { schema: { ts: tsType, key: 'string', value: 'int32' }, rowGroupSize: 10 });
  return root;
}

async function replay(root: string, range?: { from: number; to: number }) {
  const obs = new Observed();
  const p = new Pipeline();
  hourlySums(p.apply(KappaReplay.read<Record<string, unknown>>({ table: `${root}/t`, timestampColumn: 'ts' }, range ? { range: { from: Instant.ofEpochMillis(range.from), to: Instant.ofEpochMillis(range.to) } } : {})), obs);
  const m = (await obs.run(p)).metrics();
  return { panes: obs.panes(), rows: m.counter('rows'), outOfRange: m.counter('outOfRange'), skipped: m.counter('rowGroupsSkipped'), bytes: m.counter('bytesFetched') };
}

describe('range pushdown to row-group statistics', () => {
  it('[00:25, 00:45): groups 0, 1 and 5 skipped unread, groups 2 and 4 filtered row by row', async () => {
    const root = await table('timestamp');
    const all = await replay(root);
    const ranged = await replay(root, { from: t('00:25'), to: t('00:45') });
    expect(ranged.skipped).toBe(3);
    // 30 rows of the skipped groups + minutes 20–24 and 45–49 of the groups read
    expect(ranged.outOfRange).toBe(40);
    expect(ranged.rows).toBe(20);
    expect(ranged.panes).toEqual(['[00:00,01:00) a=20 ON_TIME #0']);
    expect(all.skipped).toBe(0);
    expect(ranged.bytes).toBeLessThan(all.bytes); // the skipped groups' column chunks were never fetched
  });

  it('a range covering no row group of a partition that intersects it: every group skipped, every row out of range', async () => {
    const root = await table('timestamp');
    // hr=00 intersects [00:59:30, 01:00) but no row is at or after 00:59:30
    const r = await replay(root, { from: t('00:59:30'), to: t('01:00') });
    expect([r.skipped, r.outOfRange, r.rows]).toEqual([6, 60, 0]);
  });

  it('string timestamps have no usable bounds: nothing skipped, the same rows and counts', async () => {
    const r = await replay(await table('string'), { from: t('00:25'), to: t('00:45') });
    expect([r.skipped, r.outOfRange, r.rows]).toEqual([0, 40, 20]);
    expect(r.panes).toEqual(['[00:00,01:00) a=20 ON_TIME #0']);
  });
});
