/** KafkaIO.write against a real broker: keyed records with headers, read back with KafkaIO.read. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaIO, type KafkaRecord } from '../../../io/kafka/index.js';
import { Create, Duration, Pipeline, PipelineConstructionError } from '../../../sdk/index.js';
import { createTopic, startTestBroker, KAFKA_START_TIMEOUT_MS, type KafkaBroker } from '../../servers/kafka/broker.js';
import { collect, Collected, runDirect } from './helpers.js';

let broker: KafkaBroker;
beforeAll(async () => {
  broker = await startTestBroker();
}, KAFKA_START_TIMEOUT_MS);
afterAll(async () => {
  await broker?.stop();
});

interface Score {
  user: string;
  score: number;
  at: number;
}

describe('KafkaIO.write', () => {
  it('writes keyed records with headers to the partitions asked for; a read gets them back', async () => {
    await createTopic(broker, 'scores', 2);
    const scores: Score[] = Array.from({ length: 20 }, (_, i) => ({ user: `u${i % 4}`, score: i, at: 1_000 + i }));
    const w = new Pipeline();
    w.apply(Create.of(scores)).apply(
      KafkaIO.write<Score>({ brokers: [broker.bootstrap], topic: 'scores', key: (s) => s.user, headers: (s) => ({ 'event-time': String(s.at) }), partition: (s) => Number(s.user.slice(1)) % 2, batchSize: 7 }),
    );
    expect(await runDirect(w).waitUntilFinish()).toBe('DONE');

    const r = new Pipeline();
    const { records } = r.apply(KafkaIO.read<Score>({ brokers: [broker.bootstrap], topics: ['scores'], eventTime: { header: 'event-time' }, maxOutOfOrderness: Duration.seconds(1), stopAtEnd: true }));
    const got = new Collected<KafkaRecord<Score>>();
    collect(records, got);
    expect(await runDirect(r).waitUntilFinish()).toBe('DONE');
    expect(got.items.map((x) => x.value.value.score).sort((a, b) => a - b)).toEqual(scores.map((s) => s.score));
    for (const { value: rec, timestamp } of got.items) {
      expect(rec.key).toBe(rec.value.user);
      expect(rec.partition).toBe(Number(rec.value.user.slice(1)) % 2);
      expect(timestamp).toBe(rec.value.at);
    }
  });

  it('refuses a write without a topic when the pipeline is built', () => {
    expect(() => KafkaIO.write({ brokers: [broker.bootstrap], topic: '' })).toThrow(PipelineConstructionError);
    expect(() => KafkaIO.write({ brokers: [broker.bootstrap], topic: '' })).toThrow(/KafkaIO.write: topic is required/);
  });
});
