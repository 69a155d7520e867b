import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Create, DoFn, Map, ParDo, Pipeline, type ProcessContext } from '../../../sdk/index.js';
import { PAssert, PASSERT_SUCCESS_COUNTER } from '../../../sdk/testing/passert.js';
import { DirectRunner } from '../../../runners/direct/direct-runner.js';
import { ParquetIO, between, gt, writeParquet, type DeadLetter, type WrittenFile } from '../../../io/parquet/index.js';
import { configureStorage, MemoryStorage, StorageError } from '../../../io/storage/index.js';
import { discoverPartitions, hive } from '../../../io/warehouse/index.js';
import { startS3Server, type S3TestServer } from '../../servers/s3/server.js';
import { TestEvents } from './test-stream.js';

const Schema = { id: 'int32', ts: 'timestamp', event: 'string', speed: 'double' } as const;
type Row = { id: number; ts: number; event: string; speed: number };
const T0 = Date.parse('2024-01-01T00:00:00Z');
const MIN = 60_000;

/** 40 rows, one per minute from T0, in 4 row groups of 10. */
const rows: Row[] = Array.from({ length: 40 }, (_, i) => ({ id: i, ts: T0 + i * MIN, event: i % 2 ? 'brake' : 'accel', speed: i * 1.5 }));

async function run(p: Pipeline, assertions: number) {
  const result = new DirectRunner().run(p);
  await result.waitUntilFinish();
  expect(result.metrics().counter(PASSERT_SUCCESS_COUNTER)).toBe(assertions);
  return result.metrics();
}

/** Emits each element with its event timestamp, to check the timestamps the source assigned. */
class WithTimestamp<T> extends DoFn<T, { value: T; at: number }> {
  process(value: T, ctx: ProcessContext<{ value: T; at: number }>) {
    return [{ value, at: ctx.timestamp as number }];
  }
}

describe('ParquetIO.read', () => {
  const root = mkdtempSync(join(tmpdir(), 'tributary-pio-'));
  const file = join(root, 'in', 'a.parquet');
  afterAll(() => {
    configureStorage({});
    rmSync(root, { recursive: true, force: true });
  });
  beforeAll(async () => {
    await writeParquet(file, rows, { schema: Schema, rowGroupSize: 10 });
  });

  it('projects columns, skips row groups by statistics (visible in metrics) and assigns event timestamps', async () => {
    const p = new Pipeline();
    const read = p.apply(
      'Read',
      ParquetIO.read<{ id: number; speed: number }>({
        path: join(root, 'in', '*.parquet'),
        columns: ['id', 'speed'],
        timeRange: { column: 'ts', start: T0 + 10 * MIN, end: T0 + 20 * MIN },
        predicates: [gt('id', 14)],
        timestampColumn: 'ts',
      }),
    );
    const expected = rows.filter((r) => r.id > 14 && r.id < 20);
    PAssert.that(read).containsInAnyOrder(expected.map((r) => ({ id: r.id, speed: r.speed })));
    PAssert.that(read.apply('Stamp', ParDo.of(new WithTimestamp<{ id: number; speed: number }>()))).containsInAnyOrder(
      expected.map((r) => ({ value: { id: r.id, speed: r.speed }, at: r.ts })),
    );
    const m = await run(p, 2);
    expect(m.counter('filesOpened')).toBe(1);
    expect(m.counter('rowGroupsSkipped')).toBe(3);
    expect(m.counter('rowGroupsRead')).toBe(1);
    expect(m.counter('rows')).toBe(5);
    expect(m.counter('rowsFiltered')).toBe(5);
  });

  it('routes bad files (truncated, schema mismatch, unreadable object) to the dead letter and counts them', async () => {
    const dir = join(root, 'mixed');
    await writeParquet(join(dir, 'good.parquet'), rows.slice(0, 3), { schema: Schema });
    const whole = readFileSync(file);
    writeFileSync(join(dir, 'truncated.parquet'), whole.subarray(0, Math.floor(whole.length / 2)));
    await writeParquet(join(dir, 'other.parquet'), [{ id: 1n, name: 'x' }], { schema: { id: 'int64', name: 'string' } });
    // an object that is listed but cannot be read
    const mem = new (class extends MemoryStorage {
      override async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
        if (path.endsWith('locked.parquet')) throw new StorageError({ path, operation: 'read', problem: 'access-denied', detail: 'access denied' });
        return super.readRange(path, offset, length);
      }
    })();
    configureStorage({ backends: { mem } });
    await writeParquet('mem://b/t/locked.parquet', rows.slice(0, 2), { schema: Schema, storage: mem });

    const p = new Pipeline();
    const out = p.apply('Read', ParquetIO.read<Row>({ paths: [dir, 'mem://b/t/'], schema: Schema, deadLetter: true }));
    PAssert.that(out.rows).containsInAnyOrder(rows.slice(0, 3));
    PAssert.that(out.deadLetter.apply('Problems', Map.of((d: DeadLetter) => `${d.path.split('/').pop()} ${d.problem}`))).containsInAnyOrder([
      'truncated.parquet truncated',
      'other.parquet schema-mismatch',
      'locked.parquet unreadable',
    ]);
    PAssert.that(out.deadLetter).satisfies((ds) => {
      const mismatch = ds.find((d) => d.problem === 'schema-mismatch')!;
      expect(mismatch.message).toBe(`Parquet file ${join(dir, 'other.parquet')}: schema-mismatch: column "id" is int64 in the file but int32 is expected; column "ts" is missing (expected timestamp); column "event" is missing (expected string); column "speed" is missing (expected double)`);
    });
    const m = await run(p, 3);
    expect(m.counter('badFiles')).toBe(3);
    expect(m.counter('rows')).toBe(3);
    configureStorage({});
  });

  it('without a dead letter, a bad file fails the job with the message naming the file', async () => {
    const dir = join(root, 'bad');
    const whole = readFileSync(file);
    const path = join(dir, 'truncated.parquet');
    await writeParquet(join(dir, 'good.parquet'), rows.slice(0, 3), { schema: Schema });
    writeFileSync(path, whole.subarray(0, 100));
    const p = new Pipeline();
    p.apply('Read', ParquetIO.read({ path: dir }));
    const result = new DirectRunner().run(p);
    await expect(result.waitUntilFinish()).rejects.toThrow(
      `transform "Read/ReadFiles" failed in process: Parquet file ${path}: truncated: no PAR1 magic at the end: the file (100 bytes) was cut short or is still being written`,
    );
  });

  it('a missing path fails when the pipeline starts; an unknown scheme when it is built', async () => {
    const p = new Pipeline();
    p.apply('Read', ParquetIO.read({ path: join(root, 'nope', 'x.parquet') }));
    await expect(new DirectRunner().run(p).waitUntilFinish()).rejects.toThrow(
      `transform "Read/ExpandFiles" failed in setup: validate ${join(root, 'nope', 'x.parquet')}: no such file or directory`,
    );
    const q = new Pipeline();
    q.apply('Glob', ParquetIO.read({ path: join(root, 'in', '*.csv') }));
    await expect(new DirectRunner().run(q).waitUntilFinish()).rejects.toThrow(`${join(root, 'in', '*.csv')}: no files match the pattern`);
    expect(() => ParquetIO.read({ path: 'gs://bucket/x.parquet' })).toThrow(/unknown scheme "gs:\/\/"/);
  });
});

