/**
 * The backfill → realtime handoff against a real broker (docs/kappa.md, "Going live"): a Kappa+
 * replay up to the cut T, then Kafka from T − B with records before T dropped and counted; in
 * one job, and as a backfill job ending in a checkpoint followed by a realtime job from it.
 * Both give the panes of a plain backfill of the same events; the one-job handoff also on a
 * portable runner (Prism), where the Kafka read hands its watermark over by returning to the
 * runner (`ProcessContinuation.resume`) once it moved.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KafkaIO, type KafkaRecord } from '../../../io/kafka/index.js';
import { KappaReplay } from '../../../io/kappa/index.js';
import { DirectRunner } from '../../../runners/direct/direct-runner.js';
import { PortableRunner } from '../../../runners/portable/portable-runner.js';
import { usePrism } from '../../servers/prism/prism.js';
import { Duration, Pipeline, type Instant, type PipelineResult } from '../../../sdk/index.js';
import { Observed, fmt, hourlySums, t, warehouse, type LogEntry, type Row } from '../../kappa/harness.js';
import { createTopic, produce, startTestBroker, KAFKA_START_TIMEOUT_MS, type KafkaBroker } from '../../servers/kafka/broker.js';
import { waitFor } from './helpers.js';

const T = t('03:00') as Instant;
const B = Duration.minutes(1);

/** Every event: event time, key, value, and when it reached Kafka (≤ B after its event time). */
const EVENTS: Array<{ ts: number; arrival: number; key: string; value: number }> = [
  { ts: t('00:10'), arrival: t('00:10:05'), key: 'a', value: 1 },
  { ts: t('01:20'), arrival: t('01:20:01'), key: 'b', value: 2 },
  { ts: t('02:30'), arrival: t('02:30:10'), key: 'a', value: 4 }, // before T − B in Kafka: never read
  { ts: t('02:58:30'), arrival: t('02:59:20'), key: 'a', value: 8 }, // read from Kafka, < T: dropped
  { ts: t('02:59:50'), arrival: t('03:00:20'), key: 'b', value: 16 }, // arrives after T, < T: dropped
  { ts: t('03:00:10'), arrival: t('03:00:15'), key: 'a', value: 32 }, // first live event
  { ts: t('03:20'), arrival: t('03:20:05'), key: 'b', value: 64 },
  { ts: t('03:19:30'), arrival: t('03:20:07'), key: 'b', value: 128 }, // out of order, within B
  { ts: t('03:59:59'), arrival: t('04:00:30'), key: 'a', value: 256 }, // just before 04:00, arrives after
  { ts: t('04:30'), arrival: t('04:30:01'), key: 'a', value: 512 }, // these two move both partitions'
  { ts: t('04:31'), arrival: t('04:31:01'), key: 'b', value: 1024 }, // watermarks past 04:00
];

const byHour = (events: typeof EVENTS): Record<string, Partial<Row>[]> => {
  const files: Record<string, Partial<Row>[]> = {};
  for (const e of events) {
    const hr = String(new Date(e.ts).getUTCHours()).padStart(2, '0');
    (files[`clicks/dt=2024-01-01/hr=${hr}/f.parquet`] ??= []).push({ ts: e.ts, key: e.key, value: e.value });
  }
  return files;
};

const prism = usePrism();
let broker: KafkaBroker;
// The harness removes warehouses after each test: each test writes its own.
let beforeCut: string; // warehouse of the events before T
let everything: string; // warehouse of every event (the plain backfill)
beforeEach(async () => {
  beforeCut = await warehouse(byHour(EVENTS.filter((e) => e.ts < T)));
  everything = await warehouse(byHour(EVENTS));
});
beforeAll(async () => {
  broker = await startTestBroker();
  await createTopic(broker, 'clicks', 2);
  const inArrivalOrder = [...EVENTS].sort((x, y) => x.arrival - y.arrival);
  await produce(
    broker,
    'clicks',
    inArrivalOrder.map((e, i) => ({ partition: i % 2, key: e.key, value: JSON.stringify({ ts: e.ts, key: e.key, value: e.value }), timestamp: String(e.arrival) })),
  );
}, KAFKA_START_TIMEOUT_MS);
afterAll(async () => {
  await broker?.stop();
});

/** Panes of windows that end by 04:00 (the live job never ends, so later windows stay open). */
const closedPanes = (obs: Observed) => obs.panes().filter((p) => p < '[04:00');

function handoffPipeline(obs: Observed, startOnly = false): Pipeline {
  const p = new Pipeline();
  const { elements } = p.apply(
    KafkaIO.handoff<Record<string, unknown>, Row>({
      backfill: KappaReplay.read({ table: join(beforeCut, 'clicks'), timestampColumn: 'ts' }, { range: { from: t('00:00') as Instant, to: T } }),
      kafka: { brokers: [broker.bootstrap], topics: ['clicks'], eventTime: { field: 'ts' }, maxOutOfOrderness: B, startOnly },
      cut: T,
      toElement: (r: KafkaRecord<Row>) => ({ ...r.value }),
    }),
  );
  hourlySums(elements, obs);
  return p;
}

