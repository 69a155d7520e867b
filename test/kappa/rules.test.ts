/**
 * KAPPA.md rules beyond S1–S3, each with numbers computed by hand from the rules: mixed daily and
 * hourly sources (6), skew with and without a range (4, 7), late data (8), missing partitions (5),
 * junk files and partition order (2, 3). Throttling, progress and bad input: rules-run.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { KappaReplay, type KappaReplayOptions, type KappaTable } from '../../io/kappa/index.js';
import {
  DoFn,
  Duration,
  FixedWindows,
  Flatten,
  Instant,
  Map as MapT,
  ParDo,
  PCollectionList,
  Pipeline,
  Sum,
  Window,
  kv,
  type KV,
  type PCollection,
  type PipelineResult,
  type ProcessContext,
} from '../../sdk/index.js';
import { Observed, ProbePanes, fmt, hourlySums, t, warehouse, type LogEntry, type Row } from './harness.js';

type Rec = Record<string, unknown>;
const D = 'dt=2024-01-01';
const D2 = 'dt=2024-01-02';

const range = (from: string, to: string) => ({ from: Instant.ofEpochMillis(t(from)), to: Instant.ofEpochMillis(t(to)) });
const r = (ts: string, key = 'a', value = 1): Partial<Row> => ({ ts: t(ts), key, value });

/** One hourly table `t` replayed through KAPPA's default pipeline. */
async function replay(files: Parameters<typeof warehouse>[0], table: Partial<KappaTable> = {}, options: KappaReplayOptions = {}) {
  const root = await warehouse(files);
  const obs = new Observed();
  const p = new Pipeline();
  hourlySums(p.apply(KappaReplay.read<Rec>({ table: `${root}/t`, timestampColumn: 'ts', ...table }, { trace: obs.trace, ...options })), obs);
  const result = await obs.run(p);
  return { obs, result, root, counter: (n: string) => result.metrics().counter(n) };
}

const opens = (obs: Observed, source?: string) =>
  obs.log.filter((e): e is Extract<LogEntry, { kind: 'open' }> => e.kind === 'open' && (!source || e.source === source)).map((e) => e.partition);
const sourceWatermarks = (obs: Observed) => obs.log.filter((e): e is Extract<LogEntry, { kind: 'watermark' }> => e.kind === 'watermark').map((e) => fmt(e.value));

