/**
 * KAPPA.md replay options that act on the run rather than on the results: throttling on a virtual
 * clock (token-bucket arithmetic, exactly), progress events and gauges, and bad input / options.
 */
import { describe, expect, it } from 'vitest';
import { KappaReplay, VirtualClock, type KappaReplayOptions, type KappaTable, type ReplayProgress } from '../../io/kappa/index.js';
import { TokenBucket } from '../../io/kappa/clock.js';
import { writeParquet } from '../../io/parquet/write.js';
import { stat } from 'node:fs/promises';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { Instant, Map as MapT, Pipeline, PipelineConstructionError } from '../../sdk/index.js';
import { Observed, fmt, hourlySums, t, warehouse, type Row } from './harness.js';

type Rec = Record<string, unknown>;
const D = 'dt=2024-01-01';
const tenRows = (hour: string, key = 'a') => Array.from({ length: 10 }, (_, i): Partial<Row> => ({ ts: t(`${hour}:0${i}`), key, value: 1 }));
/** Three hourly partitions of 10 rows (one file, one row group each: one throttle take per partition). */
const threeHours = (table = 't', key = 'a') => ({
  [`${table}/${D}/hr=00/f.parquet`]: tenRows('00', key),
  [`${table}/${D}/hr=01/f.parquet`]: tenRows('01', key),
  [`${table}/${D}/hr=02/f.parquet`]: tenRows('02', key),
});
const PANES = ['[00:00,01:00) a=10 ON_TIME #0', '[01:00,02:00) a=10 ON_TIME #0', '[02:00,03:00) a=10 ON_TIME #0'];

async function replay(root: string, table: Partial<KappaTable> = {}, options: KappaReplayOptions = {}) {
  const obs = new Observed();
  const p = new Pipeline();
  hourlySums(p.apply(KappaReplay.read<Rec>({ table: `${root}/t`, timestampColumn: 'ts', ...table }, { trace: obs.trace, ...options })), obs);
  const result = await obs.run(p);
  return { obs, result };
}

// ---------------------------------------------------------------------------------------------
describe('TokenBucket on a virtual clock', () => {
  it('starts with one second of tokens, then sleeps exactly as long as it is in debt', async () => {
    const clock = new VirtualClock();
    const b = new TokenBucket(4, clock);
    await b.take(4);
    expect(clock.now()).toBe(0);
    await b.take(2);
    expect(clock.now()).toBe(500);
    await b.take(8);
    expect(clock.now()).toBe(2500);
    expect(clock.sleeps).toEqual([500, 2000]);
  });

  it('refills with the time that passed, up to one second of tokens', async () => {
    const clock = new VirtualClock();
    const b = new TokenBucket(10, clock);
    await b.take(10);
    await clock.sleep(5000); // idle: the bucket holds 10, not 50
    await b.take(20);
    expect(clock.now()).toBe(6000);
  });

  it('two buckets throttling the same rows at once sleep concurrently, not one after the other', async () => {
    const clock = new VirtualClock();
    const a = new TokenBucket(5, clock);
    const b = new TokenBucket(5, clock);
    await Promise.all([a.take(10), b.take(10)]);
    expect(clock.now()).toBe(1000);
  });

  it('concurrent takers share the debt: the last wakes at (taken − rate) / rate', async () => {
    const clock = new VirtualClock();
    const b = new TokenBucket(10, clock);
    await Promise.all([b.take(10), b.take(10), b.take(10)]);
    // 30 units at 10/s with a 10-unit burst: the last may go on at 2 s, not before
    expect(clock.now()).toBe(2000);
    await b.take(10);
    expect(clock.now()).toBe(3000);
  });

  it('a taker that comes back while another still waits queues behind the other debt', async () => {
    const clock = new VirtualClock();
    const b = new TokenBucket(10, clock);
    // x passes, y waits until 1 s, z until 2 s; y takes again at 1 s: 40 units may end no sooner than 3 s
    await Promise.all([b.take(10), b.take(10).then(() => b.take(10)), b.take(10)]);
    expect(clock.now()).toBe(3000);
  });
});