function runner(obs: Observed, checkpointDir?: string): DirectRunner {
  return new DirectRunner({
    trace: (e) => obs.log.push({ kind: 'executor-watermark', operator: e.operator, value: e.value }),
    ...(checkpointDir ? { checkpoint: { dir: checkpointDir, intervalMs: 0 } } : {}),
  });
}

const sumWatermarks = (obs: Observed) =>
  obs.log.filter((e): e is Extract<LogEntry, { kind: 'executor-watermark' }> => e.kind === 'executor-watermark' && e.operator.includes('SumPerKey')).map((e) => e.value);

async function plainBackfill(): Promise<string[]> {
  const obs = new Observed();
  const p = new Pipeline();
  hourlySums(p.apply(KappaReplay.read({ table: join(everything, 'clicks'), timestampColumn: 'ts' })) as never, obs);
  await obs.run(p);
  return closedPanes(obs);
}

async function untilPanes(obs: Observed, result: PipelineResult, n: number): Promise<void> {
  await waitFor(`${n} closed panes`, () => closedPanes(obs).length >= n || result.state !== 'RUNNING');
}

describe('backfill → Kafka handoff', () => {
  it('in one job: the panes of a plain backfill, a monotone watermark that passes T once the backfill is done, the drops counted', async () => {
    const expected = await plainBackfill();
    // 00:00 a=1, 01:00 b=2, 02:00 a=12 and b=16, 03:00 a=288 and b=192.
    expect(expected).toEqual([
      '[00:00,01:00) a=1 ON_TIME #0',
      '[01:00,02:00) b=2 ON_TIME #0',
      '[02:00,03:00) a=12 ON_TIME #0',
      '[02:00,03:00) b=16 ON_TIME #0',
      '[03:00,04:00) a=288 ON_TIME #0',
      '[03:00,04:00) b=192 ON_TIME #0',
    ]);
    const obs = new Observed();
    const result = runner(obs).run(handoffPipeline(obs));
    await untilPanes(obs, result, expected.length);
    await result.cancel();
    expect(closedPanes(obs)).toEqual(expected);
    const ws = sumWatermarks(obs);
    expect(ws).toEqual([...ws].sort((x, y) => x - y));
    expect(ws.filter((w) => w <= T).map(fmt).at(-1)).toBe('03:00');
    expect(ws.some((w) => w > t('04:00'))).toBe(true);
    expect(result.metrics().counter('droppedBelowCut', { namespace: 'kafka' })).toBe(2);
  });

  it('in one job on a portable runner (Prism): the panes of a plain backfill (the live read hands its watermark over, then waits)', { timeout: 300_000 }, async () => {
    const expected = await plainBackfill();
    const obs = new Observed();
    const result = new PortableRunner({ jobEndpoint: prism.current.endpoint }).run(handoffPipeline(obs));
    const finished = result.waitUntilFinish().catch(() => undefined);
    try {
      await waitFor(`${expected.length} closed panes`, () => closedPanes(obs).length >= expected.length, 240_000);
    } finally {
      await result.cancel();
      await finished;
    }
    expect(closedPanes(obs)).toEqual(expected);
  });

  it('as two jobs: a backfill job that ends in a checkpoint (state, watermark T, Kafka start offsets), then a realtime job from it', async () => {
    const expected = await plainBackfill();
    const dir = await mkdtemp(join(tmpdir(), 'kafka-handoff-'));
    try {
      // Job 1: the backfill; stopped once its watermark reached T and a checkpoint followed.
      const obs1 = new Observed();
      const job1 = runner(obs1, dir).run(handoffPipeline(obs1, true));
      await waitFor('the backfill to reach the cut', () => sumWatermarks(obs1).some((w) => w >= T));
      const taken = job1.metrics().counter('checkpoints');
      await waitFor('a checkpoint after the backfill', () => job1.metrics().counter('checkpoints') > taken);
      await job1.cancel();
      expect(closedPanes(obs1)).toEqual(expected.filter((p) => p < '[03:00'));
      expect(job1.metrics().counter('records', { namespace: 'kafka' })).toBe(0);

      // Job 2: the same pipeline from the checkpoint, reading Kafka.
      const obs2 = new Observed();
      const job2 = runner(obs2, dir).run(handoffPipeline(obs2));
      await waitFor('the live panes', () => closedPanes(obs2).length >= 2 || job2.state !== 'RUNNING');
      await job2.cancel();
      expect(closedPanes(obs2)).toEqual(expected.filter((p) => p >= '[03:00'));
      expect([...closedPanes(obs1), ...closedPanes(obs2)]).toEqual(expected);
      const ws = sumWatermarks(obs2);
      expect(Math.min(...ws)).toBeGreaterThanOrEqual(T);
      expect(ws).toEqual([...ws].sort((x, y) => x - y));
      expect(job2.metrics().counter('droppedBelowCut', { namespace: 'kafka' })).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