// ---------------------------------------------------------------------------------------------
describe('rule 4/7: forward and backward skew, with and without a range', () => {
  // hr=00 holds a forward-skewed row (01:20), hr=01 and hr=03 backward-skewed ones (00:50, 02:55).
  const files = {
    [`t/${D}/hr=00/f1.parquet`]: [r('00:10', 'a', 1), r('01:20', 'a', 2)],
    [`t/${D}/hr=01/f1.parquet`]: [r('01:10', 'a', 3), r('00:50', 'a', 4)],
    [`t/${D}/hr=02/f1.parquet`]: [r('02:05', 'a', 5)],
    [`t/${D}/hr=03/f1.parquet`]: [r('02:55', 'a', 6)],
    [`t/${D}/hr=04/f1.parquet`]: [r('04:10', 'a', 7)],
  };
  const all = ['hr=00', 'hr=01', 'hr=02', 'hr=03', 'hr=04'].map((h) => `${D}/${h}`);

  it('no range, F = B = 0: every partition and row is read; backward-skewed rows arrive late and are dropped', async () => {
    const { obs, counter } = await replay(files);
    expect(opens(obs)).toEqual(all);
    expect(obs.panes()).toEqual(['[00:00,01:00) a=1 ON_TIME #0', '[01:00,02:00) a=5 ON_TIME #0', '[02:00,03:00) a=5 ON_TIME #0', '[04:00,05:00) a=7 ON_TIME #0']);
    expect(counter('droppedLate')).toBe(2); // 00:50 at W=01:00, 02:55 at W=03:00
    expect(counter('outOfRange')).toBe(0);
    expect(obs.watermarksAt('SumPerKey')).toEqual(['01:00', '02:00', '03:00', '04:00', '05:00', '+∞']);
  });

  it('no range, B = 1h: W = E_k − 1h, so the backward-skewed rows are on time', async () => {
    const { obs, counter } = await replay(files, { backwardSkew: Duration.hours(1) });
    expect(opens(obs)).toEqual(all);
    expect(obs.panes()).toEqual(['[00:00,01:00) a=5 ON_TIME #0', '[01:00,02:00) a=5 ON_TIME #0', '[02:00,03:00) a=11 ON_TIME #0', '[04:00,05:00) a=7 ON_TIME #0']);
    expect(counter('droppedLate')).toBe(0);
    expect(sourceWatermarks(obs)).toEqual(['00:00', '01:00', '02:00', '03:00', '04:00']);
    expect(obs.watermarksAt('SumPerKey')).toEqual(['00:00', '01:00', '02:00', '03:00', '04:00', '+∞']);
  });

  it('no range, F = 1h: nothing changes (forward-skewed rows are never late), every row is emitted', async () => {
    const { obs, counter } = await replay(files, { forwardSkew: Duration.hours(1) });
    expect(opens(obs)).toEqual(all);
    expect(counter('droppedLate')).toBe(2);
    expect(counter('outOfRange')).toBe(0);
    expect(obs.panes()).toContain('[01:00,02:00) a=5 ON_TIME #0');
  });

  it('range [01:00, 03:00), F = B = 0: reads hr=01..02 only, filters 00:50, loses the forward-skewed 01:20', async () => {
    const { obs, counter } = await replay(files, {}, { range: range('01:00', '03:00') });
    expect(opens(obs)).toEqual([`${D}/hr=01`, `${D}/hr=02`]);
    expect(counter('outOfRange')).toBe(1);
    expect(obs.panes()).toEqual(['[01:00,02:00) a=3 ON_TIME #0', '[02:00,03:00) a=5 ON_TIME #0']);
    expect(obs.watermarksAt('SumPerKey')).toEqual(['02:00', '03:00', '+∞']);
    expect(counter('droppedLate')).toBe(0);
  });

  it('range [01:00, 03:00), F = 1h: reads [00:00, 03:00) and picks up the forward-skewed row', async () => {
    const { obs, counter } = await replay(files, { forwardSkew: Duration.hours(1) }, { range: range('01:00', '03:00') });
    expect(opens(obs)).toEqual([`${D}/hr=00`, `${D}/hr=01`, `${D}/hr=02`]);
    expect(counter('outOfRange')).toBe(2); // 00:10, 00:50
    expect(obs.panes()).toEqual(['[01:00,02:00) a=5 ON_TIME #0', '[02:00,03:00) a=5 ON_TIME #0']);
    expect(sourceWatermarks(obs)).toEqual(['01:00', '02:00', '03:00']);
  });

  it('range [01:00, 03:00), F = B = 1h: reads [00:00, 04:00), W = min(E_k − B, to), nothing late', async () => {
    const { obs, counter } = await replay(files, { forwardSkew: Duration.hours(1), backwardSkew: Duration.hours(1) }, { range: range('01:00', '03:00') });
    expect(opens(obs)).toEqual(all.slice(0, 4));
    expect(counter('outOfRange')).toBe(2); // 00:10, 00:50
    expect(counter('partitionsRead')).toBe(4);
    expect(obs.panes()).toEqual(['[01:00,02:00) a=5 ON_TIME #0', '[02:00,03:00) a=11 ON_TIME #0']);
    expect(counter('droppedLate')).toBe(0);
    expect(sourceWatermarks(obs)).toEqual(['00:00', '01:00', '02:00', '03:00']);
    expect(obs.watermarksAt('SumPerKey')).toEqual(['00:00', '01:00', '02:00', '03:00', '+∞']);
  });

  it('range [01:00, 03:00), B = 1h only: reads [01:00, 04:00), the last step is capped at to', async () => {
    const { obs, counter } = await replay(files, { backwardSkew: Duration.hours(1) }, { range: range('01:00', '03:00') });
    expect(opens(obs)).toEqual(all.slice(1, 4));
    expect(counter('outOfRange')).toBe(1); // 00:50
    expect(obs.panes()).toEqual(['[01:00,02:00) a=3 ON_TIME #0', '[02:00,03:00) a=11 ON_TIME #0']);
    expect(sourceWatermarks(obs)).toEqual(['01:00', '02:00', '03:00']);
  });

  it('a range whose ends fall inside partitions: partitions intersecting [from − F, to + B) are read, rows outside [from, to) counted', async () => {
    const { obs, counter } = await replay(files, {}, { range: range('00:30', '02:01') });
    expect(opens(obs)).toEqual(all.slice(0, 3));
    expect(counter('outOfRange')).toBe(2); // 00:10 and 02:05
    expect(obs.panes()).toEqual(['[01:00,02:00) a=5 ON_TIME #0']);
    expect(counter('droppedLate')).toBe(1); // 00:50, in range but reaching the window at W = 01:00
    expect(sourceWatermarks(obs)).toEqual(['01:00', '02:00', '02:01']);
  });
});