describe('ParquetIO.writePartitioned', () => {
  const root = mkdtempSync(join(tmpdir(), 'tributary-piow-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes Hive partitions, rolls by row count, and reads back equal to the input', async () => {
    const table = join(root, 'clicks');
    const input: Row[] = [
      ...Array.from({ length: 5 }, (_, i) => ({ id: i, ts: T0 + i * MIN, event: 'a', speed: i })),
      { id: 10, ts: T0 + 61 * MIN, event: 'b', speed: 1 },
      { id: 11, ts: T0 + 185 * MIN, event: 'c', speed: 2 },
    ];
    const p = new Pipeline();
    const files = p
      .apply('Rows', Create.of<Row>(input))
      .apply('Write', ParquetIO.writePartitioned({ table, layout: 'hourly', schema: Schema, timestampColumn: 'ts', maxRowsPerFile: 2 }));
    PAssert.that(files.apply('Names', Map.of((f: WrittenFile) => [f.path.slice(table.length + 1), f.rows, f.late] as const))).containsInAnyOrder([
      ['dt=2024-01-01/hr=00/part-0-00000.parquet', 2, false],
      ['dt=2024-01-01/hr=00/part-0-00001.parquet', 2, false],
      ['dt=2024-01-01/hr=00/part-0-00002.parquet', 1, false],
      ['dt=2024-01-01/hr=01/part-0-00000.parquet', 1, false],
      ['dt=2024-01-01/hr=03/part-0-00000.parquet', 1, false],
    ]);
    const m = await run(p, 1);
    expect(m.counter('filesWritten')).toBe(5);
    expect(m.counter('rowsWritten')).toBe(7);
    expect(m.counter('partitionsFinalized')).toBe(3);

    const d = await discoverPartitions(table, { layout: hive() });
    expect(d.partitions.map((x) => [x.label, x.files.length, x.missing])).toEqual([
      ['dt=2024-01-01/hr=00', 3, false],
      ['dt=2024-01-01/hr=01', 1, false],
      ['dt=2024-01-01/hr=02', 0, true],
      ['dt=2024-01-01/hr=03', 1, false],
    ]);

    const q = new Pipeline();
    PAssert.that(q.apply('ReadBack', ParquetIO.read<Row>({ table, layout: 'hourly', missingPartitions: 'ignore' }))).containsInAnyOrder(input);
    await run(q, 1);
    const strict = new Pipeline();
    strict.apply('ReadBack', ParquetIO.read<Row>({ table, layout: 'hourly' }));
    await expect(new DirectRunner().run(strict).waitUntilFinish()).rejects.toThrow(`${table}: 1 expected partition(s) missing: dt=2024-01-01/hr=02`);
  });

  it('writes a late pane as additional files with a distinct suffix and counts it', async () => {
    const table = join(root, 'late');
    const r = (id: number, minute: number): Row => ({ id, ts: T0 + minute * MIN, event: 'x', speed: id });
    const events = new TestEvents<Row>()
      .addElements({ value: r(1, 5), timestamp: T0 }, { value: r(2, 50), timestamp: T0 }, { value: r(3, 70), timestamp: T0 })
      .advanceWatermarkTo(T0 + 60 * MIN) // hr=00 is finalized
      .addElements({ value: r(4, 30), timestamp: T0 + 60 * MIN }) // late for hr=00
      .advanceWatermarkTo(T0 + 120 * MIN);
    const p = new Pipeline();
    const files = p.apply('Events', events).apply('Write', ParquetIO.writePartitioned({ table, layout: 'hourly', schema: Schema, timestampColumn: 'ts' }));
    PAssert.that(files.apply('Names', Map.of((f: WrittenFile) => [f.path.slice(table.length + 1), f.rows, f.pane, f.late] as const))).containsInAnyOrder([
      ['dt=2024-01-01/hr=00/part-0-00000.parquet', 2, 0, false],
      ['dt=2024-01-01/hr=00/part-0-late1-00000.parquet', 1, 1, true],
      ['dt=2024-01-01/hr=01/part-0-00000.parquet', 1, 0, false],
    ]);
    const m = await run(p, 1);
    expect(m.counter('latePanes')).toBe(1);
    expect(m.counter('lateRows')).toBe(1);
    expect(m.counter('lateFiles')).toBe(1);

    const q = new Pipeline();
    PAssert.that(q.apply('ReadBack', ParquetIO.read<Row>({ table }))).containsInAnyOrder([r(1, 5), r(2, 50), r(3, 70), r(4, 30)]);
    await run(q, 1);
  });

  it('routes rows that do not fit the schema to the dead letter', async () => {
    const table = join(root, 'bad-rows');
    const p = new Pipeline();
    const out = p
      .apply('Rows', Create.of<Record<string, unknown>>([
        { id: 1, ts: T0, event: 'ok', speed: 1 },
        { id: 'two', ts: T0, event: 'bad', speed: 1 },
        { id: 3, ts: null, event: 'no time', speed: 1 },
      ]))
      .apply('Write', ParquetIO.writePartitioned({ table, layout: 'daily', schema: Schema, timestampColumn: 'ts', deadLetter: true }));
    PAssert.that(out.files.apply('Names', Map.of((f: WrittenFile) => [f.path.slice(table.length + 1), f.rows] as const))).containsInAnyOrder([['dt=2024-01-01/part-0-00000.parquet', 1]]);
    PAssert.that(out.deadLetter.apply('Problems', Map.of((d: DeadLetter) => d.problem))).containsInAnyOrder(['bad-row', 'bad-timestamp']);
    const m = await run(p, 2);
    expect(m.counter('badRows')).toBe(2);
  });
});

describe('ParquetIO on S3', () => {
  let server: S3TestServer;
  beforeAll(async () => {
    server = await startS3Server({ buckets: ['tributary-test'] });
    configureStorage({ s3: server.options });
  });
  afterAll(async () => {
    configureStorage({});
    await server?.stop();
  });

  it('writes a partitioned table to S3 and reads it back with a time range', async () => {
    const table = 's3://tributary-test/telemetry';
    const input = rows.map((r) => ({ ...r, ts: T0 + r.id * 5 * MIN })); // 40 rows over 4 hours
    const p = new Pipeline();
    const files = p
      .apply('Rows', Create.of<Row>(input))
      .apply('Write', ParquetIO.writePartitioned({ table, layout: 'hourly', schema: Schema, timestampColumn: 'ts', maxRowsPerFile: 8 }));
    PAssert.that(files.apply('Count', Map.of((f: WrittenFile) => f.partition))).satisfies((ps) => {
      expect(new Set(ps)).toEqual(new Set(['dt=2024-01-01/hr=00', 'dt=2024-01-01/hr=01', 'dt=2024-01-01/hr=02', 'dt=2024-01-01/hr=03']));
      expect(ps.length).toBe(7); // 12, 12, 12 and 4 rows, at most 8 per file
    });
    await run(p, 1);

    const q = new Pipeline();
    const back = q.apply(
      'ReadBack',
      ParquetIO.read<Row>({ table, layout: 'hourly', timeRange: { column: 'ts', start: T0 + 60 * MIN, end: T0 + 120 * MIN }, timestampColumn: 'ts' }),
    );
    PAssert.that(back).containsInAnyOrder(input.filter((r) => r.ts >= T0 + 60 * MIN && r.ts < T0 + 120 * MIN));
    PAssert.that(q.apply('All', ParquetIO.read<Row>({ path: `${table}/`, predicates: [between('id', 0, 39)] }))).containsInAnyOrder(input);
    const m = await run(q, 2);
    expect(m.counter('filesOpened', { step: 'ReadBack' })).toBe(2);
  });
});
