/**
 * One kafkajs consumer over the read's partitions, each sought to the read's position. kafkajs
 * has no manual partition assignment, so the session joins a consumer group of its own (a fresh
 * id, never committed to): as the only member it is assigned every partition. The session ends
 * on a consumer crash (restartOnFailure is off), and the read starts a new one from its own
 * positions; it is also replaced when partitions are added. Fetched batches go to `onBatch`,
 * one at a time: kafkajs fetches no more until it returns (backpressure). Reads are
 * read_committed: a batch of only transaction markers or aborted records goes to
 * `onFilteredBatch` instead (a bounded read of a transactional topic ends on a marker).
 */
import { randomUUID } from 'node:crypto';
import type { Batch, Consumer, Kafka } from 'kafkajs';
import type { PartitionPosition } from './restriction.js';

export class ConsumerSession {
  private consumer: Consumer | undefined;
  private endedWith: ((e: Error | undefined) => void) | undefined;
  /** Resolves when the session ends by itself (the consumer crashed); carries the cause. */
  readonly ended: Promise<Error | undefined>;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: readonly string[],
    private readonly positions: readonly PartitionPosition[],
    private readonly onBatch: (batch: Batch, pause: () => void) => Promise<void>,
    /** A fetched batch held only transaction markers or aborted records: kafkajs never hands it
     *  to `onBatch`, so the read learns here that it may step past `lastOffset`. */
    private readonly onFilteredBatch: (topic: string, partition: number, lastOffset: number) => void = () => undefined,
  ) {
    this.ended = new Promise((resolve) => (this.endedWith = resolve));
  }

  async start(): Promise<void> {
    const consumer = (this.consumer = this.kafka.consumer({
      groupId: `tributary-read-${randomUUID()}`,
      // Uncommitted transactional records are never read (exactly-once pipelines).
      readUncommitted: false,
      retry: { retries: 5, restartOnFailure: async () => false },
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 200,
    }));
    consumer.on(consumer.events.CRASH, (e) => this.endedWith?.((e.payload as { error: Error }).error));
    consumer.on(consumer.events.START_BATCH_PROCESS, (e) => {
      const b = e.payload as { topic: string; partition: number; batchSize: number; lastOffset: string };
      if (b.batchSize === 0) this.onFilteredBatch(b.topic, b.partition, Number(b.lastOffset));
    });
    await consumer.connect();
    for (const topic of this.topics) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch, pause }) => {
        await this.onBatch(batch, () => pause());
      },
    });
    // Seeks are applied when the partitions are assigned (kafkajs keeps them until then).
    for (const p of this.positions) {
      if (p.end !== undefined && p.next >= p.end) continue;
      consumer.seek({ topic: p.topic, partition: p.partition, offset: String(p.next) });
    }
  }

  async stop(): Promise<void> {
    const c = this.consumer;
    this.consumer = undefined;
    this.endedWith?.(undefined);
    if (c) await c.disconnect().catch(() => undefined);
  }
}