// ---------------------------------------------------------------------------------------------
class Collect<T> extends DoFn<T, T> {
  constructor(private readonly into: string[], private readonly show: (e: T, ts: number) => string) {
    super();
  }
  process(e: T, ctx: ProcessContext<T>): void {
    this.into.push(this.show(e, ctx.timestamp));
    ctx.output(e);
  }
}

describe('rule 8: late data within and beyond allowed lateness', () => {
  // 00:30 sits in hr=02 with no backward skew declared: it reaches the window at W = 02:00,
  // one hour after its window [00:00, 01:00) ended.
  const files = {
    [`t/${D}/hr=00/f1.parquet`]: [r('00:10', 'a', 1)],
    [`t/${D}/hr=01/f1.parquet`]: [r('01:10', 'a', 1)],
    [`t/${D}/hr=02/f1.parquet`]: [r('00:30', 'a', 5), r('02:10', 'a', 1)],
  };

  async function run(lateness: Duration | undefined, opts: { backwardSkew?: Duration; lateOutput?: boolean } = {}) {
    const root = await warehouse(files);
    const obs = new Observed();
    const p = new Pipeline();
    const rows = p.apply(KappaReplay.read<Rec>({ table: `${root}/t`, timestampColumn: 'ts', backwardSkew: opts.backwardSkew }, { trace: obs.trace }));
    let w = Window.into<KV<string, number>>(FixedWindows.of(Duration.hours(1)));
    if (lateness !== undefined) w = w.withAllowedLateness(lateness);
    const windowed = rows.apply('KeyBy', MapT.of((x: Rec) => kv(x['key'] as string, Number(x['value'])))).apply('Hourly', w);
    const late: string[] = [];
    let sums: PCollection<KV<string, number>>;
    if (opts.lateOutput) {
      const out = windowed.apply('SumPerKey', Sum.perKey<string>().withLateDataOutput());
      sums = out.main;
      out.late.apply('Late', ParDo.of(new Collect<KV<string, number>>(late, (e, ts) => `${fmt(ts)} ${e.key}=${e.value}`)));
    } else {
      sums = windowed.apply('SumPerKey', Sum.perKey<string>());
    }
    sums.apply('Panes', ParDo.of(new ProbePanes<number>(obs)));
    const result = await obs.run(p);
    return { obs, late, dropped: result.metrics().counter('droppedLate') };
  }

  it('default allowed lateness 0: the late row is dropped and counted', async () => {
    const { obs, dropped } = await run(undefined);
    expect(obs.panes()).toEqual(['[00:00,01:00) a=1 ON_TIME #0', '[01:00,02:00) a=1 ON_TIME #0', '[02:00,03:00) a=1 ON_TIME #0']);
    expect(dropped).toBe(1);
  });

  it('within allowed lateness (90 min > 02:00 − 01:00): a LATE pane, index 1', async () => {
    const { obs, dropped } = await run(Duration.minutes(90));
    expect(dropped).toBe(0);
    expect(obs.panes()).toEqual(['[00:00,01:00) a=1 ON_TIME #0', '[00:00,01:00) a=5 LATE #1', '[01:00,02:00) a=1 ON_TIME #0', '[02:00,03:00) a=1 ON_TIME #0']);
  });

  it('allowed lateness exactly 1h: W = 02:00 = end + lateness, so equality drops', async () => {
    const { obs, dropped } = await run(Duration.hours(1));
    expect(dropped).toBe(1);
    expect(obs.panes().filter((p) => p.includes('LATE'))).toEqual([]);
  });

  it('beyond allowed lateness (30 min): dropped, counted, and sent to the late output when configured', async () => {
    const { obs, dropped, late } = await run(Duration.minutes(30), { lateOutput: true });
    expect(dropped).toBe(1);
    expect(late).toEqual(['00:30 a=5']);
    expect(obs.panes().filter((p) => p.includes('LATE'))).toEqual([]);
  });

  it('declaring backward skew 2h instead: not late at all, one ON_TIME pane with both rows', async () => {
    const { obs, dropped } = await run(undefined, { backwardSkew: Duration.hours(2) });
    expect(dropped).toBe(0);
    expect(obs.panes()).toEqual(['[00:00,01:00) a=6 ON_TIME #0', '[01:00,02:00) a=1 ON_TIME #0', '[02:00,03:00) a=1 ON_TIME #0']);
    expect(obs.watermarksAt('SumPerKey')).toEqual(['2023-12-31T23:00:00.000Z', '00:00', '01:00', '+∞']);
  });
});

