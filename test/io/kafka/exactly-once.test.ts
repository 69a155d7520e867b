/**
 * KafkaIO.write with exactlyOnce against a real broker: a job that crashes and is resumed from
 * its checkpoint writes every record once (read back read_committed); a zombie producer with
 * the same transactional id is fenced, and its open transaction never becomes visible.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KafkaIO,
  KafkaProducerFencedError,
  KafkaSequenceGapError,
  ShardTransactions,
  transactionalIdOf,
  type KafkaRecord,
  type SequencedRecord,
} from '../../../io/kafka/index.js';
import { DirectRunner } from '../../../runners/direct/direct-runner.js';
import { Duration, ParDo, Pipeline, PipelineConstructionError } from '../../../sdk/index.js';
import { createTopic, kafkaClient, startTestBroker, KAFKA_START_TIMEOUT_MS, type KafkaBroker } from '../../servers/kafka/broker.js';
import { CrashOnce, numbers } from '../../runners/checkpoint-fixtures.js';
import { collect, Collected, runDirect } from './helpers.js';

let broker: KafkaBroker;
const work = mkdtempSync(join(tmpdir(), 'kafka-eos-'));
beforeAll(async () => {
  broker = await startTestBroker();
}, KAFKA_START_TIMEOUT_MS);
afterAll(async () => {
  await broker?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Every value in `topic`, read read_committed up to the topic's end. */
async function committedValues(topic: string): Promise<string[]> {
  const p = new Pipeline();
  const { records } = p.apply(KafkaIO.read<string>({ brokers: [broker.bootstrap], topics: [topic], valueFormat: 'string', maxOutOfOrderness: Duration.seconds(1), stopAtEnd: true }));
  const got = new Collected<KafkaRecord<string>>();
  collect(records, got);
  expect(await runDirect(p).waitUntilFinish()).toBe('DONE');
  return got.items.map((x) => x.value.value).sort();
}

describe('KafkaIO.write exactly-once', () => {
  it('a job that crashes after some transactions committed, resumed from its checkpoint, writes each record once', async () => {
    await createTopic(broker, 'eos-out', 2);
    const dir = mkdtempSync(join(work, 'crash-'));
    const build = () => {
      const p = new Pipeline();
      p.apply(numbers(6))
        .apply('Crash', ParDo.of(new CrashOnce(dir, 4)))
        .apply(KafkaIO.write<number>({ brokers: [broker.bootstrap], topic: 'eos-out', key: (n) => `k${n % 3}`, value: (n) => `n${n}`, exactlyOnce: { sinkGroupId: 'eos-crash', shards: 2 } }));
      return p;
    };
    // One checkpoint at the first chance, then none for a minute: what the first one released
    // is committed, what came after it is not, and the resumed run gets the released part again.
    const runner = () => new DirectRunner({ checkpoint: { dir: join(dir, 'cp'), intervalMs: 60_000, report: () => {} } });
    writeFileSync(join(dir, 'armed'), '');
    await expect(runner().run(build()).waitUntilFinish()).rejects.toThrow(/simulated crash/);
    const beforeResume = await committedValues('eos-out');
    expect(beforeResume.length).toBeGreaterThan(0);
    expect(beforeResume.length).toBeLessThan(6);

    const resumed = runner().run(build());
    expect(await resumed.waitUntilFinish()).toBe('DONE');
    expect(resumed.metrics().counter('recordsSkippedOnReplay', { namespace: 'kafka' })).toBe(beforeResume.length);
    expect(await committedValues('eos-out')).toEqual(['n1', 'n2', 'n3', 'n4', 'n5', 'n6']);
  });

  it('without a checkpoint directory it writes every record in transactions', async () => {
    await createTopic(broker, 'eos-plain', 1);
    const p = new Pipeline();
    p.apply(numbers(5)).apply(KafkaIO.write<number>({ brokers: [broker.bootstrap], topic: 'eos-plain', value: (n) => `n${n}`, exactlyOnce: { sinkGroupId: 'eos-plain', shards: 3 } }));
    const result = runDirect(p);
    expect(await result.waitUntilFinish()).toBe('DONE');
    expect(result.metrics().counter('recordsWritten', { namespace: 'kafka' })).toBe(5);
    expect(await committedValues('eos-plain')).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
  });

  it('a zombie producer with the same transactional id is fenced; its open transaction is never visible', async () => {
    await createTopic(broker, 'eos-fence', 1);
    const spec = { topic: 'eos-fence', sinkGroupId: 'eos-fence', shard: 0, transactionTimeout: 60_000, batchSize: 100 };
    const items = (from: number, to: number): SequencedRecord[] =>
      Array.from({ length: to - from }, (_, i) => ({ writer: 'run-1', seq: from + i, record: { key: null, value: `s${from + i}` } }));
    const clientA = kafkaClient(broker);
    const adminA = clientA.admin();
    await adminA.connect();
    const first = new ShardTransactions(clientA, adminA, spec);
    expect(await first.write(items(0, 3))).toEqual({ written: 3, skipped: 0 });

    // A zombie: a producer with the shard's transactional id, a transaction open with a record in it.
    const zombieProducer = new Kafka({ clientId: 'zombie', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer({ transactionalId: transactionalIdOf('eos-fence', 0), idempotent: true, maxInFlightRequests: 1 });
    await zombieProducer.connect();
    const zombie = await zombieProducer.transaction();
    await zombie.send({ topic: 'eos-fence', messages: [{ value: 'zombie' }] });

    // The resumed writer: opening the shard fences the zombie and aborts its transaction; it
    // skips what the first writer committed.
    const clientB = kafkaClient(broker);
    const adminB = clientB.admin();
    await adminB.connect();
    const second = new ShardTransactions(clientB, adminB, spec);
    expect(await second.write(items(0, 5))).toEqual({ written: 2, skipped: 3 });

    await expect(zombie.commit()).rejects.toThrow();
    await expect(first.write(items(3, 6))).rejects.toBeInstanceOf(KafkaProducerFencedError);
    await expect(second.write(items(9, 10))).rejects.toBeInstanceOf(KafkaSequenceGapError);
    expect(await committedValues('eos-fence')).toEqual(['s0', 's1', 's2', 's3', 's4']);

    await zombieProducer.disconnect().catch(() => undefined);
    for (const s of [first, second]) await s.close();
    await adminA.disconnect();
    await adminB.disconnect();
  });

  it('refuses a sink group id Kafka cannot take when the pipeline is built', () => {
    expect(() => KafkaIO.write({ brokers: [broker.bootstrap], topic: 't', exactlyOnce: { sinkGroupId: 'a b' } })).toThrow(PipelineConstructionError);
    expect(() => KafkaIO.write({ brokers: [broker.bootstrap], topic: 't', exactlyOnce: { sinkGroupId: 'ok', shards: 0 } })).toThrow(/shards must be an integer in 1..1000/);
  });
});
