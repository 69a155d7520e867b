/** KafkaIO.read against a real broker: start positions, event time sources, dead letters. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaIO, type KafkaRecord, type KafkaStartAt } from '../../../io/kafka/index.js';
import { Duration, Pipeline } from '../../../sdk/index.js';
import { createTopic, produce, startTestBroker, withAdmin, KAFKA_START_TIMEOUT_MS, type KafkaBroker } from '../../servers/kafka/broker.js';
import { collect, Collected, runDirect } from './helpers.js';

let broker: KafkaBroker;
beforeAll(async () => {
  broker = await startTestBroker();
  // Topic "events": 2 partitions, 4 records each, record timestamps 1000·(i+1) (+100 on partition 1).
  await createTopic(broker, 'events', 2);
  for (const partition of [0, 1]) {
    await produce(
      broker,
      'events',
      [0, 1, 2, 3].map((i) => ({ partition, key: `k${partition}`, value: JSON.stringify({ n: i, at: 50_000 + i }), timestamp: String(1000 * (i + 1) + 100 * partition), headers: { 'event-time': String(70_000 + i) } })),
    );
  }
}, KAFKA_START_TIMEOUT_MS);
afterAll(async () => {
  await broker?.stop();
});

async function readAll<V>(startAt: KafkaStartAt, extra: Partial<Parameters<typeof KafkaIO.read>[0]> = {}, topic = 'events') {
  const p = new Pipeline();
  const out = p.apply(KafkaIO.read<V>({ brokers: [broker.bootstrap], topics: [topic], startAt, maxOutOfOrderness: Duration.seconds(1), stopAtEnd: true, ...extra }));
  const records = new Collected<KafkaRecord<V>>();
  const dead = new Collected<unknown>();
  collect(out.records, records);
  collect(out.deadLetter, dead, 'CollectDead');
  const result = runDirect(p);
  expect(await result.waitUntilFinish()).toBe('DONE');
  const ids = records.items.map((r) => `${r.value.partition}:${r.value.offset}`).sort();
  return { records, dead, ids, result };
}

describe('KafkaIO.read start positions (bounded by stopAtEnd)', () => {
  it('earliest: every record, keyed, decoded as JSON, timestamped with the record timestamp', async () => {
    const { records, ids } = await readAll<{ n: number }>('earliest');
    expect(ids).toEqual(['0:0', '0:1', '0:2', '0:3', '1:0', '1:1', '1:2', '1:3']);
    const first = records.items.find((r) => r.value.partition === 1 && r.value.offset === 2)!;
    expect(first.value.key).toBe('k1');
    expect(first.value.value).toEqual({ n: 2, at: 50_002 });
    expect(first.timestamp).toBe(3100);
    expect(first.value.headers['event-time']).toBe('70002');
  });

  it('latest: nothing that was there before the read started', async () => {
    const { ids } = await readAll('latest');
    expect(ids).toEqual([]);
  });

  it('an offset per partition (others at earliest)', async () => {
    const { ids } = await readAll({ offsets: [{ topic: 'events', partition: 0, offset: 3 }] });
    expect(ids).toEqual(['0:3', '1:0', '1:1', '1:2', '1:3']);
  });

  it('a timestamp: the first offset at or after it, per partition (offsets for times)', async () => {
    // Partition 0 has 1000..4000, partition 1 has 1100..4100: from 3050, 0:3 (4000) and 1:2 (3100).
    const { ids } = await readAll({ timestamp: 3050 });
    expect(ids).toEqual(['0:3', '1:2', '1:3']);
  });

  it("the group's committed offsets, and `otherwise` for partitions without one", async () => {
    await withAdmin(broker, (admin) => admin.setOffsets({ groupId: 'g-start', topic: 'events', partitions: [{ partition: 1, offset: '2' }] }));
    const { ids } = await readAll({ committed: true, otherwise: 'latest' }, { groupId: 'g-start' });
    expect(ids).toEqual(['1:2', '1:3']);
  });

  it('with a groupId, the group follows the read: its committed offsets are the read position, and a later read from them finds nothing new', async () => {
    const first = await readAll('earliest', { groupId: 'g-follow' });
    expect(first.ids).toHaveLength(8);
    const committed = await withAdmin(broker, (admin) => admin.fetchOffsets({ groupId: 'g-follow', topics: ['events'] }));
    expect(committed[0]!.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([
      [0, '4'],
      [1, '4'],
    ]);
    const again = await readAll({ committed: true }, { groupId: 'g-follow' });
    expect(again.ids).toEqual([]);
  });

  it('event time from a header or from a field of the JSON value', async () => {
    const byHeader = await readAll<{ n: number }>('earliest', { eventTime: { header: 'event-time' } });
    expect(byHeader.records.items.map((r) => r.timestamp).sort()).toEqual([70_000, 70_000, 70_001, 70_001, 70_002, 70_002, 70_003, 70_003]);
    const byField = await readAll<{ n: number }>('earliest', { eventTime: { field: 'at' } });
    expect(byField.records.items.map((r) => r.timestamp).sort()).toEqual([50_000, 50_000, 50_001, 50_001, 50_002, 50_002, 50_003, 50_003]);
  });

  it('string and bytes decoders', async () => {
    const asText = await readAll<string>('earliest', { valueFormat: 'string' });
    expect(asText.records.items.find((r) => r.value.offset === 0 && r.value.partition === 0)!.value.value).toBe('{"n":0,"at":50000}');
    const asBytes = await readAll<Uint8Array>('earliest', { valueFormat: 'bytes' });
    const v = asBytes.records.items.find((r) => r.value.offset === 0 && r.value.partition === 0)!.value.value;
    expect(v).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(v).toString()).toBe('{"n":0,"at":50000}');
  });
});

describe('KafkaIO.read dead letters', () => {
  it('sends undecodable records and records without event time to the dead-letter output, counted', async () => {
    await createTopic(broker, 'mixed', 1);
    await produce(broker, 'mixed', [
      { partition: 0, value: '{"ok":1,"ts":10}' },
      { partition: 0, value: 'not json {' },
      { partition: 0, value: Buffer.from([0xff, 0xfe, 0x00]) },
      { partition: 0, value: '{"ok":2}' },
      { partition: 0, value: '{"ok":3,"ts":30}' },
    ]);
    const { records, dead, result } = await readAll<{ ok: number }>('earliest', { eventTime: { field: 'ts' } }, 'mixed');
    expect(records.items.map((r) => r.value.value.ok)).toEqual([1, 3]);
    const letters = dead.items.map((d) => d.value as { offset: number; error: string; value: Uint8Array });
    expect(letters.map((d) => d.offset)).toEqual([1, 2, 3]);
    expect(letters[0]!.error).toMatch(/value is not JSON/);
    expect(Buffer.from(letters[2]!.value).toString()).toBe('{"ok":2}');
    expect(letters[2]!.error).toMatch(/no usable event time in field "ts"/);
    expect(result.metrics().counter('undecodable')).toBe(3);
    expect(result.metrics().counter('records')).toBe(2);
  });
});