// ---------------------------------------------------------------------------------------------
describe('rule 5: missing partitions', () => {
  // hr=01 absent, hr=02 an empty directory, hr=03 a zero-row file.
  const files = {
    [`t/${D}/hr=00/f1.parquet`]: [r('00:10')],
    [`t/${D}/hr=02/`]: 'empty-dir' as const,
    [`t/${D}/hr=03/f1.parquet`]: [],
    [`t/${D}/hr=04/f1.parquet`]: [r('04:10')],
  };
  const hrs = (...h: string[]) => h.map((x) => `${D}/hr=${x}`);

  it("'empty' (default): absent, empty and zero-row partitions complete at once; only the absent one is missing", async () => {
    const { obs, counter } = await replay(files);
    const seq = obs.log.filter((e) => e.kind === 'open' || e.kind === 'complete').map((e) => `${e.kind} ${(e as { partition: string }).partition}`);
    expect(seq).toEqual(hrs('00', '01', '02', '03', '04').flatMap((p) => [`open ${p}`, `complete ${p}`]));
    const rowsOf = (h: string) => obs.log.find((e) => e.kind === 'complete' && e.partition === `${D}/hr=${h}`);
    expect(['01', '02', '03'].map((h) => (rowsOf(h) as { rows: number }).rows)).toEqual([0, 0, 0]);
    expect(counter('missingPartitions')).toBe(1);
    expect(counter('partitionsRead')).toBe(5);
    expect(counter('filesOpened')).toBe(3);
    expect(obs.watermarksAt('SumPerKey')).toEqual(['01:00', '02:00', '03:00', '04:00', '05:00', '+∞']);
    expect(obs.panes()).toEqual(['[00:00,01:00) a=1 ON_TIME #0', '[04:00,05:00) a=1 ON_TIME #0']);
  });

  it("'fail': fails before any row is emitted, listing the missing interval starts (absent directories only)", async () => {
    const root = await warehouse(files);
    const obs = new Observed();
    const p = new Pipeline();
    hourlySums(p.apply(KappaReplay.read<Rec>({ table: `${root}/t`, timestampColumn: 'ts' }, { trace: obs.trace, onMissingPartition: 'fail' })), obs);
    const err = await obs.run(p).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/1 expected partition\(s\) missing: rows 2024-01-01T01:00:00.000Z/);
    expect(err?.message).not.toMatch(/T0[234]:00/);
    expect(obs.log.filter((e) => e.kind === 'element' || e.kind === 'open' || e.kind === 'pane')).toEqual([]);
  });

  it('with a range, the expected partitions come from the range: absent ones before and after the data count', async () => {
    const { obs, counter } = await replay(files, {}, { range: range('2023-12-31 23:00', '06:00') });
    // range [2023-12-31 23:00, 06:00): hr=23 of the day before, hr=01 and hr=05 are absent
    expect(counter('missingPartitions')).toBe(3);
    expect(opens(obs)).toEqual([`dt=2023-12-31/hr=23`, ...hrs('00', '01', '02', '03', '04', '05')]);
    expect(obs.watermarksAt('SumPerKey')).toEqual(['00:00', '01:00', '02:00', '03:00', '04:00', '05:00', '06:00', '+∞']);
  });

  it("'fail' with a range lists every absent start of the range", async () => {
    const root = await warehouse(files);
    const obs = new Observed();
    const p = new Pipeline();
    hourlySums(p.apply(KappaReplay.read<Rec>({ table: `${root}/t`, timestampColumn: 'ts' }, { trace: obs.trace, onMissingPartition: 'fail', range: range('00:00', '06:00') })), obs);
    await expect(obs.run(p)).rejects.toThrow(/2 expected partition\(s\) missing: rows 2024-01-01T01:00:00.000Z \(dt=2024-01-01\/hr=01\), rows 2024-01-01T05:00:00.000Z/);
    expect(obs.log.filter((e) => e.kind === 'element' || e.kind === 'open')).toEqual([]);
  });

  it("'fail' with nothing missing runs normally", async () => {
    const { obs, counter } = await replay({ [`t/${D}/hr=00/f1.parquet`]: [r('00:10')], [`t/${D}/hr=01/`]: 'empty-dir' }, {}, { onMissingPartition: 'fail' });
    expect(counter('missingPartitions')).toBe(0);
    expect(obs.panes()).toEqual(['[00:00,01:00) a=1 ON_TIME #0']);
  });

  it('a range with no data at all fails before any row (NoPartitionsError; bad-input.test.ts has the messages)', async () => {
    await expect(replay(files, {}, { range: range('10:00', '12:00') })).rejects.toThrow(/table .* has no partition in the range \[2024-01-01T10:00:00.000Z, 2024-01-01T12:00:00.000Z\) \(2 expected, none present\)/);
  });
});

