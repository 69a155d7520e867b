/**
 * End-to-end latency of the driving-score pipeline (examples/driving-score.ts: sessions, the
 * talk's early trigger on the trip's end message, accumulating panes) reading Kafka at a fixed
 * input rate. A producer plays USERS drivers at RATE messages/s for SECONDS seconds: each driver
 * sends a GPS message every USERS / RATE seconds, an `end` message after TRIP_SECONDS, then pauses
 * PAUSE_SECONDS (longer than the session gap, so the session closes) and starts the next trip.
 * Event time is the send time (the record's value field `time`).
 *
 * Reported, one JSON line:
 * - `arrivalToPaneMs`: the pipeline's own metric (`tributary/arrivalToPaneMs` of the Score
 *   step: a pane's emission less the arrival of the newest message it reflects) — count, mean,
 *   max;
 * - `endToEarlyScoreMs` percentiles: what the talk measures — from a trip's end message being
 *   sent to its EARLY score coming out of the pipeline (the end message's event time is the
 *   send time; the pane's session ends one gap after it);
 * - `sessionEndToOnTimeMs` percentiles: from the session's end (last message + gap) to its
 *   ON_TIME pane: the watermark's bound and the idle timeout show here.
 */
import { DoFn, Duration, Map as MapT, ParDo, Pipeline, type ProcessContext } from '../../sdk/index.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { KafkaIO, type KafkaRecord } from '../../io/kafka/index.js';
import { DrivingScore, type GpsEvent, type SessionScore } from '../../examples/driving-score.js';
import { benchKafka, startBenchBroker } from './broker.js';

const TOPIC = 'bench-latency';
const RATE = 1_000;
const SECONDS = 20;
const USERS = 100;
const TRIP_SECONDS = 4;
const PAUSE_SECONDS = 2;
const GAP = Duration.seconds(1);

const broker = await startBenchBroker();
try {
  const kafka = benchKafka(broker.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();

  const earlyLatency: number[] = [];
  const onTimeLatency: number[] = [];
  class Probe extends DoFn<SessionScore, never> {
    process(s: SessionScore, _ctx: ProcessContext<never>): void {
      const now = Date.now();
      if (s.timing === 'EARLY') earlyLatency.push(now - (s.sessionEnd - GAP));
      else if (s.timing === 'ON_TIME') onTimeLatency.push(now - s.sessionEnd);
    }
  }
  const p = new Pipeline();
  const { records } = p.apply(
    KafkaIO.read<GpsEvent>({ brokers: [broker.bootstrap], topics: [TOPIC], startAt: 'latest', eventTime: { field: 'time' }, maxOutOfOrderness: Duration.millis(100), idleTimeout: Duration.millis(500) }),
  );
  const scored = records
    .apply('Events', MapT.of((r: KafkaRecord<GpsEvent>) => r.value))
    .apply('DrivingScore', new DrivingScore({ speedLimit: 100, accelThreshold: 10, decelThreshold: 12, gap: GAP, allowedLateness: Duration.seconds(0) }));
  scored.scores.apply('Probe', ParDo.of(new Probe()));
  const job = new DirectRunner().run(p);
  // Let the read resolve 'latest' and join before producing.
  await new Promise((r) => setTimeout(r, 3000));

  const producer = kafka.producer();
  await producer.connect();
  const start = Date.now();
  const tick = 20; // ms between sends
  const perTick = (RATE * tick) / 1000;
  const cycle = (TRIP_SECONDS + PAUSE_SECONDS) * 1000;
  let sent = 0;
  let trips = 0;
  for (let t = 0; t < SECONDS * 1000; t += tick) {
    const due = start + t;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const now = Date.now();
    const messages = [];
    for (let j = 0; j < perTick; j++) {
      const u = (sent + j) % USERS;
      // Drivers are spread over the cycle, so trips end all the time, not all at once.
      const phase = (t + (u * cycle) / USERS) % cycle;
      if (phase >= TRIP_SECONDS * 1000) continue; // pausing
      const kind: GpsEvent['kind'] = phase + tick * (USERS / perTick) >= TRIP_SECONDS * 1000 ? 'end' : 'gps';
      if (kind === 'end') trips++;
      const e: GpsEvent = { user: `u${u}`, trip: `t${Math.floor((t + (u * cycle) / USERS) / cycle)}`, kind, time: now, lat: 0, lon: 0, speed: 50 + (u % 70) };
      messages.push({ partition: u % 2, key: e.user, value: JSON.stringify(e) });
    }
    sent += perTick;
    if (messages.length) await producer.send({ topic: TOPIC, messages });
  }
  await producer.disconnect();
  const deadline = Date.now() + 15_000;
  while (earlyLatency.length < trips && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 3000)); // the last sessions close
  await job.cancel();

  const pct = (xs: number[], q: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : NaN;
  };
  const pcts = (xs: number[]) => ({ n: xs.length, p50: pct(xs, 0.5), p90: pct(xs, 0.9), p99: pct(xs, 0.99), max: xs.length ? Math.max(...xs) : NaN });
  const m = job.metrics().distribution('arrivalToPaneMs', { step: 'DrivingScore/Score' });
  console.log(
    JSON.stringify({
      case: 'kafka-latency-driving-score',
      ratePerSec: RATE,
      seconds: SECONDS,
      users: USERS,
      tripsEnded: trips,
      arrivalToPaneMs: m ? { panes: m.count, mean: Number(m.mean.toFixed(1)), max: m.max } : null,
      endToEarlyScoreMs: pcts(earlyLatency),
      sessionEndToOnTimeMs: pcts(onTimeLatency),
    }),
  );
} finally {
  await broker.stop();
}
