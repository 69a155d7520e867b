/**
 * KafkaIO.read on the portable runner (Prism, loopback workers in this process): the SDK harness
 * checkpoints a splittable read at each of its watermark steps (the runner moves watermarks
 * between bundles), refusing the next claim; the read must stop there and leave the refused
 * record and everything after it to the residual. It used to skip the rest of the fetched batch
 * and go on skipping every batch: 100 of 1,000 records came out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaIO, type KafkaRecord } from '../../../io/kafka/index.js';
import { PortableRunner } from '../../../runners/portable/portable-runner.js';
import { DoFn, Duration, ParDo, Pipeline, type ProcessContext } from '../../../sdk/index.js';
import { usePrism } from '../../servers/prism/prism.js';
import { createTopic, produce, startTestBroker, KAFKA_START_TIMEOUT_MS, type KafkaBroker } from '../../servers/kafka/broker.js';

const prism = usePrism();
let broker: KafkaBroker;
const N = 1000;
beforeAll(async () => {
  broker = await startTestBroker();
  await createTopic(broker, 'steps', 2);
  await produce(broker, 'steps', Array.from({ length: N }, (_, i) => ({ partition: i % 2, key: `k${i % 7}`, value: JSON.stringify({ i }), timestamp: String(1_000_000 + i * 1000) })));
}, KAFKA_START_TIMEOUT_MS);
afterAll(async () => {
  await broker?.stop();
});

const seen: number[] = [];
class Collect extends DoFn<KafkaRecord<{ i: number }>, never> {
  process(r: KafkaRecord<{ i: number }>, _ctx: ProcessContext<never>): void {
    seen.push(r.value.i);
  }
}

describe('KafkaIO.read on a portable runner', () => {
  it('reads every record once when the harness checkpoints it at each watermark step', { timeout: 300_000 }, async () => {
    const p = new Pipeline();
    p.apply(KafkaIO.read<{ i: number }>({ brokers: [broker.bootstrap], topics: ['steps'], startAt: 'earliest', maxOutOfOrderness: Duration.seconds(1), stopAtEnd: true, watermarkEvery: 100 }))
      .records.apply('Collect', ParDo.of(new Collect()));
    const result = new PortableRunner({ jobEndpoint: prism.current.endpoint }).run(p);
    await result.waitUntilFinish();
    expect(result.state).toBe('DONE');
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
  });
});
