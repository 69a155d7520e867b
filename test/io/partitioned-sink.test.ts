import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readParquetRows } from '../../io/parquet/index.js';
import { LateRowError, PartitionedParquetWriter, discoverPartitions, hive, template } from '../../io/warehouse/index.js';

const T = (hhmm: string) => Date.parse(`2024-01-01T${hhmm}:00Z`);
const Schema = { key: 'string', ts: 'timestamp', value: 'int32' } as const;
type Row = { key: string; ts: number; value: number };

describe('partitioned Parquet sink (runner-independent core)', () => {
  const root = mkdtempSync(join(tmpdir(), 'tributary-sink-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes one folder per hour, rolls files by row count, and finalizes partitions when the watermark passes their end', async () => {
    const table = join(root, 'clicks');
    const w = new PartitionedParquetWriter<Row>({ table, layout: hive({ granularity: 'hour' }), timestamp: 'ts', schema: Schema, maxRowsPerFile: 2 });
    const rows: Row[] = [
      { key: 'a', ts: T('00:10'), value: 1 },
      { key: 'b', ts: T('01:05'), value: 3 },
      { key: 'a', ts: T('00:50'), value: 2 },
      { key: 'b', ts: T('00:20'), value: 5 },
      { key: 'a', ts: T('02:00'), value: 10 },
    ];
    for (const r of rows) await w.write(r);
    // hr=00 rolled one full file (2 rows); its open third row and the other hours' files are not
    // visible yet (their folders exist on disk, holding only hidden in-flight temporary files)
    let d = await discoverPartitions(table, { layout: hive() });
    expect(d.partitions.map((p) => [p.label, p.files.length])).toEqual([
      ['dt=2024-01-01/hr=00', 1],
      ['dt=2024-01-01/hr=01', 0],
      ['dt=2024-01-01/hr=02', 0],
    ]);

    const first = await w.advanceWatermark(T('01:00'));
    expect(first.map((p) => [p.label, p.files.map((f) => f.rows)])).toEqual([['dt=2024-01-01/hr=00', [2, 1]]]);
    d = await discoverPartitions(table, { layout: hive() });
    expect(d.partitions.map((p) => [p.label, p.files.length])).toEqual([
      ['dt=2024-01-01/hr=00', 2],
      ['dt=2024-01-01/hr=01', 0],
      ['dt=2024-01-01/hr=02', 0],
    ]);

    await expect(w.write({ key: 'late', ts: T('00:59'), value: 1 })).rejects.toThrow(LateRowError);
    const rest = await w.close();
    expect(rest.map((p) => p.label)).toEqual(['dt=2024-01-01/hr=01', 'dt=2024-01-01/hr=02']);

    d = await discoverPartitions(table, { layout: hive() });
    expect(d.partitions.map((p) => [p.label, p.files.map((f) => f.path.slice(table.length + 1))])).toEqual([
      ['dt=2024-01-01/hr=00', ['dt=2024-01-01/hr=00/part-00000.parquet', 'dt=2024-01-01/hr=00/part-00001.parquet']],
      ['dt=2024-01-01/hr=01', ['dt=2024-01-01/hr=01/part-00000.parquet']],
      ['dt=2024-01-01/hr=02', ['dt=2024-01-01/hr=02/part-00000.parquet']],
    ]);
    const back: Row[] = [];
    for (const p of d.partitions) for (const f of p.files) for await (const r of readParquetRows<Row>(f.path)) back.push(r);
    expect(back.sort((x, y) => x.ts - y.ts)).toEqual([...rows].sort((x, y) => x.ts - y.ts));
  });

  it('routes late rows to a dead-letter callback with a count', async () => {
    const late: string[] = [];
    const w = new PartitionedParquetWriter<Row>({
      table: join(root, 'daily'),
      layout: template('{yyyy}/{MM}/{dd}'),
      timestamp: (r) => r.ts,
      schema: Schema,
      onLateRow: (_row, partition) => late.push(partition),
    });
    await w.write({ key: 'a', ts: T('05:00'), value: 1 });
    await w.advanceWatermark(Date.parse('2024-01-02T00:00:00Z'));
    await w.write({ key: 'b', ts: T('06:00'), value: 1 });
    await w.close();
    expect(late).toEqual(['2024/01/01']);
    expect(w.lateRows).toBe(1);
    const d = await discoverPartitions(join(root, 'daily'), { layout: template('{yyyy}/{MM}/{dd}') });
    expect(d.partitions.map((p) => [p.label, p.files.length])).toEqual([['2024/01/01', 1]]);
  });
});