describe('throttling (rows/s) on a virtual clock', () => {
  it('per source: 3 × 10 rows at 4 rows/s take (30 − 4) / 4 = 6.5 s, results unchanged', async () => {
    const clock = new VirtualClock();
    const { obs, result } = await replay(await warehouse(threeHours()), { throttle: { rowsPerSecond: 4 } }, { clock });
    expect(clock.now()).toBe(6500);
    // Each partition: 4 rows at once (the burst), 4 more when the bucket holds 4 again (1 s), the last 2 when it holds 2 (0.5 s).
    expect(clock.sleeps).toEqual([1000, 500, 1000, 1000, 500, 1000, 1000, 500]);
    expect(obs.panes()).toEqual(PANES);
    expect(result.metrics().counter('droppedLate')).toBe(0);
  });

  /** The clock time at which each row reached the pipeline, in order. */
  async function rowTimes(table: Partial<KappaTable>, options: KappaReplayOptions = {}): Promise<number[]> {
    const clock = new VirtualClock();
    const times: number[] = [];
    const p = new Pipeline();
    p.apply(KappaReplay.read<Rec>({ table: `${await warehouse(threeHours())}/t`, timestampColumn: 'ts', ...table }, { clock, ...options })).apply(
      'At',
      MapT.of((r: Rec) => {
        times.push(clock.now());
        return r;
      }),
    );
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    return times;
  }

  it('per row: with a burst of 1 at 4 rows/s, row i goes out at exactly i × 250 ms — none ahead of its token', async () => {
    const times = await rowTimes({ throttle: { rowsPerSecond: 4, rowsBurst: 1 } });
    expect(times).toEqual(Array.from({ length: 30 }, (_, i) => i * 250));
  });

  it('per row: with a burst of 3 at 4 rows/s, deliveries of at most 3 rows, row i never before (i + 1 − 3) / 4 s', async () => {
    const times = await rowTimes({ throttle: { rowsPerSecond: 4, rowsBurst: 3 } });
    // Hand-worked: 3 rows at 0; the bucket holds 3 again after 750 ms: 3 at 750, 3 at 1500; the 10th row of hr=00
    // waits for 1 token (250 ms): 1750. hr=01 starts on an empty bucket: 2500, 3250, 4000, 4250; hr=02 likewise from 5000.
    const perPartition = (t0: number) => [t0, t0, t0, t0 + 750, t0 + 750, t0 + 750, t0 + 1500, t0 + 1500, t0 + 1500, t0 + 1750];
    expect(times).toEqual([...perPartition(0), ...perPartition(2500), ...perPartition(5000)]);
    times.forEach((t, i) => expect(t).toBeGreaterThanOrEqual(((i + 1 - 3) / 4) * 1000));
    const deliveries = new Map<number, number>();
    for (const t of times) deliveries.set(t, (deliveries.get(t) ?? 0) + 1);
    expect(Math.max(...deliveries.values())).toBe(3);
  });

  it('a burst needs its rate, and is a whole number of rows', () => {
    expect(() => KappaReplay.read({ table: '/tmp/none', timestampColumn: 'ts', throttle: { rowsBurst: 5 } })).toThrow('throttle.rowsBurst needs throttle.rowsPerSecond');
    expect(() => KappaReplay.read({ table: '/tmp/none', timestampColumn: 'ts' }, { throttle: { rowsPerSecond: 5, rowsBurst: 0.5 } })).toThrow('throttle.rowsBurst must be a whole number ≥ 1, got 0.5');
  });

  it('per group: two sources of 30 rows at 4 rows/s together take (60 − 4) / 4 = 14 s, whatever the interleaving', async () => {
    const root = await warehouse({ ...threeHours('A', 'a'), ...threeHours('B', 'b') });
    const clock = new VirtualClock();
    const obs = new Observed();
    const p = new Pipeline();
    const { A, B } = p.apply(
      KappaReplay.group<{ A: Rec; B: Rec }>({ A: { table: `${root}/A`, timestampColumn: 'ts' }, B: { table: `${root}/B`, timestampColumn: 'ts' } }, { clock, throttle: { rowsPerSecond: 4 } }),
    );
    hourlySums(A, obs);
    const result = await obs.run(p);
    expect(clock.now()).toBe(14_000);
    expect(obs.panes()).toEqual(PANES);
    expect(result.metrics().counter('rows')).toBe(60);
    void B;
  });

  it('per source and per group at once: the tighter limit governs, the two sleeps overlap', async () => {
    // both at 5 rows/s: the rows pass at 5/s, (30 − 5) / 5 = 5 s — not the sum of both waits
    const clock = new VirtualClock();
    const { obs } = await replay(await warehouse(threeHours()), { throttle: { rowsPerSecond: 5 } }, { clock, throttle: { rowsPerSecond: 5 } });
    expect(clock.now()).toBe(5000);
    expect(obs.panes()).toEqual(PANES);
  });

  it('per source 10/s under a group limit of 5/s: (30 − 5) / 5 = 5 s', async () => {
    const clock = new VirtualClock();
    await replay(await warehouse(threeHours()), { throttle: { rowsPerSecond: 10 } }, { clock, throttle: { rowsPerSecond: 5 } });
    expect(clock.now()).toBe(5000);
  });

  it('a generous throttle (1000 rows/s) never sleeps', async () => {
    const clock = new VirtualClock();
    const { obs } = await replay(await warehouse(threeHours()), {}, { clock, throttle: { rowsPerSecond: 1000 } });
    expect(clock.sleeps).toEqual([]);
    expect(obs.panes()).toEqual(PANES);
  });

  it('bytes/s: the run takes (bytes fetched − rate) / rate', async () => {
    const clock = new VirtualClock();
    const { result } = await replay(await warehouse(threeHours()), { throttle: { bytesPerSecond: 100 } }, { clock });
    const bytes = result.metrics().counter('bytesFetched');
    expect(bytes).toBeGreaterThan(300); // each file is larger than the bucket, so the bucket never refills to the brim
    expect(clock.now()).toBeCloseTo(((bytes - 100) / 100) * 1000, 6);
  });
});