// ---------------------------------------------------------------------------------------------
describe('rule 2/3: junk files, number parsing and chronological order', () => {
  const junk = (ts: string) => [r(ts, 'junk', 100)];
  const files = {
    [`t/_SUCCESS`]: 'ok',
    [`t/README.txt`]: 'not data', // unrecognized
    [`t/_tmp/${D}/hr=03/x.parquet`]: junk('03:10'), // ignored (starts with _)
    [`t/.staging/${D}/hr=05/x.parquet`]: junk('05:10'), // ignored (starts with .)
    [`t/${D}/hr=2/f.parquet`]: [r('02:10')],
    [`t/${D}/hr=2/_SUCCESS`]: '',
    [`t/${D}/hr=2/notes.txt`]: 'n', // unrecognized: not a data file
    [`t/${D}/hr=04/_temporary/x.parquet`]: junk('04:10'), // ignored, but proves hr=04 exists
    [`t/${D}/hr=9/f1.parquet`]: [r('09:10')],
    [`t/${D}/hr=09/f2.parquet`]: [r('09:20', 'a', 2)], // hr=09 is hr=9
    [`t/${D}/hr=10/f.parquet`]: [r('10:10')],
    [`t/${D}/hr=10/.f.parquet.crc`]: 'crc',
    [`t/dt=garbage/hr=01/x.parquet`]: junk('01:10'), // unrecognized
    [`t/${D}/hr=25/x.parquet`]: junk('01:10'), // unrecognized
    [`t/${D}/daily.parquet`]: junk('01:10'), // unrecognized: not below an hour
  };

  it('ignores _ and . paths, counts other non-matching paths, merges hr=9 with hr=09, reads hr=2 … hr=10 in time order', async () => {
    const { obs, counter } = await replay(files);
    expect(obs.panes()).toEqual(['[02:00,03:00) a=1 ON_TIME #0', '[09:00,10:00) a=3 ON_TIME #0', '[10:00,11:00) a=1 ON_TIME #0']);
    expect(counter('unrecognizedPaths')).toBe(5);
    expect(counter('filesOpened')).toBe(4);
    const o = opens(obs);
    expect(o).toHaveLength(9); // hr=2 .. hr=10
    expect(o[0]).toBe(`${D}/hr=2`);
    expect(o[7]).toMatch(/^dt=2024-01-01\/hr=0?9$/);
    expect(o[8]).toBe(`${D}/hr=10`);
    expect(counter('missingPartitions')).toBe(5); // hr=03, 05, 06, 07, 08 (hr=04 exists)
    expect(obs.watermarksAt('SumPerKey')).toEqual(['03:00', '04:00', '05:00', '06:00', '07:00', '08:00', '09:00', '10:00', '11:00', '+∞']);
  });

  it('daily partitions order by date, not text: dt=2024-1-9 before dt=2024-01-10', async () => {
    const { obs } = await replay({ 't/dt=2024-01-10/f.parquet': [r('2024-01-10 05:00')], 't/dt=2024-1-9/f.parquet': [r('2024-01-09 05:00')] }, { layout: 'daily' });
    expect(opens(obs)).toEqual(['dt=2024-1-9', 'dt=2024-01-10']);
    expect(obs.panes()).toEqual(['2024-01-09T05:00:00.000Z,2024-01-09T06:00:00.000Z', '2024-01-10T05:00:00.000Z,2024-01-10T06:00:00.000Z'].map((w) => `[${w}) a=1 ON_TIME #0`));
  });
});

