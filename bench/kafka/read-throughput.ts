/**
 * KafkaIO.read throughput against a plain kafkajs consumer loop on the same topic (1,000,000 JSON
 * records over 2 partitions by default, `--records=N`): both decode every value and sum a field;
 * the ratio is Tributary ÷ plain. Each run pays its own connection and start (a group join for
 * the plain loop, the offsets lookup for the read); at 200,000 records that was a third of a
 * one-second run and the ratio swung between 0.48 and 0.94.
 */
import { DoFn, Duration, ParDo, Pipeline, type ProcessContext } from '../../sdk/index.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { KafkaIO, type KafkaRecord } from '../../io/kafka/index.js';
import { arg } from '../args.js';
import { benchCase, type Outcome } from '../harness.js';
import { benchBootstrap, benchKafka, isVariantProcess, startBenchBroker } from './broker.js';

const TOPIC = 'bench-read';
const RECORDS = Number(arg('records') ?? process.env.BENCH_KAFKA_RECORDS ?? 1_000_000);
// The variants run in child processes, which get the count through the environment.
process.env.BENCH_KAFKA_RECORDS = String(RECORDS);

interface Ev {
  user: string;
  speed: number;
  ts: number;
}

async function plain(): Promise<Outcome> {
  const consumer = benchKafka(benchBootstrap()).consumer({ groupId: `plain-${process.pid}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  let elements = 0;
  let checksum = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const ev = JSON.parse(m.value!.toString('utf8')) as Ev;
          checksum = (checksum + ev.speed) % 1_000_000_007;
          elements++;
        }
        if (elements >= RECORDS) resolve();
      },
    });
  });
  await consumer.disconnect();
  return { elements, checksum };
}

async function tributary(): Promise<Outcome> {
  let elements = 0;
  let checksum = 0;
  class Sum extends DoFn<KafkaRecord<Ev>, never> {
    process(r: KafkaRecord<Ev>, _ctx: ProcessContext<never>): void {
      checksum = (checksum + r.value.speed) % 1_000_000_007;
      elements++;
    }
  }
  const p = new Pipeline();
  const { records } = p.apply(KafkaIO.read<Ev>({ brokers: [benchBootstrap()], topics: [TOPIC], eventTime: { field: 'ts' }, maxOutOfOrderness: Duration.seconds(1), stopAtEnd: true }));
  records.apply(ParDo.of(new Sum()));
  await new DirectRunner().run(p).waitUntilFinish();
  return { elements, checksum };
}

async function fill(): Promise<void> {
  const kafka = benchKafka(benchBootstrap());
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const t0 = Date.UTC(2024, 0, 1);
  for (let from = 0; from < RECORDS; from += 10_000) {
    const messages = Array.from({ length: 10_000 }, (_, j) => {
      const i = from + j;
      return { partition: i % 2, value: JSON.stringify({ user: `u${i % 1000}`, speed: (i * 7) % 130, ts: t0 + i * 10 }) };
    });
    await producer.send({ topic: TOPIC, messages });
  }
  await producer.disconnect();
}

/** The broker serves both variants alike; what each main thread spends is the client's work. */
const KAFKA_CPU = { what: "the broker's process is in neither variant's cpuMs", comparable: true } as const;

if (isVariantProcess()) {
  await benchCase(import.meta.url, { name: 'kafka-read', plain, tributary, offMainThread: KAFKA_CPU });
} else {
  const broker = await startBenchBroker();
  try {
    await fill();
    await benchCase(import.meta.url, { name: 'kafka-read', plain, tributary, offMainThread: KAFKA_CPU });
  } finally {
    await broker.stop();
  }
}
