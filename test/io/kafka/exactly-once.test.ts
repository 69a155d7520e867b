/**
 * KafkaIO.write with exactlyOnce against a real broker: a job that crashes and is resumed from
 * its checkpoint writes every record once (read back read_committed); a zombie producer with
 * the same transactional id is fenced, and its open transaction never becomes visible; a child
 * job killed with SIGKILL and resumed writes every record once (kill-trial.ts).
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
  type KafkaStartAt,
  type SequencedRecord,
} from '../../../io/kafka/index.js';
import { DirectRunner } from '../../../runners/direct/direct-runner.js';
import { Duration, ParDo, Pipeline, PipelineConstructionError } from '../../../sdk/index.js';
import { createTopic, kafkaClient, startTestBroker, KAFKA_START_TIMEOUT_MS, type KafkaBroker } from '../../servers/kafka/broker.js';
import { CrashOnce, numbers } from '../../runners/checkpoint-fixtures.js';
import { collect, Collected, runDirect } from './helpers.js';
import { expectedOutput, killTrial, produceTrialInput, topicValues, type TrialResult } from './kill-trial.js';

let broker: KafkaBroker;
const work = mkdtempSync(join(tmpdir(), 'kafka-eos-'));
beforeAll(async () => {
  broker = await startTestBroker();
}, KAFKA_START_TIMEOUT_MS);
afterAll(async () => {
  await broker?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Every value in `topic` as a plain read_committed consumer sees it (kill-trial.ts), sorted. */
async function committedValues(topic: string): Promise<string[]> {
  const { values } = await topicValues(broker.bootstrap, topic);
  return [...values].flatMap(([v, n]) => Array<string>(n).fill(v)).sort();
}

/** What KafkaIO.read (read_committed, bounded) reads from `topic`, sorted. */
async function readWithKafkaIO(topic: string, startAt: KafkaStartAt): Promise<string[]> {
  const p = new Pipeline();
  const { records } = p.apply(KafkaIO.read<string>({ brokers: [broker.bootstrap], topics: [topic], startAt, valueFormat: 'string', maxOutOfOrderness: Duration.seconds(1), stopAtEnd: true }));
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
    const crash = await runner().run(build()).waitUntilFinish().then(() => undefined, (e: unknown) => e);
    expect(String(crash)).toMatch(/simulated crash/);
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

  it('a bounded read_committed read ends on a topic whose tail is an aborted transaction', async () => {
    await createTopic(broker, 'eos-aborted-tail', 1);
    const producer = kafkaClient(broker).producer({ transactionalId: 'aborted-tail', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const kept = await producer.transaction();
    await kept.send({ topic: 'eos-aborted-tail', messages: [{ value: 'kept' }] });
    await kept.commit();
    const dropped = await producer.transaction();
    await dropped.send({ topic: 'eos-aborted-tail', messages: [{ value: 'aborted' }] });
    await dropped.abort();
    await producer.disconnect();
    // (Also waits until both transactions' markers are written: a bounded read ends at the last
    // stable offset as of its start.)
    expect(await committedValues('eos-aborted-tail')).toEqual(['kept']);
    expect(await readWithKafkaIO('eos-aborted-tail', 'earliest')).toEqual(['kept']);
    // Offsets: 0 kept, 1 its commit marker, 2 aborted, 3 the abort marker. From offset 2 on, the
    // only batch fetched holds nothing a read_committed reader may see: kafkajs never hands it
    // over, and the read must still step past it to reach the end.
    expect(await readWithKafkaIO('eos-aborted-tail', { offsets: [{ topic: 'eos-aborted-tail', partition: 0, offset: 2 }] })).toEqual([]);
  }, 60_000);

  it('kill -9 of a job reading Kafka and writing exactly-once, resumed from its checkpoint: every event and count once (one trial; npm run bench -- kafka-faults runs ten)', async () => {
    const events = await produceTrialInput(broker.bootstrap, 'trial-in', 3000);
    const expected = expectedOutput(events);
    // Moments after the job ended are no trial: earlier ones until one kills the running job.
    let result: TrialResult | undefined;
    for (const [i, killAfterMs] of [800, 200, 20].entries()) {
      const flags = { bootstrap: broker.bootstrap, input: 'trial-in', output: `trial-out-${i}`, sinkGroup: `trial-${i}`, checkpointDir: join(work, `trial-cp-${i}`) };
      result = await killTrial(flags, expected, killAfterMs);
      if (result.killed) break;
    }
    expect(result!.killed).toBe(true);
    expect(result!.resumed).toBe(true);
    expect({ duplicates: result!.duplicates, lost: result!.lost, examples: result!.examples }).toEqual({ duplicates: 0, lost: 0, examples: [] });
  }, 300_000);

  it('refuses a sink group id Kafka cannot take when the pipeline is built', () => {
    expect(() => KafkaIO.write({ brokers: [broker.bootstrap], topic: 't', exactlyOnce: { sinkGroupId: 'a b' } })).toThrow(PipelineConstructionError);
    expect(() => KafkaIO.write({ brokers: [broker.bootstrap], topic: 't', exactlyOnce: { sinkGroupId: 'ok', shards: 0 } })).toThrow(/shards must be an integer in 1..1000/);
  });
});
