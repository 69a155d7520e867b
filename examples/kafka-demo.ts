/**
 * The demo on Kafka (`npm start -- --realtime=kafka`): the same driving-score pipeline, going
 * live the documented way (docs/kappa.md, "Going live").
 *
 * 1. Generates (or reuses) the sample warehouse, and runs a plain backfill of every day: the
 *    reference panes.
 * 2. Starts a real Apache Kafka broker on loopback (engines/kafka.ts; jars fetched once into
 *    `.engines/`), and produces the demo's live events into topic `gps` in arrival order (record
 *    timestamp = arrival time, key = user).
 * 3. Goes live at the cut T (the start of the last day) the way operators do, as two jobs of one
 *    pipeline (`KafkaIO.handoff`): a backfill job (warehouse replayed up to T; the Kafka read only
 *    resolves its start offsets, the first at T − B per partition, B = the 30 s delay bound) that
 *    ends in a checkpoint, then a realtime job from that checkpoint reading Kafka (records before
 *    T dropped and counted). The Kafka read stops at the topic's end, so every pane fires.
 * 4. Checks that the two jobs together gave exactly the reference panes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startKafkaBroker } from '../engines/kafka.js';
import { KafkaIO, type KafkaRecord } from '../io/kafka/index.js';
import { DirectRunner } from '../runners/direct/direct-runner.js';
import { Duration, Instant, ParDo, Pipeline, transform, type MetricResults, type PBegin, type PCollection } from '../sdk/index.js';
import { parseOptions } from '../sdk/options/index.js';
import { Kafka, logLevel } from 'kafkajs';
import { DrivingScore, options, telemetryOptions, warehouseGpsSource, type DrivingScoreOptions, type GpsEvent, type SessionScore } from './driving-score.js';
import { CollectScores, comparePanes } from './lib/panes.js';
import { generateTelemetry, telemetryDefaults, writeTelemetryWarehouse } from './lib/telemetry.js';
import type { DemoOptions } from './kappa-demo.js';

const DAY = 86_400_000;

export async function kafkaDemo(d: DemoOptions, out: (line: string) => void = console.log): Promise<boolean> {
  const delay = 30_000;
  const base = { days: d.days, users: d.users, trips: d.trips, seed: d.seed, warehouse: d.warehouse, maxDelayMillis: delay, lateFraction: 0.2, backwardSkewMillis: delay, maxOutOfOrdernessMillis: delay };
  const opts = parseOptions(options, { ...base, mode: 'backfill' });
  const telemetry = telemetryOptions(opts);
  const start = telemetryDefaults.start;
  const cut = (start + (d.days - 1) * DAY) as Instant;

  out(`Kappa+ on Kafka: driving score over ${d.days} day(s), backfill up to ${new Date(cut).toISOString()}, Kafka from there`);
  await writeTelemetryWarehouse(d.warehouse, telemetry);

  out('\n[1/4] reference: a plain backfill of every day');
  const reference = await run(warehouseGpsSource(opts), opts);
  out(`  ${reference.scores.length} panes in ${reference.seconds.toFixed(2)} s`);

  out('\n[2/4] starting Apache Kafka (first run fetches its jars with mvn into .engines/)');
  const broker = await startKafkaBroker({ log: (l) => out(`  ${l}`) });
  try {
    const arrivals = generateTelemetry(telemetry).sort((a, b) => a.arrival - b.arrival || a.timestamp - b.timestamp);
    const kafka = new Kafka({ clientId: 'tributary-demo', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    // One partition: the pane check compares early firings too, and with several partitions read
    // at different speeds one can run hours ahead of the watermark (no watermark alignment yet).
    await admin.createTopics({ topics: [{ topic: 'gps', numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < arrivals.length; i += 5000) {
      const messages = arrivals.slice(i, i + 5000).map((a) => ({ key: a.value.user, value: JSON.stringify(a.value), timestamp: String(a.arrival) }));
      await producer.send({ topic: 'gps', messages, acks: -1 });
    }
    await producer.disconnect();
    out(`  broker Kafka ${broker.version} at ${broker.bootstrap}; ${arrivals.length} live events produced to topic gps (keyed by user)`);

    out(`\n[3/4] going live at T as two jobs: a backfill job ending in a checkpoint, then a realtime job from it`);
    const history = warehouseGpsSource(opts, { range: { from: start as Instant, to: cut } });
    const handoff = (startOnly: boolean) => (p: Pipeline) =>
      p.apply(
        KafkaIO.handoff<GpsEvent, GpsEvent>({
          backfill: transform('WarehouseUpToCut', (input: PBegin) => history(input.pipeline)),
          // Watermark steps of 100 records: a few minutes of a partition's event time, finer than
          // the replay's hourly steps, so early results fire as they do in the backfill.
          kafka: { brokers: [broker.bootstrap], topics: ['gps'], eventTime: { field: 'time' }, maxOutOfOrderness: Duration.millis(delay), stopAtEnd: true, watermarkEvery: 100, startOnly },
          cut,
          toElement: (r: KafkaRecord<GpsEvent>) => r.value,
        }),
      ).elements;
    const checkpointDir = await mkdtemp(join(tmpdir(), 'tributary-kafka-demo-'));
    let backfillJob: RunResult;
    let realtimeJob: RunResult;
    try {
      // The backfill job: stopped once its watermark reached T and a checkpoint followed.
      backfillJob = await run(handoff(true), opts, { checkpointDir, stopAtWatermark: cut });
      out(`  backfill job: ${backfillJob.metrics.counter('rows')} warehouse rows up to T, ${backfillJob.scores.length} panes in ${backfillJob.seconds.toFixed(2)} s; checkpoint with the Kafka start offsets in ${checkpointDir}`);
      realtimeJob = await run(handoff(false), opts, { checkpointDir });
    } finally {
      await rm(checkpointDir, { recursive: true, force: true });
    }
    const m = realtimeJob.metrics;
    out(
      `  realtime job: ${m.counter('records', { namespace: 'kafka' })} Kafka records from the checkpoint's offsets ` +
        `(${m.counter('droppedBelowCut', { namespace: 'kafka' })} dropped below the cut), ${realtimeJob.scores.length} panes in ${realtimeJob.seconds.toFixed(2)} s`,
    );
    const lag = m.distribution('eventTimeLagMs');
    if (lag) out(`  event-time lag at the read (processing time − event time; the events are from ${new Date(start).getUTCFullYear()}): mean ${(lag.mean / DAY).toFixed(0)} days`);
    const toPane = m.distribution('arrivalToPaneMs');
    if (toPane?.count) out(`  arrival-to-pane latency (a pane's emission − arrival of the newest record it reflects): mean ${toPane.mean.toFixed(1)} ms, max ${toPane.max} ms over ${toPane.count} panes`);
    const live = { scores: [...backfillJob.scores, ...realtimeJob.scores] };


    out('\n[4/4] going live at T in one job: the Kafka read starts once the backfill is done');
    const oneJob = await run(handoff(false), opts);
    out(`  one job: ${oneJob.metrics.counter('rows')} warehouse rows, ${oneJob.metrics.counter('records', { namespace: 'kafka' })} Kafka records, ${oneJob.scores.length} panes in ${oneJob.seconds.toFixed(2)} s`);

    const agree = (what: string, scores: readonly SessionScore[]): boolean => {
      const cmp = comparePanes(reference.scores, scores);
      if (cmp.equal) out(`\nbackfill and ${what} agree: ${cmp.left} panes, equal as multisets of (window, key, value, timing, index)`);
      else {
        out(`\nbackfill and ${what} DISAGREE: ${cmp.onlyLeft.length} pane(s) only in the backfill, ${cmp.onlyRight.length} only after the handoff`);
        for (const k of cmp.onlyLeft.slice(0, 10)) out(`  backfill only: ${k}`);
        for (const k of cmp.onlyRight.slice(0, 10)) out(`  handoff only: ${k}`);
      }
      return cmp.equal;
    };
    const twoJobsAgree = agree('backfill-then-Kafka', live.scores);
    const oneJobAgrees = agree('backfill-then-Kafka in one job', oneJob.scores);
    return twoJobsAgree && oneJobAgrees;
  } finally {
    await broker.stop();
  }
}

interface RunResult {
  readonly scores: SessionScore[];
  readonly metrics: MetricResults;
  readonly seconds: number;
}

/** Runs the driving score over `source`; with `stopAtWatermark`, stops the (endless) job once its
 *  watermark reached that time and a checkpoint was taken after it. */