// ---------------------------------------------------------------------------------------------
describe('rule 6: mixed daily and hourly sources in one lockstep group', () => {
  async function mixed(options: KappaReplayOptions = {}) {
    const root = await warehouse({
      [`trips/${D}/f1.parquet`]: [r('00:30', 'a', 1), r('13:15', 'a', 2), r('23:59', 'b', 4)],
      [`trips/${D2}/f1.parquet`]: [r('2024-01-02 05:00', 'a', 8)],
      [`pings/${D}/hr=00/f.parquet`]: [r('00:05', 'a', 10)],
      [`pings/${D}/hr=23/f.parquet`]: [r('23:30', 'b', 20)],
      [`pings/${D2}/hr=01/f.parquet`]: [r('2024-01-02 01:40', 'a', 40)],
    });
    const obs = new Observed();
    const p = new Pipeline();
    const { trips, pings } = p.apply(
      KappaReplay.group<{ trips: Rec; pings: Rec }>(
        { trips: { table: `${root}/trips`, layout: 'daily', timestampColumn: 'ts' }, pings: { table: `${root}/pings`, layout: 'hourly', timestampColumn: 'ts' } },
        { trace: obs.trace, ...options },
      ),
    );
    const both = PCollectionList.of([trips, pings]).apply('Both', Flatten.pCollections<Rec>());
    hourlySums(both, obs);
    const result = await obs.run(p);
    return { obs, result };
  }
  const day2 = (e: LogEntry) => 'partition' in e && e.partition.startsWith(D2);

  it('emits the hourly sums of both sources, all on time, watermarks only at day ends', async () => {
    const { obs, result } = await mixed();
    expect(obs.panes()).toEqual(
      [
        '[00:00,01:00) a=11 ON_TIME #0',
        '[13:00,14:00) a=2 ON_TIME #0',
        '[23:00,2024-01-02T00:00:00.000Z) b=24 ON_TIME #0',
        '[2024-01-02T01:00:00.000Z,2024-01-02T02:00:00.000Z) a=40 ON_TIME #0',
        '[2024-01-02T05:00:00.000Z,2024-01-02T06:00:00.000Z) a=8 ON_TIME #0',
      ].sort(),
    );
    expect(result.metrics().counter('droppedLate')).toBe(0);
    expect(sourceWatermarks(obs)).toEqual(['2024-01-02T00:00:00.000Z', '2024-01-03T00:00:00.000Z']);
    expect(obs.watermarksAt('SumPerKey')).toEqual(['2024-01-02T00:00:00.000Z', '2024-01-03T00:00:00.000Z', '+∞']);
    // pings expects every hour from its first to its last partition: 26, of which 23 absent
    expect(result.metrics().counter('partitionsRead')).toBe(28);
    expect(result.metrics().counter('missingPartitions')).toBe(23);
  });

  it('the hourly source opens nothing of day 2 before the daily source completed day 1, and vice versa', async () => {
    const { obs } = await mixed({ fileConcurrency: 1 });
    const tripsDay1Done = obs.indexOf((e) => e.kind === 'complete' && e.source === 'trips' && e.partition === D);
    const pingsDay1Done = obs.lastIndexOf((e) => e.kind === 'complete' && e.source === 'pings' && !day2(e));
    const firstPingsDay2 = obs.indexOf((e) => e.kind === 'open' && e.source === 'pings' && day2(e));
    const tripsDay2 = obs.indexOf((e) => e.kind === 'open' && e.source === 'trips' && day2(e));
    expect(Math.min(tripsDay1Done, pingsDay1Done, firstPingsDay2, tripsDay2)).toBeGreaterThan(-1);
    expect(firstPingsDay2).toBeGreaterThan(tripsDay1Done);
    expect(tripsDay2).toBeGreaterThan(pingsDay1Done);
    // the day-1 step's watermark comes after both, and before anything of day 2 is opened
    const wm = obs.indexOf((e) => e.kind === 'watermark');
    expect(wm).toBeGreaterThan(Math.max(tripsDay1Done, pingsDay1Done));
    expect(wm).toBeLessThan(Math.min(firstPingsDay2, tripsDay2));
    // within the step the hourly source reads its 24 hours one at a time, oldest first
    const pings = obs.log.filter((e) => (e.kind === 'open' || e.kind === 'complete') && e.source === 'pings' && !day2(e)).map((e) => `${e.kind} ${(e as { partition: string }).partition}`);
    expect(pings).toEqual(Array.from({ length: 24 }, (_, h) => `${D}/hr=${String(h).padStart(2, '0')}`).flatMap((p) => [`open ${p}`, `complete ${p}`]));
  });

  it('no element of day 2 reaches the window before the day-1 watermark', async () => {
    const { obs } = await mixed();
    const wm = obs.indexOf((e) => e.kind === 'executor-watermark' && e.operator.includes('SumPerKey') && e.value === t('2024-01-02 00:00'));
    const firstDay2 = obs.indexOf((e) => e.kind === 'element' && e.ts >= t('2024-01-02 00:00'));
    expect(wm).toBeGreaterThan(-1);
    expect(firstDay2).toBeGreaterThan(wm);
  });
});