// ---------------------------------------------------------------------------------------------
describe('progress events and gauges', () => {
  const show = (p: ReplayProgress) =>
    `${p.event} ${p.partitionsCompleted}/${p.partitionsTotal} files=${p.filesCompleted}/${p.filesTotal} rows=${p.rows} t=${p.elapsedMs} wm=${fmt(p.watermark)}` +
    (p.partition ? ` ${p.source}:${p.partition}${p.file ? `/${p.file.slice(p.file.lastIndexOf('/') + 1)}` : ''}` : '');

  it('a file event per file, a partition event per partition carrying the new watermark when it completes the step, ticks a second apart, one done at +∞', async () => {
    // 10 rows per partition at 5 rows/s, burst 5: 5 rows at once, 5 more a second later; partition k ends at 1 s, 3 s, 5 s.
    const clock = new VirtualClock();
    const events: ReplayProgress[] = [];
    const root = await warehouse(threeHours());
    const { result } = await replay(root, { throttle: { rowsPerSecond: 5 } }, { clock, onProgress: (e) => events.push(e) });
    expect(events.map(show)).toEqual([
      'tick 0/3 files=0/3 rows=10 t=1000 wm=−∞',
      'file 0/3 files=1/3 rows=10 t=1000 wm=−∞ rows:dt=2024-01-01/hr=00/f.parquet',
      'partition 1/3 files=1/3 rows=10 t=1000 wm=01:00 rows:dt=2024-01-01/hr=00', // the step's watermark, on the event
      'tick 1/3 files=1/3 rows=15 t=2000 wm=01:00',
      'tick 1/3 files=1/3 rows=20 t=3000 wm=01:00',
      'file 1/3 files=2/3 rows=20 t=3000 wm=01:00 rows:dt=2024-01-01/hr=01/f.parquet',
      'partition 2/3 files=2/3 rows=20 t=3000 wm=02:00 rows:dt=2024-01-01/hr=01',
      'tick 2/3 files=2/3 rows=25 t=4000 wm=02:00',
      'tick 2/3 files=2/3 rows=30 t=5000 wm=02:00',
      'file 2/3 files=3/3 rows=30 t=5000 wm=02:00 rows:dt=2024-01-01/hr=02/f.parquet',
      'partition 3/3 files=3/3 rows=30 t=5000 wm=03:00 rows:dt=2024-01-01/hr=02',
      'done 3/3 files=3/3 rows=30 t=5000 wm=+∞',
    ]);
    // fractionComplete: bytes of the files read over all bytes; the ETA: the bytes left at this run's byte rate.
    const sizes = await Promise.all(['00', '01', '02'].map(async (h) => (await stat(`${root}/t/${D}/hr=${h}/f.parquet`)).size));
    const total = sizes[0]! + sizes[1]! + sizes[2]!;
    const atFile = events.filter((e) => e.event === 'file');
    expect(atFile.map((e) => e.fractionComplete)).toEqual([sizes[0]! / total, (sizes[0]! + sizes[1]!) / total, 1]);
    expect(atFile.map((e) => e.etaMs)).toEqual([(1000 * (total - sizes[0]!)) / sizes[0]!, (3000 * sizes[2]!) / (sizes[0]! + sizes[1]!), 0]);
    expect(events[0]!.etaMs).toBeUndefined(); // nothing finished yet
    expect(events.at(-1)).toMatchObject({ fractionComplete: 1, etaMs: 0, rowsPerSecond: 6, done: true });
    expect(events.at(-1)!.sources).toEqual({ rows: { partitionsCompleted: 3, partitionsTotal: 3, filesCompleted: 3, filesTotal: 3, rows: 30, outOfRange: 0, rowGroupsSkipped: 0, bytesFetched: result.metrics().counter('bytesFetched') } });
    const m = result.metrics();
    expect(m.gauge('partitionsCompleted')).toBe(3);
    expect(m.gauge('partitionsTotal')).toBe(3);
    expect(m.gauge('rowsPerSecond')).toBe(6);
    expect(m.gauge('etaSeconds')).toBe(0);
    expect(m.gauge('fractionComplete')).toBe(1);
    expect(m.gauge('watermark')).toBe(Instant.MAX);
  });

  it('in a group: per-source counters beside the totals; each step ends with the partition event that completed it, carrying the new watermark', async () => {
    const root = await warehouse({ ...threeHours('A'), [`B/${D}/hr=00/f.parquet`]: tenRows('00'), [`B/${D}/hr=02/f.parquet`]: [...tenRows('02'), { ts: t('03:30'), key: 'a', value: 1 }] });
    const events: ReplayProgress[] = [];
    const p = new Pipeline();
    const obs = new Observed();
    const { A } = p.apply(
      KappaReplay.group<{ A: Rec; B: Rec }>(
        { A: { table: `${root}/A`, timestampColumn: 'ts' }, B: { table: `${root}/B`, timestampColumn: 'ts' } },
        { clock: new VirtualClock(), onProgress: (e) => events.push(e), range: { from: Instant.ofEpochMillis(t('00:00')), to: Instant.ofEpochMillis(t('03:00')) } },
      ),
    );
    hourlySums(A, obs);
    const result = await obs.run(p);
    // Per step: both sources' file and partition events (in either order between the sources), the last one with the step's watermark.
    const partitionEvents = events.filter((e) => e.event === 'partition');
    expect(partitionEvents.map((e) => e.partitionsCompleted)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(partitionEvents.map((e) => fmt(e.watermark))).toEqual(['−∞', '01:00', '01:00', '02:00', '02:00', '03:00']);
    for (const [i, e] of events.entries()) {
      if (e.event !== 'file') continue;
      // a file's event comes before its partition's
      const own = events.findIndex((x) => x.event === 'partition' && x.source === e.source && x.partition === e.partition);
      expect(own).toBeGreaterThan(i);
    }
    expect(events.filter((e) => e.done)).toHaveLength(1);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ event: 'done', watermark: Instant.MAX, partitionsCompleted: 6, filesCompleted: 5, rows: 50 });
    expect(last.sources['A']).toMatchObject({ partitionsCompleted: 3, partitionsTotal: 3, filesCompleted: 3, rows: 30, outOfRange: 0 });
    expect(last.sources['B']).toMatchObject({ partitionsCompleted: 3, partitionsTotal: 3, filesCompleted: 2, filesTotal: 2, rows: 20, outOfRange: 1 });
    // The same per source in the metrics, beside the group's totals.
    const m = result.metrics();
    expect([m.counter('rows'), m.counter('rows[A]'), m.counter('rows[B]')]).toEqual([50, 30, 20]);
    expect([m.counter('outOfRange'), m.counter('outOfRange[A]'), m.counter('outOfRange[B]')]).toEqual([1, 0, 1]);
    expect([m.counter('missingPartitions'), m.counter('missingPartitions[A]'), m.counter('missingPartitions[B]')]).toEqual([1, 0, 1]);
    expect([m.counter('filesOpened[A]'), m.counter('filesOpened[B]'), m.counter('partitionsRead[B]')]).toEqual([3, 2, 3]);
  });
});

