/**
 * Turning `startAt` into an offset per partition, with the broker's help (kafkajs admin):
 * earliest/latest from the partition's low and high offsets (`highWatermarkOffset`), a timestamp
 * through offsets-for-times, committed offsets through the group's offset fetch.
 */
import type { Admin } from 'kafkajs';
import { withCoordinatorRetry } from './coordinator-retry.js';
import type { KafkaReadOptions } from './options.js';
import type { PartitionPosition } from './restriction.js';

interface PartitionOffsets {
  readonly partition: number;
  readonly low: number;
  /** Kafka's high watermark: an offset (the next one to be written), not event time. */
  readonly highWatermarkOffset: number;
}

export async function partitionOffsets(admin: Admin, topic: string): Promise<PartitionOffsets[]> {
  const rows = await admin.fetchTopicOffsets(topic);
  return rows.map((r) => ({ partition: r.partition, low: Number(r.low), highWatermarkOffset: Number(r.high) })).sort((a, b) => a.partition - b.partition);
}

export async function resolveStartPositions(admin: Admin, o: KafkaReadOptions): Promise<PartitionPosition[]> {
  const out: PartitionPosition[] = [];
  const startAt = o.startAt ?? 'earliest';
  for (const topic of o.topics) {
    const offsets = await partitionOffsets(admin, topic);
    const byTime = typeof startAt === 'object' && 'timestamp' in startAt ? await offsetsForTime(admin, topic, startAt.timestamp) : undefined;
    const committed = typeof startAt === 'object' && 'committed' in startAt ? await committedOffsets(admin, o.groupId!, topic) : undefined;
    for (const p of offsets) {
      const edge = (which: 'earliest' | 'latest' | undefined) => (which === 'latest' ? p.highWatermarkOffset : p.low);
      let next: number;
      if (startAt === 'earliest' || startAt === 'latest') next = edge(startAt);
      else if ('timestamp' in startAt) next = byTime!.get(p.partition) ?? p.highWatermarkOffset;
      else if ('committed' in startAt) next = committed!.get(p.partition) ?? edge(startAt.otherwise);
      else next = startAt.offsets.find((x) => x.topic === topic && x.partition === p.partition)?.offset ?? edge(startAt.otherwise);
      // An offset below the log start (retention deleted it) reads from the log start.
      next = Math.max(next, p.low);
      out.push({ topic, partition: p.partition, next, ...(o.stopAtEnd ? { end: Math.max(next, p.highWatermarkOffset) } : {}) });
    }
  }
  return out;
}

/** First offset per partition whose record timestamp is ≥ `time`; none (−1) = the end. */
async function offsetsForTime(admin: Admin, topic: string, time: number): Promise<Map<number, number>> {
  const rows = await admin.fetchTopicOffsetsByTimestamp(topic, time);
  const high = new Map((await partitionOffsets(admin, topic)).map((p) => [p.partition, p.highWatermarkOffset]));
  return new Map(rows.map((r) => [r.partition, Number(r.offset) < 0 ? high.get(r.partition)! : Number(r.offset)]));
}

async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<Map<number, number>> {
  const [entry] = await withCoordinatorRetry(() => admin.fetchOffsets({ groupId, topics: [topic] }));
  const out = new Map<number, number>();
  for (const p of entry?.partitions ?? []) if (Number(p.offset) >= 0) out.set(p.partition, Number(p.offset));
  return out;
}