// ---------------------------------------------------------------------------------------------
describe('rule 3: files of a partition are read with fileConcurrency readers', () => {
  /** Files waiting in `beforeFile` at once, each waiting (event-loop turns, no clock) for company. */
  async function peakWaiting(fileConcurrency: number, files: number): Promise<{ peak: number; panes: string[] }> {
    const spec: Record<string, Partial<Row>[]> = {};
    for (let i = 0; i < files; i++) spec[`t/${D}/hr=00/f${i}.parquet`] = [r(`00:0${i}`)];
    spec[`t/${D}/hr=01/f.parquet`] = [r('01:00')];
    let waiting = 0;
    let peak = 0;
    const { obs } = await replay(spec, {}, {
      fileConcurrency,
      beforeFile: async () => {
        peak = Math.max(peak, ++waiting);
        for (let i = 0; i < 20 && waiting < files; i++) await new Promise<void>((res) => setImmediate(res));
        waiting--;
      },
    });
    return { peak, panes: obs.panes() };
  }

  for (const [c, files, peak] of [
    [1, 4, 1],
    [2, 4, 2],
    [3, 4, 3],
    [4, 4, 4],
    [8, 4, 4],
  ] as const) {
    it(`fileConcurrency ${c}, ${files} files: ${peak} at once`, async () => {
      const res = await peakWaiting(c, files);
      expect(res.peak).toBe(peak);
      expect(res.panes).toEqual([`[00:00,01:00) a=${files} ON_TIME #0`, '[01:00,02:00) a=1 ON_TIME #0']);
    });
  }
});

describe('rule 2/3 with a path template layout', () => {
  it('{yyyy}/{MM}/{dd}/{HH}: 2024/01/01/9 before 2024/01/01/10, junk counted', async () => {
    const { template } = await import('../../io/warehouse/layout.js');
    const { obs, counter } = await replay(
      {
        't/2024/01/01/10/f.parquet': [r('10:20')],
        't/2024/01/01/9/f.parquet': [r('09:20')],
        't/2024/01/01/x/f.parquet': [r('05:00', 'junk')],
        't/2024/01/01/9/_SUCCESS': '',
      },
      { layout: template('{yyyy}/{MM}/{dd}/{HH}') },
    );
    expect(opens(obs)).toEqual(['2024/01/01/9', '2024/01/01/10']);
    expect(counter('unrecognizedPaths')).toBe(1);
    expect(obs.panes()).toEqual(['[09:00,10:00) a=1 ON_TIME #0', '[10:00,11:00) a=1 ON_TIME #0']);
  });
});