// ---------------------------------------------------------------------------------------------
describe('bad input and bad options', () => {
  it('a .parquet file that is not Parquet fails the job naming the file', async () => {
    const root = await warehouse({ [`t/${D}/hr=00/good.parquet`]: tenRows('00'), [`t/${D}/hr=00/bad.parquet`]: 'this is not parquet at all, just some text' });
    await expect(replay(root, {}, { fileConcurrency: 1 })).rejects.toThrow(/hr=00\/bad\.parquet.*not a Parquet file/s);
  });

  it('a row whose timestamp is null fails naming the file and the column', async () => {
    const root = await warehouse({});
    const path = `${root}/t/${D}/hr=00/nulls.parquet`;
    const { mkdir } = await import('node:fs/promises');
    await mkdir(`${root}/t/${D}/hr=00`, { recursive: true });
    await writeParquet(path, [{ when: t('00:10'), key: 'a', value: 1 }, { when: null, key: 'a', value: 1 }], { schema: { when: { type: 'timestamp', nullable: true }, key: 'string', value: 'int32' } });
    await expect(replay(root, { timestampColumn: 'when' })).rejects.toThrow(/nulls\.parquet: column "when" holds "null", not an event time/);
  });

  it('a row whose timestamp is a garbage string fails naming the file and the column', async () => {
    const root = await warehouse({});
    const { mkdir } = await import('node:fs/promises');
    await mkdir(`${root}/t/${D}/hr=00`, { recursive: true });
    await writeParquet(`${root}/t/${D}/hr=00/g.parquet`, [{ ts: 'yesterday-ish', key: 'a', value: 1 }], { schema: { ts: 'string', key: 'string', value: 'int32' } });
    await expect(replay(root)).rejects.toThrow(/g\.parquet: column "ts" holds "yesterday-ish"/);
  });

  it('ISO-string timestamps are event times', async () => {
    const root = await warehouse({});
    const { mkdir } = await import('node:fs/promises');
    await mkdir(`${root}/t/${D}/hr=00`, { recursive: true });
    await writeParquet(`${root}/t/${D}/hr=00/g.parquet`, [{ ts: '2024-01-01T00:10:00Z', key: 'a', value: 1 }], { schema: { ts: 'string', key: 'string', value: 'int32' } });
    const { obs } = await replay(root);
    expect(obs.panes()).toEqual(['[00:00,01:00) a=1 ON_TIME #0']);
  });

  const table = { table: '/tmp/none', timestampColumn: 'ts' };
  const bad: Array<[string, () => unknown, RegExp]> = [
    ['fileConcurrency 0', () => KappaReplay.read(table, { fileConcurrency: 0 }), /fileConcurrency must be a positive integer, got 0/],
    ['fileConcurrency 1.5', () => KappaReplay.read(table, { fileConcurrency: 1.5 }), /fileConcurrency must be a positive integer/],
    ['range from = to', () => KappaReplay.read(table, { range: { from: Instant.ofEpochMillis(t('01:00')), to: Instant.ofEpochMillis(t('01:00')) } }), /range.from must be before range.to/],
    ['range from > to', () => KappaReplay.read(table, { range: { from: Instant.ofEpochMillis(t('02:00')), to: Instant.ofEpochMillis(t('01:00')) } }), /range.from must be before range.to/],
    ['reserved source name', () => KappaReplay.group({ main: table }), /"main" is reserved/],
    ['no tables', () => KappaReplay.group({}), /at least one table/],
    ['no timestamp column', () => KappaReplay.read({ table: '/tmp/none', timestampColumn: '' }), /needs a timestampColumn/],
    ['negative skew', () => KappaReplay.read({ ...table, backwardSkew: -1 as never }), /backwardSkew must be a non-negative duration, got -1/],
    ['bad missing policy', () => KappaReplay.read(table, { onMissingPartition: 'skip' as never }), /onMissingPartition must be 'empty' or 'fail', got skip/],
    ['zero rows/s throttle', () => KappaReplay.read(table, { throttle: { rowsPerSecond: 0 } }), /rowsPerSecond must be a positive number, got 0/],
    ['negative bytes/s source throttle', () => KappaReplay.read({ ...table, throttle: { bytesPerSecond: -5 } }), /bytesPerSecond must be a positive number, got -5/],
  ];
  for (const [name, make, message] of bad) {
    it(`fails at construction: ${name}`, () => {
      expect(make).toThrow(PipelineConstructionError);
      expect(make).toThrow(message);
    });
  }
});