async function run(source: (p: Pipeline) => PCollection<GpsEvent>, opts: DrivingScoreOptions, job: { checkpointDir?: string; stopAtWatermark?: Instant } = {}): Promise<RunResult> {
  const scores: SessionScore[] = [];
  const p = new Pipeline();
  source(p).apply('DrivingScore', DrivingScore.fromOptions(opts)).scores.apply('Collect', ParDo.of(new CollectScores(scores)));
  const t0 = performance.now();
  let reached = false;
  const result = new DirectRunner({
    ...(job.checkpointDir ? { checkpoint: { dir: job.checkpointDir, intervalMs: 0 } } : {}),
    // The topic is read to its end (a bounded read): ask for the latency a live read reports.
    arrivalLatency: true,
    trace: (e) => {
      if (job.stopAtWatermark !== undefined && e.operator.includes('DrivingScore') && e.value >= job.stopAtWatermark) reached = true;
    },
  }).run(p);
  if (job.stopAtWatermark !== undefined) {
    let taken = -1;
    for (;;) {
      if (result.state !== 'RUNNING') break;
      if (reached && taken < 0) taken = result.metrics().counter('checkpoints');
      if (taken >= 0 && result.metrics().counter('checkpoints') > taken) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await result.cancel();
  }
  await result.waitUntilFinish();
  return { scores, metrics: result.metrics(), seconds: (performance.now() - t0) / 1000 };
}