describe('rule 5/6 in a group', () => {
  it("'fail' lists the missing partitions of every source", async () => {
    const root = await warehouse({
      [`A/${D}/hr=00/f.parquet`]: [r('00:10')],
      [`A/${D}/hr=02/f.parquet`]: [r('02:10')],
      [`B/${D}/hr=01/f.parquet`]: [r('01:10')],
    });
    const obs = new Observed();
    const p = new Pipeline();
    const { A } = p.apply(
      KappaReplay.group<{ A: Rec; B: Rec }>({ A: { table: `${root}/A`, timestampColumn: 'ts' }, B: { table: `${root}/B`, timestampColumn: 'ts' } }, { onMissingPartition: 'fail', range: range('00:00', '03:00'), trace: obs.trace }),
    );
    hourlySums(A, obs);
    await expect(obs.run(p)).rejects.toThrow(/3 expected partition\(s\) missing: A 2024-01-01T01:00:00.000Z .*B 2024-01-01T00:00:00.000Z .*B 2024-01-01T02:00:00.000Z/);
    expect(obs.log.filter((e) => e.kind === 'open')).toEqual([]);
  });

  it('daily + hourly with a range inside one day: the day is one step, W = to', async () => {
    const root = await warehouse({
      [`trips/${D}/f1.parquet`]: [r('05:30', 'a', 1), r('06:30', 'a', 2), r('17:59', 'a', 4), r('18:00', 'a', 8)],
      [`pings/${D}/hr=06/f.parquet`]: [r('06:10', 'a', 16)],
      [`pings/${D}/hr=17/f.parquet`]: [r('17:10', 'a', 32)],
    });
    const obs = new Observed();
    const p = new Pipeline();
    const { trips, pings } = p.apply(
      KappaReplay.group<{ trips: Rec; pings: Rec }>(
        { trips: { table: `${root}/trips`, layout: 'daily', timestampColumn: 'ts' }, pings: { table: `${root}/pings`, timestampColumn: 'ts' } },
        { trace: obs.trace, range: range('06:00', '18:00') },
      ),
    );
    hourlySums(PCollectionList.of([trips, pings]).apply('Both', Flatten.pCollections<Rec>()), obs);
    const result = await obs.run(p);
    expect(opens(obs, 'trips')).toEqual([D]);
    expect(opens(obs, 'pings')).toEqual(Array.from({ length: 12 }, (_, i) => `${D}/hr=${String(i + 6).padStart(2, '0')}`));
    expect(result.metrics().counter('outOfRange')).toBe(2); // 05:30 and 18:00
    expect(result.metrics().counter('missingPartitions')).toBe(10);
    expect(sourceWatermarks(obs)).toEqual(['18:00']);
    expect(obs.panes()).toEqual(['[06:00,07:00) a=18 ON_TIME #0', '[17:00,18:00) a=36 ON_TIME #0']);
  });
});

describe('rule 5 with skew margins', () => {
  it('an absent partition in the forward-skew margin [from − F, from) is not missing, under either policy', async () => {
    const files = { [`t/${D}/hr=01/f1.parquet`]: [r('01:10', 'a', 2)], [`t/${D}/hr=02/f1.parquet`]: [r('02:10', 'a', 3)] };
    for (const onMissingPartition of ['empty', 'fail'] as const) {
      const { obs, counter } = await replay(files, { forwardSkew: Duration.hours(1) }, { range: range('01:00', '03:00'), onMissingPartition });
      expect(counter('missingPartitions')).toBe(0);
      expect(obs.panes()).toEqual(['[01:00,02:00) a=2 ON_TIME #0', '[02:00,03:00) a=3 ON_TIME #0']);
    }
  });

  it('an absent partition inside the range is missing and fails the fail policy', async () => {
    const files = { [`t/${D}/hr=01/f1.parquet`]: [r('01:10', 'a', 2)] };
    await expect(replay(files, { forwardSkew: Duration.hours(1) }, { range: range('01:00', '03:00'), onMissingPartition: 'fail' })).rejects.toThrow(/1 expected partition\(s\) missing: rows 2024-01-01T02:00:00.000Z/);
  });
});
