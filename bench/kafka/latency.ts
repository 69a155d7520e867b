/**
 * End-to-end latency of a windowed count read from Kafka at a fixed input rate: a producer
 * writes 2,000 records/s for 10 s (record timestamp = send time = event time); the pipeline reads
 * them (KafkaIO.read, watermark bound 100 ms), counts per user in 1-second windows. Reported,
 * as percentiles: record latency (emission from the read − event time) and pane latency (pane
 * emitted − window end: what a consumer of the results waits after a window closes).
 * One JSON line.
 */
import { Count, DoFn, Duration, FixedWindows, Map as MapT, ParDo, Pipeline, Window, kv, type IntervalWindow, type KV, type ProcessContext } from '../../sdk/index.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { KafkaIO, type KafkaRecord } from '../../io/kafka/index.js';
import { benchKafka, startBenchBroker } from './broker.js';

const TOPIC = 'bench-latency';
const RATE = 2_000;
const SECONDS = 10;

const broker = await startBenchBroker();
try {
  const kafka = benchKafka(broker.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();

  const recordLatency: number[] = [];
  const paneLatency: number[] = [];
  let panes = 0;
  class RecordProbe extends DoFn<KafkaRecord<{ user: string }>, KafkaRecord<{ user: string }>> {
    process(r: KafkaRecord<{ user: string }>, ctx: ProcessContext<KafkaRecord<{ user: string }>>): void {
      recordLatency.push(Date.now() - ctx.timestamp);
      ctx.output(r);
    }
  }
  class PaneProbe extends DoFn<KV<string, number>, never> {
    process(_: KV<string, number>, ctx: ProcessContext<never>): void {
      paneLatency.push(Date.now() - (ctx.window as IntervalWindow).end);
      panes++;
    }
  }
  const p = new Pipeline();
  const { records } = p.apply(KafkaIO.read<{ user: string }>({ brokers: [broker.bootstrap], topics: [TOPIC], startAt: 'latest', maxOutOfOrderness: Duration.millis(100), idleTimeout: Duration.seconds(1) }));
  records
    .apply('RecordProbe', ParDo.of(new RecordProbe()))
    .apply(MapT.of((r: KafkaRecord<{ user: string }>) => kv(r.value.user, 1)))
    .apply(Window.into(FixedWindows.of(Duration.seconds(1))))
    .apply(Count.perKey())
    .apply('PaneProbe', ParDo.of(new PaneProbe()));
  const job = new DirectRunner().run(p);
  // Let the read resolve 'latest' and join before producing.
  await new Promise((r) => setTimeout(r, 3000));

  const producer = kafka.producer();
  await producer.connect();
  const start = Date.now();
  let sent = 0;
  const perTick = RATE / 50;
  while (sent < RATE * SECONDS) {
    const due = start + (sent / RATE) * 1000;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const now = Date.now();
    await producer.send({ topic: TOPIC, messages: Array.from({ length: perTick }, (_, j) => ({ partition: (sent + j) % 2, value: JSON.stringify({ user: `u${(sent + j) % 20}` }), timestamp: String(now) })) });
    sent += perTick;
  }
  await producer.disconnect();
  const deadline = Date.now() + 15_000;
  while (recordLatency.length < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 2000)); // the last windows close
  await job.cancel();

  const pct = (xs: number[], q: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : NaN;
  };
  console.log(
    JSON.stringify({
      case: 'kafka-latency',
      ratePerSec: RATE,
      seconds: SECONDS,
      recordsSent: sent,
      recordsRead: recordLatency.length,
      recordLatencyMs: { p50: pct(recordLatency, 0.5), p90: pct(recordLatency, 0.9), p99: pct(recordLatency, 0.99), max: Math.max(...recordLatency) },
      panes,
      paneLatencyAfterWindowEndMs: { p50: pct(paneLatency, 0.5), p90: pct(paneLatency, 0.9), p99: pct(paneLatency, 0.99), max: Math.max(...paneLatency) },
    }),
  );
} finally {
  await broker.stop();
}
