import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../io/storage/index.js';
import { WarehouseError, discoverPartitions, hive, template } from '../../io/warehouse/index.js';

const T = (iso: string) => Date.parse(`${iso}Z`);
const bytes = (n: number) => new Uint8Array(n);

async function memTable(files: Record<string, number>) {
  const storage = new MemoryStorage();
  for (const [k, n] of Object.entries(files)) await storage.write(`mem://w/t/${k}`, bytes(n));
  return storage;
}

describe('partition discovery', () => {
  it('orders hive partitions chronologically, not lexicographically, and treats hr=9 as hr=09', async () => {
    const storage = await memTable({
      'dt=2024-01-01/hr=10/a.parquet': 10,
      'dt=2024-01-01/hr=9/a.parquet': 9,
      'dt=2024-01-01/hr=9/b.parquet': 8,
      'dt=2024-01-01/hr=11/a.parquet': 11,
      'dt=2023-12-31/hr=23/a.parquet': 1,
    });
    const d = await discoverPartitions('mem://w/t', { layout: hive(), storage, pageSize: 1 });
    expect(d.granularity).toBe('hour');
    expect(d.partitions.map((p) => p.label)).toEqual([
      'dt=2023-12-31/hr=23',
      'dt=2024-01-01/hr=00',
      'dt=2024-01-01/hr=01',
      'dt=2024-01-01/hr=02',
      'dt=2024-01-01/hr=03',
      'dt=2024-01-01/hr=04',
      'dt=2024-01-01/hr=05',
      'dt=2024-01-01/hr=06',
      'dt=2024-01-01/hr=07',
      'dt=2024-01-01/hr=08',
      'dt=2024-01-01/hr=9',
      'dt=2024-01-01/hr=10',
      'dt=2024-01-01/hr=11',
    ]);
    expect(d.missingPartitions.map((p) => p.start)).toEqual(Array.from({ length: 9 }, (_, h) => T(`2024-01-01T0${h}:00:00`)));
    const nine = d.partitions.find((p) => p.label === 'dt=2024-01-01/hr=9')!;
    expect(nine).toMatchObject({ start: T('2024-01-01T09:00:00'), end: T('2024-01-01T10:00:00'), missing: false, empty: false, path: 'mem://w/t/dt=2024-01-01/hr=9/' });
    expect(nine.files).toEqual([
      { path: 'mem://w/t/dt=2024-01-01/hr=9/a.parquet', size: 9 },
      { path: 'mem://w/t/dt=2024-01-01/hr=9/b.parquet', size: 8 },
    ]);
  });

  it('ignores _ and . paths, counts junk as unrecognized, and keeps _SUCCESS-only partitions as present but empty', async () => {
    const storage = await memTable({
      'dt=2024-01-01/hr=00/a.parquet': 1,
      'dt=2024-01-01/hr=00/_SUCCESS': 0,
      'dt=2024-01-01/hr=00/.a.parquet.crc': 0,
      'dt=2024-01-01/hr=01/_SUCCESS': 0,
      '_temporary/0/dt=2024-01-01/hr=02/x.parquet': 1,
      'dt=2024-01-01/hr=02/.staging/x.parquet': 1,
      'dt=2024-01-01/hr=02/a.parquet': 1,
      'README.md': 1,
      'dt=2024-01-01/hr=02/notes.txt': 1,
      'dt=2024-01-01/hr=99/a.parquet': 1,
      'dt=2024-01-01/b.parquet': 1,
      'junk/a.parquet': 1,
    });
    const d = await discoverPartitions('mem://w/t', { layout: hive(), storage });
    expect(d.partitions.map((p) => [p.label, p.files.length, p.missing, p.empty])).toEqual([
      ['dt=2024-01-01/hr=00', 1, false, false],
      ['dt=2024-01-01/hr=01', 0, false, true],
      ['dt=2024-01-01/hr=02', 1, false, false],
    ]);
    expect(d.ignoredPaths).toBe(5);
    expect(d.unrecognizedPaths).toEqual([
      'mem://w/t/README.md',
      'mem://w/t/dt=2024-01-01/b.parquet',
      'mem://w/t/dt=2024-01-01/hr=02/notes.txt',
      'mem://w/t/dt=2024-01-01/hr=99/a.parquet',
      'mem://w/t/junk/a.parquet',
    ]);
  });

  it('discovers daily dt= partitions', async () => {
    const storage = await memTable({ 'dt=2024-01-03/a.parquet': 1, 'dt=2024-01-01/a.parquet': 1 });
    const d = await discoverPartitions('mem://w/t', { layout: hive(), storage });
    expect(d.granularity).toBe('day');
    expect(d.partitions.map((p) => [p.label, p.start, p.end, p.missing])).toEqual([
      ['dt=2024-01-01', T('2024-01-01T00:00:00'), T('2024-01-02T00:00:00'), false],
      ['dt=2024-01-02', T('2024-01-02T00:00:00'), T('2024-01-03T00:00:00'), true],
      ['dt=2024-01-03', T('2024-01-03T00:00:00'), T('2024-01-04T00:00:00'), false],
    ]);
  });

  it('reports the partitions of a requested range, missing ones included', async () => {
    const storage = await memTable({
      'dt=2024-01-01/hr=00/a.parquet': 1,
      'dt=2024-01-01/hr=02/a.parquet': 1,
      'dt=2024-01-01/hr=05/a.parquet': 1,
    });
    const d = await discoverPartitions('mem://w/t', { layout: hive({ granularity: 'hour' }), storage, range: { start: T('2024-01-01T01:30:00'), end: T('2024-01-01T04:00:00') } });
    expect(d.partitions.map((p) => [p.label, p.missing])).toEqual([
      ['dt=2024-01-01/hr=01', true],
      ['dt=2024-01-01/hr=02', false],
      ['dt=2024-01-01/hr=03', true],
    ]);
    expect(d.missingPartitions.map((p) => p.path)).toEqual(['mem://w/t/dt=2024-01-01/hr=01/', 'mem://w/t/dt=2024-01-01/hr=03/']);
  });

  it('needs a granularity for a range over an empty table', async () => {
    const storage = new MemoryStorage();
    await expect(discoverPartitions('mem://w/none', { layout: hive(), storage, range: { start: 0, end: 1 } })).rejects.toThrow(WarehouseError);
    const d = await discoverPartitions('mem://w/none', { layout: hive({ granularity: 'day' }), storage, range: { start: T('2024-01-01T00:00:00'), end: T('2024-01-03T00:00:00') } });
    expect(d.missingPartitions.map((p) => p.label)).toEqual(['dt=2024-01-01', 'dt=2024-01-02']);
  });

  it('discovers a path-template layout', async () => {
    const storage = await memTable({ '2024/01/01/10/a.parquet': 1, '2024/01/01/9/a.parquet': 1, '2024/01/01/08/a.parquet': 1, 'other/a.parquet': 1 });
    const d = await discoverPartitions('mem://w/t', { layout: template('{yyyy}/{MM}/{dd}/{HH}'), storage });
    expect(d.partitions.map((p) => [p.label, p.start])).toEqual([
      ['2024/01/01/08', T('2024-01-01T08:00:00')],
      ['2024/01/01/9', T('2024-01-01T09:00:00')],
      ['2024/01/01/10', T('2024-01-01T10:00:00')],
    ]);
    expect(d.unrecognizedPaths).toEqual(['mem://w/t/other/a.parquet']);
  });

  describe('on local disk', () => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-wh-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('treats an empty directory as an empty partition, not a missing one', async () => {
      for (const f of ['dt=2024-01-01/hr=00/a.parquet', 'dt=2024-01-01/hr=03/a.parquet']) {
        mkdirSync(dirname(join(root, f)), { recursive: true });
        writeFileSync(join(root, f), 'x');
      }
      mkdirSync(join(root, 'dt=2024-01-01/hr=01'), { recursive: true });
      const d = await discoverPartitions(root, { layout: hive() });
      expect(d.partitions.map((p) => [p.label, p.missing, p.empty])).toEqual([
        ['dt=2024-01-01/hr=00', false, false],
        ['dt=2024-01-01/hr=01', false, true],
        ['dt=2024-01-01/hr=02', true, true],
        ['dt=2024-01-01/hr=03', false, false],
      ]);
      expect(d.missingPartitions.map((p) => p.label)).toEqual(['dt=2024-01-01/hr=02']);
    });
  });
});
