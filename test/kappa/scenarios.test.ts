/** KAPPA.md's worked scenarios S1, S2 and S3, with exactly their numbers. */
import { describe, expect, it } from 'vitest';
import { KappaReplay } from '../../io/kappa/index.js';
import {
  CoGroupByKey,
  Duration,
  FixedWindows,
  KeyedPCollectionTuple,
  Map as MapT,
  ParDo,
  Pipeline,
  Window,
  kv,
  type CoGbkResult,
  type KV,
  type PCollection,
} from '../../sdk/index.js';
import { Observed, ProbePanes, hourlySums, t, warehouse, type LogEntry } from './harness.js';

type Rec = Record<string, unknown>;
const D = 'dt=2024-01-01';

describe('S1: partition-ordered replay with boundary watermarks (single source)', () => {
  async function s1() {
    const root = await warehouse({
      [`clicks/${D}/hr=00/f1.parquet`]: [
        { ts: t('00:10'), key: 'a', value: 1 },
        { ts: t('00:50'), key: 'a', value: 2 },
      ],
      [`clicks/${D}/hr=00/f2.parquet`]: [{ ts: t('00:20'), key: 'b', value: 5 }],
      [`clicks/${D}/hr=01/f1.parquet`]: [{ ts: t('01:05'), key: 'a', value: 3 }],
      [`clicks/${D}/hr=01/f2.parquet`]: [
        { ts: t('01:30'), key: 'b', value: 1 },
        { ts: t('01:59:59.999'), key: 'a', value: 4 },
      ],
      [`clicks/${D}/hr=02/f1.parquet`]: [{ ts: t('02:00'), key: 'a', value: 10 }],
    });
    const obs = new Observed();
    const p = new Pipeline();
    const rows = p.apply(KappaReplay.read<Rec>({ table: `${root}/clicks`, timestampColumn: 'ts' }, { trace: (e) => obs.trace({ ...e, source: 'clicks' } as never) }));
    hourlySums(rows, obs);
    const result = await obs.run(p);
    return { obs, result };
  }

  it('emits exactly the expected on-time panes and drops nothing', async () => {
    const { obs, result } = await s1();
    expect(obs.panes()).toEqual(
      [
        '[00:00,01:00) a=3 ON_TIME #0',
        '[00:00,01:00) b=5 ON_TIME #0',
        '[01:00,02:00) a=7 ON_TIME #0',
        '[01:00,02:00) b=1 ON_TIME #0',
        '[02:00,03:00) a=10 ON_TIME #0',
      ].sort(),
    );
    expect(result.metrics().counter('droppedLate')).toBe(0);
  });

  it('moves the window input watermark to 01:00, 02:00, 03:00, +∞ in that order', async () => {
    const { obs } = await s1();
    expect(obs.watermarksAt('SumPerKey')).toEqual(['01:00', '02:00', '03:00', '+∞']);
  });

  it('fires the panes of [00:00,01:00) before any hr=01 element reaches the window operator', async () => {
    const { obs } = await s1();
    const isHr1Element = (e: LogEntry) => e.kind === 'element' && e.ts >= t('01:00') && e.ts < t('02:00');
    const firstHr1 = obs.indexOf(isHr1Element);
    const wm1 = obs.indexOf((e) => e.kind === 'executor-watermark' && e.operator.includes('SumPerKey') && e.value === t('01:00'));
    const lastPane0 = obs.lastIndexOf((e) => e.kind === 'pane' && e.window === '[00:00,01:00)');
    expect(firstHr1).toBeGreaterThan(-1);
    expect(wm1).toBeGreaterThan(-1);
    expect(wm1).toBeLessThan(firstHr1);
    expect(lastPane0).toBeLessThan(firstHr1);
  });

  it('completes each partition before opening the next', async () => {
    const { obs } = await s1();
    const seq = obs.log.filter((e) => e.kind === 'open' || e.kind === 'complete').map((e) => `${e.kind} ${(e as { partition: string }).partition}`);
    expect(seq).toEqual([
      `open ${D}/hr=00`,
      `complete ${D}/hr=00`,
      `open ${D}/hr=01`,
      `complete ${D}/hr=01`,
      `open ${D}/hr=02`,
      `complete ${D}/hr=02`,
    ]);
  });
});

