/**
 * KafkaIO.read on the portable runner (Prism, loopback workers in this process): the SDK harness
 * checkpoints a splittable read at each of its watermark steps (the runner moves watermarks
 * between bundles), refusing the next claim; the read must stop there and leave the refused
 * record and everything after it to the residual. It used to skip the rest of the fetched batch
 * and go on skipping every batch: 100 of 1,000 records came out.
 *
 * And a read gone quiet: it returns to the runner (`ProcessContinuation.resume`) once its
 * watermark moved, so windows fire without a further record; the partitions' idle state travels
 * in the residual, so a partition that went idle stays idle in the resumed read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaIO, type KafkaRecord } from '../../../io/kafka/index.js';
import { PortableRunner } from '../../../runners/portable/portable-runner.js';
import { Count, DoFn, Duration, FixedWindows, Map as MapT, ParDo, Pipeline, Window, kv, type KV, type ProcessContext } from '../../../sdk/index.js';
import { usePrism } from '../../servers/prism/prism.js';
import { idleTopicRead, waitFor } from './helpers.js';
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
  it('reads every record once when the harness checkpoints it at each watermark step, on one consumer session', { timeout: 300_000 }, async () => {
    const p = new Pipeline();
    p.apply(KafkaIO.read<{ i: number }>({ brokers: [broker.bootstrap], topics: ['steps'], startAt: 'earliest', maxOutOfOrderness: Duration.seconds(1), stopAtEnd: true, watermarkEvery: 100 }))
      .records.apply('Collect', ParDo.of(new Collect()));
    const result = new PortableRunner({ jobEndpoint: prism.current.endpoint }).run(p);
    await result.waitUntilFinish();
    expect(result.state).toBe('DONE');
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    // A step every 100 records: every call resumed where the last one stopped, on the session
    // the first call opened (each call used to join a consumer group of its own: 5 here).
    expect(result.metrics().counter('records', { namespace: 'kafka' })).toBe(N);
    expect(result.metrics().counter('sessionsStarted', { namespace: 'kafka' })).toBe(1);
  });

  it('an idle partition stops holding the watermark after its idle timeout, and stays idle across the residuals (processing time on a virtual clock)', { timeout: 300_000 }, async () => {
    const { p, out, got, clock } = await idleTopicRead(broker, 'idle');
    const panes: string[] = [];
    class Panes extends DoFn<KV<string, number>, never> {
      process(e: KV<string, number>, ctx: ProcessContext<never>): void {
        panes.push(`${e.key}=${e.value}@${ctx.timestamp}`);
      }
    }
    out.records
      .apply(MapT.of((r: KafkaRecord<{ k: string }>) => kv(r.value.k, 1)))
      .apply(Window.into(FixedWindows.of(Duration.seconds(2))))
      .apply(Count.perKey())
      .apply('Panes', ParDo.of(new Panes()));
    const result = new PortableRunner({ jobEndpoint: prism.current.endpoint }).run(p);
    const finished = result.waitUntilFinish().catch(() => undefined);
    try {
      // Only partition 0 receives records; partition 1 holds the watermark at −∞ until idle.
      await produce(broker, 'idle', [1000, 5000].map((ts) => ({ partition: 0, value: '{"k":"x"}', timestamp: String(ts) })));
      await waitFor('two records read', () => got.items.length === 2, 120_000);
      expect(panes).toEqual([]);
      // Both partitions idle: the watermark goes to where the busiest left it (5 s − 1 s), the
      // read returns with it, and [0 s, 2 s) fires with no further record.
      clock.advance(31_000);
      await waitFor('the pane of [0 s, 2 s)', () => panes.length === 1, 120_000);
      expect(panes).toEqual(['x=1@1999']);
      // Partition 0 wakes up; partition 1 is still idle in the resumed read (it used to start
      // over there, holding the watermark for another idle timeout): [4 s, 6 s) fires.
      await produce(broker, 'idle', [{ partition: 0, value: '{"k":"x"}', timestamp: '15000' }]);
      await waitFor('the pane of [4 s, 6 s)', () => panes.length === 2, 120_000);
      expect(panes).toEqual(['x=1@1999', 'x=1@5999']);
    } finally {
      await result.cancel();
      await finished;
    }
  });
});
