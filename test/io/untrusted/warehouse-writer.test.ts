/**
 * Writers that could escape their table (issue #19 item 6): layouts, keys and prefixes are checked
 * when the writer is built, and rows without a usable event time go to the bad-row path.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ParquetRowError } from '../../../io/parquet/index.js';
import { PartitionedParquetWriter, WarehouseLayoutError, hive, template, type PartitionedWriterOptions } from '../../../io/warehouse/index.js';

const Schema = { key: 'string', ts: 'timestamp' } as const;
type Row = { key: string; ts: unknown };
const root = mkdtempSync(join(tmpdir(), 'tributary-escape-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function build(table: string, overrides: Partial<PartitionedWriterOptions<Row>>): () => PartitionedParquetWriter<Row> {
  return () => new PartitionedParquetWriter<Row>({ table, layout: hive(), timestamp: 'ts', schema: Schema, ...overrides });
}

describe('layouts that would write outside the table are rejected when the writer is built', () => {
  const table = join(root, 'inside', 'table');
  it.each([
    ['a template with ..', { layout: template('../{yyyy}/{MM}') }, /component "\.\." holds "\.\."/],
    ['a template with .. inside a component', { layout: template('{yyyy}/..{MM}') }, /holds "\.\."/],
    ['an unknown template field', { layout: template('{yyyy}/{region}') }, /unknown field \{region\}/],
    ['a template folder discovery ignores', { layout: template('_tmp/{yyyy}') }, /starts with "_"/],
    ['a Hive date key with ..', { layout: hive({ dateKey: '..' }) }, /Hive date key "\.\."/],
    ['a Hive hour key with a slash', { layout: hive({ hourKey: 'h/../../x' }) }, /path separator/],
    ['a file prefix with ..', { filePrefix: '../../evil' }, /file prefix "\.\.\/\.\.\/evil"/],
    ['a hidden file prefix', { filePrefix: '.part' }, /file prefix "\.part" starts with/],
  ] as const)('%s', (_name, overrides, message) => {
    expect(build(table, overrides as Partial<PartitionedWriterOptions<Row>>)).toThrow(WarehouseLayoutError);
    expect(build(table, overrides as Partial<PartitionedWriterOptions<Row>>)).toThrow(message);
    expect(existsSync(join(root, 'inside'))).toBe(false);
  });

  it('a valid template still builds, with its granularity from the finest field', async () => {
    const w = build(join(root, 'tpl'), { layout: template('{yyyy}/{MM}/{dd}') })();
    await w.write({ key: 'a', ts: Date.parse('2024-03-05T10:00:00Z') });
    const done = await w.close();
    expect(done.map((p) => [p.label, p.end - p.start])).toEqual([['2024/03/05', 86_400_000]]);
  });
});

describe('rows without a usable event time', () => {
  const bad: unknown[] = [Number.NaN, Number.POSITIVE_INFINITY, -Number.MAX_VALUE, 1e20, 8.64e15, -62_167_219_200_001, '2024-01-01', undefined, null];

  it('go to onBadRow, counted, and no partition folder is made for them', async () => {
    const table = join(root, 'bad-ts');
    const errors: ParquetRowError[] = [];
    const w = build(table, { onBadRow: (e) => errors.push(e) })();
    await w.write({ key: 'good', ts: Date.parse('2024-01-01T05:00:00Z') });
    for (const ts of bad) await w.write({ key: 'bad', ts });
    await w.write({ key: 'good', ts: new Date(1e12) }); // a Date is an instant too
    await w.close();
    expect(w.badTimestamps).toBe(bad.length);
    expect(errors).toHaveLength(bad.length);
    expect(errors.every((e) => e instanceof ParquetRowError && e.column === 'ts')).toBe(true);
    expect(errors[0]!.message).toContain('event time in ts is NaN');
    const folders = readdirSync(table).sort();
    expect(folders).toEqual(['dt=2001-09-09', 'dt=2024-01-01']);
    expect(readdirSync(join(table, 'dt=2024-01-01'))).toEqual(['hr=05']);
  });

  it('without onBadRow the write fails with the typed error', async () => {
    const w = build(join(root, 'bad-ts-throw'), {})();
    await expect(w.write({ key: 'bad', ts: Number.NaN })).rejects.toThrow(ParquetRowError);
  });
});