describe('S2: unordered concurrent reads inside a partition lose nothing', () => {
  const permutations = (xs: string[]): string[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest])));
  const files = { f1: t('00:59'), f2: t('00:01'), f3: t('00:30') };

  for (const concurrency of [1, 2, 3]) {
    for (const order of permutations(['f1', 'f2', 'f3'])) {
      it(`fileConcurrency ${concurrency}, listing order ${order.join(',')}`, async () => {
        // Listing is sorted by path, so the names carry the order; the rows stay f1..f3's.
        const spec: Record<string, { ts: number; key: string }[]> = {};
        order.forEach((name, i) => (spec[`t/${D}/hr=00/${i}-${name}.parquet`] = [{ ts: files[name as keyof typeof files], key: 'k' }]));
        spec[`t/${D}/hr=01/f1.parquet`] = [{ ts: t('01:00'), key: 'k' }];
        const root = await warehouse(spec);
        const obs = new Observed();
        const p = new Pipeline();
        hourlySums(p.apply(KappaReplay.read<Rec>({ table: `${root}/t`, timestampColumn: 'ts' }, { fileConcurrency: concurrency })), obs);
        const result = await obs.run(p);
        expect(obs.panes()).toEqual(['[00:00,01:00) k=3 ON_TIME #0', '[01:00,02:00) k=1 ON_TIME #0']);
        expect(result.metrics().counter('droppedLate')).toBe(0);
      });
    }
  }
});

