/** KafkaIO.read as an endless read against a real broker: new partitions, idle partitions, a broker restart. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaIO, type KafkaRecord } from '../../../io/kafka/index.js';
import { Combine, Count, DoFn, Duration, FixedWindows, Map as MapT, ParDo, Pipeline, Window, kv, type KV, type ProcessContext } from '../../../sdk/index.js';
import { createTopic, produce, startTestBroker, withAdmin, KAFKA_START_TIMEOUT_MS, type KafkaBroker } from '../../servers/kafka/broker.js';
import { collect, Collected, idleTopicRead, runDirect, waitFor } from './helpers.js';

let broker: KafkaBroker;
beforeAll(async () => {
  broker = await startTestBroker();
}, KAFKA_START_TIMEOUT_MS);
afterAll(async () => {
  await broker?.stop();
});

const ids = (c: Collected<KafkaRecord<unknown>>) => c.items.map((r) => `${r.value.partition}:${r.value.offset}`);

describe('KafkaIO.read, endless', () => {
  it('reads a partition added while it runs, from its first record', async () => {
    await createTopic(broker, 'grow', 1);
    const p = new Pipeline();
    const out = p.apply(KafkaIO.read({ brokers: [broker.bootstrap], topics: ['grow'], maxOutOfOrderness: Duration.seconds(1), partitionDiscoveryInterval: Duration.millis(200) }));
    const got = new Collected<KafkaRecord<unknown>>();
    collect(out.records, got);
    const result = runDirect(p);
    await produce(broker, 'grow', [{ partition: 0, value: '{"a":1}' }]);
    await waitFor('the record of partition 0', () => got.items.length === 1);
    await withAdmin(broker, (admin) => admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 2 }] }));
    await produce(broker, 'grow', [{ partition: 1, value: '{"a":2}' }, { partition: 0, value: '{"a":3}' }]);
    await waitFor('three records', () => got.items.length >= 3);
    await result.cancel();
    expect(ids(got).sort()).toEqual(['0:0', '0:1', '1:0']);
  });

  it('an idle partition stops holding the watermark once its idle timeout passed (processing time on a virtual clock)', async () => {
    const { p, out, got, clock } = await idleTopicRead(broker, 'idle');
    const panes: Array<{ pane: string; clockAtFiring: number }> = [];
    class Panes extends DoFn<KV<string, number>, never> {
      process(e: KV<string, number>, ctx: ProcessContext<never>): void {
        panes.push({ pane: `${e.key}=${e.value}@${ctx.timestamp}`, clockAtFiring: clock.now() });
      }
    }
    out.records
      .apply(MapT.of((r: KafkaRecord<{ k: string }>) => kv(r.value.k, 1)))
      .apply(Window.into(FixedWindows.of(Duration.seconds(10))))
      .apply(Count.perKey())
      .apply(ParDo.of(new Panes()));
    const result = runDirect(p);
    // Only partition 0 receives records: event times 1 s .. 15 s.
    await produce(broker, 'idle', [1000, 5000, 15_000].map((ts) => ({ partition: 0, value: '{"k":"x"}', timestamp: String(ts) })));
    await waitFor('three records read', () => got.items.length === 3);
    // Give a wrong watermark (one that ignores the silent partition early) the chance to fire:
    // the read computes its watermark each time it looks at the clock, so wait for several looks.
    const looked = clock.reads;
    await waitFor('the read to compute its watermark 10 more times', () => clock.reads >= looked + 10);
    expect(panes).toEqual([]);
    clock.advance(31_000); // partition 1 idle now (and partition 0 too: the watermark stays at 15 s − 1 s)
    await waitFor('the pane of [0 s, 10 s)', () => panes.length === 1);
    await result.cancel();
    expect(panes).toEqual([{ pane: 'x=2@9999', clockAtFiring: 1_031_000 }]);
  });

  it('survives a broker restart in the middle of a read: nothing lost, nothing doubled', async () => {
    await createTopic(broker, 'restart', 2);
    const p = new Pipeline();
    const out = p.apply(KafkaIO.read({ brokers: [broker.bootstrap], topics: ['restart'], maxOutOfOrderness: Duration.seconds(1) }));
    const got = new Collected<KafkaRecord<unknown>>();
    collect(out.records, got);
    const result = runDirect(p);
    const batch = (from: number) => Array.from({ length: 50 }, (_, i) => ({ partition: (from + i) % 2, value: JSON.stringify({ n: from + i }) }));
    await produce(broker, 'restart', batch(0));
    await waitFor('the first 50 records', () => got.items.length >= 50);
    await broker.restart();
    await produce(broker, 'restart', batch(50));
    await waitFor('all 100 records', () => got.items.length >= 100);
    await produce(broker, 'restart', batch(100)); // and the read goes on as usual afterwards
    await waitFor('all 150 records', () => got.items.length >= 150);
    await result.cancel();
    const ns = got.items.map((r) => (r.value.value as { n: number }).n).sort((a, b) => a - b);
    expect(ns).toEqual(Array.from({ length: 150 }, (_, i) => i));
  }, 180_000);
});
