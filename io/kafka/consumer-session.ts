/**
 * One kafkajs consumer over the read's partitions, each sought to the read's position. kafkajs
 * has no manual partition assignment, so the session joins a consumer group of its own (a fresh
 * id, never committed to): as the only member it is assigned every partition. The session ends
 * on a consumer crash (restartOnFailure is off), and the read starts a new one from its own
 * positions; it is also replaced when partitions are added. Fetched batches go to `onBatch`,
 * one at a time: kafkajs fetches no more until it returns (backpressure). Reads are
 * read_committed: a batch of only transaction markers or aborted records goes to
 * `onFilteredBatch` instead (a bounded read of a transactional topic ends on a marker).
 *
 * kafkajs fetches a partition from the last offset the read resolved, and the read resolves only
 * what it handled: a batch it stopped in (a refused claim) is fetched again from the refused
 * record. So a session can outlive the read's call: `detach` pauses every partition (a batch that
 * still arrives is left unresolved) and `attach` resumes them for the call that resumes the read,
 * exactly where the last call stopped, without a new group join (on a broker with Kafka's default
 * `group.initial.rebalance.delay.ms`, 3 s for each new group).
 */
import { randomUUID } from 'node:crypto';
import type { Batch, Consumer, Kafka } from 'kafkajs';
import type { PartitionPosition } from './restriction.js';

/** What a call of the read does with what the session fetches. */
export interface SessionHandlers {
  /** A fetched batch. `resolve(offset)` marks the batch handled up to `offset`: the partition's
   *  next fetch starts after the last offset resolved. */
  readonly onBatch: (batch: Batch, pause: () => void, resolve: (offset: string) => void) => Promise<void>;
  /** A fetched batch held only transaction markers or aborted records: kafkajs never hands it
   *  to `onBatch` (it resolves it itself), so the read learns here that it may step past `lastOffset`. */
  readonly onFilteredBatch?: (topic: string, partition: number, lastOffset: number) => void;
}

export class ConsumerSession {
  private consumer: Consumer | undefined;
  private endedWith: ((e: Error | undefined) => void) | undefined;
  /** Resolves when the session ends by itself (the consumer crashed); carries the cause. */
  readonly ended: Promise<Error | undefined>;
  private crashed = false;
  /** Absent between calls (detached): nothing is handled then. */
  private handlers: SessionHandlers | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: readonly string[],
    private readonly positions: readonly PartitionPosition[],
    handlers: SessionHandlers,
  ) {
    this.handlers = handlers;
    this.ended = new Promise((resolve) => (this.endedWith = resolve));
    void this.ended.then(() => (this.crashed = true));
  }

  /** The consumer is still running (it did not crash and was not stopped). */
  get alive(): boolean {
    return this.consumer !== undefined && !this.crashed;
  }

  /** Between calls: every partition paused, nothing handled. */
  detach(): void {
    this.handlers = undefined;
    this.consumer?.pause(this.topics.map((topic) => ({ topic })));
  }

  /** The next call: its handlers, every partition resumed from where the last call resolved. */
  attach(handlers: SessionHandlers): void {
    this.handlers = handlers;
    this.consumer?.resume(this.topics.map((topic) => ({ topic })));
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
      if (b.batchSize === 0) this.handlers?.onFilteredBatch?.(b.topic, b.partition, Number(b.lastOffset));
    });
    await consumer.connect();
    for (const topic of this.topics) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      // The read resolves what it handled; a batch it stopped in is fetched again from there.
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, pause, resolveOffset }) => {
        const h = this.handlers;
        // Fetched before `detach` paused the partition: left unresolved, fetched again later.
        if (!h) return void pause();
        await h.onBatch(batch, () => void pause(), resolveOffset);
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
    this.handlers = undefined;
    this.endedWith?.(undefined);
    if (c) await c.disconnect().catch(() => undefined);
  }
}