describe('S3: two-source lockstep with a windowed co-group join and an empty partition', () => {
  async function s3() {
    const I = (id: string, ts: string, ad: string) => ({ id, ts: t(ts), key: ad });
    const root = await warehouse({
      [`I/${D}/hr=00/f1.parquet`]: [I('i1', '00:05', 'ad1'), I('i2', '00:10', 'ad1')],
      [`I/${D}/hr=00/f2.parquet`]: [I('i3', '00:40', 'ad1'), I('i4', '00:45', 'ad2')],
      [`I/${D}/hr=01/f1.parquet`]: [I('i5', '01:15', 'ad1'), I('i6', '01:20', 'ad1')],
      [`I/${D}/hr=02/f1.parquet`]: [I('i7', '02:30', 'ad2'), I('i8', '02:31', 'ad2')],
      [`C/${D}/hr=00/f1.parquet`]: [I('c1', '00:12', 'ad1')],
      [`C/${D}/hr=01/f1.parquet`]: [],
      [`C/${D}/hr=02/f1.parquet`]: [I('c2', '02:35', 'ad2')],
    });
    const obs = new Observed();
    const p = new Pipeline();
    const { impressions, clicks } = p.apply(
      KappaReplay.group<{ impressions: Rec; clicks: Rec }>(
        { impressions: { table: `${root}/I`, timestampColumn: 'ts' }, clicks: { table: `${root}/C`, timestampColumn: 'ts' } },
        {
          trace: obs.trace,
          // The I reader is slow: many event-loop turns per record (a delay without a wall clock).
          afterRow: async (source) => {
            if (source === 'impressions') for (let i = 0; i < 50; i++) await new Promise<void>((r) => setImmediate(r));
          },
        },
      ),
    );
    const keyed = (pc: PCollection<Rec>, name: string) =>
      pc
        .apply(`${name}ByAd`, MapT.of((r: Rec) => kv(r['key'] as string, r['id'] as string)))
        .apply(`${name}Hourly`, Window.into<KV<string, string>>(FixedWindows.of(Duration.hours(1))));
    KeyedPCollectionTuple.of({ i: keyed(impressions, 'I'), c: keyed(clicks, 'C') })
      .apply('Join', CoGroupByKey.create())
      .apply('Counts', MapT.of((e: KV<string, CoGbkResult<{ i: string; c: string }>>) => kv(e.key, [e.value.i.length, e.value.c.length])))
      .apply('Panes', ParDo.of(new ProbePanes<number[]>(obs)));
    const result = await obs.run(p);
    return { obs, result };
  }

  it('joins to exactly the four expected rows', async () => {
    const { obs } = await s3();
    expect(obs.panes()).toEqual(
      ['[00:00,01:00) ad1=[3,1] ON_TIME #0', '[00:00,01:00) ad2=[1,0] ON_TIME #0', '[01:00,02:00) ad1=[2,0] ON_TIME #0', '[02:00,03:00) ad2=[2,1] ON_TIME #0'].sort(),
    );
  });

  it('moves the join input watermark only after both sources completed each hour', async () => {
    const { obs } = await s3();
    expect(obs.watermarksAt('Join/GroupByKey')).toEqual(['01:00', '02:00', '03:00', '+∞']);
    for (const [hour, wm] of [
      ['00', t('01:00')],
      ['01', t('02:00')],
      ['02', t('03:00')],
    ] as const) {
      const wmAt = obs.indexOf((e) => e.kind === 'executor-watermark' && e.operator.includes('Join/GroupByKey') && e.value === wm);
      for (const source of ['impressions', 'clicks']) {
        const done = obs.indexOf((e) => e.kind === 'complete' && e.source === source && e.partition === `${D}/hr=${hour}`);
        expect(done, `${source} hr=${hour}`).toBeGreaterThan(-1);
        expect(done).toBeLessThan(wmAt);
      }
    }
  });

  it('opens no partition of hour k before both sources completed hour k−1, though clicks is faster', async () => {
    const { obs } = await s3();
    for (const k of [1, 2]) {
      for (const s of ['impressions', 'clicks']) {
        const open = obs.indexOf((e) => e.kind === 'open' && e.source === s && e.partition === `${D}/hr=0${k}`);
        for (const s2 of ['impressions', 'clicks']) {
          const done = obs.indexOf((e) => e.kind === 'complete' && e.source === s2 && e.partition === `${D}/hr=0${k - 1}`);
          expect(open, `open(${s}, hr=${k}) after complete(${s2}, hr=${k - 1})`).toBeGreaterThan(done);
        }
      }
    }
  });

  it('buffers at most 5 elements (the largest |I_k| + |C_k|)', async () => {
    const { result } = await s3();
    const peak = result.metrics().gauge('peakBufferedElements');
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(5);
  });

  it('traces each source opening and completing hr=00, hr=01, hr=02 in order, with their rows counted', async () => {
    const { obs } = await s3();
    const traceOf = (source: string) =>
      obs.log.flatMap((e) => (e.kind === 'open' && e.source === source ? [`open ${e.partition}`] : e.kind === 'complete' && e.source === source ? [`complete ${e.partition} rows=${e.rows}`] : []));
    // Rows per partition, from the table above: I 4, 2, 2; C 1, 0 (the zero-row file), 1.
    expect(traceOf('impressions')).toEqual([
      `open ${D}/hr=00`,
      `complete ${D}/hr=00 rows=4`,
      `open ${D}/hr=01`,
      `complete ${D}/hr=01 rows=2`,
      `open ${D}/hr=02`,
      `complete ${D}/hr=02 rows=2`,
    ]);
    expect(traceOf('clicks')).toEqual([
      `open ${D}/hr=00`,
      `complete ${D}/hr=00 rows=1`,
      `open ${D}/hr=01`,
      `complete ${D}/hr=01 rows=0`,
      `open ${D}/hr=02`,
      `complete ${D}/hr=02 rows=1`,
    ]);
  });
});
