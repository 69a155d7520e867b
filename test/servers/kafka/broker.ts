/**
 * A real Apache Kafka broker for a test file (engines/kafka.ts: KRaft, loopback, free port),
 * plus kafkajs helpers. One broker per test file: start it in `beforeAll`, stop it in `afterAll`.
 */
import { Kafka, logLevel, type Admin, type Message, type Producer } from 'kafkajs';
import { startKafkaBroker, type KafkaBroker } from '../../../engines/kafka.js';

export type { KafkaBroker };

/** Generous: a fresh machine fetches the broker's jars (about 100 MB) first. */
export const KAFKA_START_TIMEOUT_MS = 600_000;

export function startTestBroker(): Promise<KafkaBroker> {
  return startKafkaBroker({ heap: '384m' });
}

/** A client of `broker` (anything with its bootstrap address: a broker another process started too). */
export function kafkaClient(broker: Pick<KafkaBroker, 'bootstrap'>): Kafka {
  return new Kafka({ clientId: 'tributary-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
}

export async function createTopic(broker: Pick<KafkaBroker, 'bootstrap'>, topic: string, partitions: number): Promise<void> {
  const admin = kafkaClient(broker).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

export async function withAdmin<T>(broker: KafkaBroker, f: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafkaClient(broker).admin();
  await admin.connect();
  try {
    return await f(admin);
  } finally {
    await admin.disconnect();
  }
}

export async function produce(broker: KafkaBroker, topic: string, messages: Array<Message & { partition: number }>): Promise<void> {
  const producer: Producer = kafkaClient(broker).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({ topic, messages, acks: -1 });
  } finally {
    await producer.disconnect();
  }
}
