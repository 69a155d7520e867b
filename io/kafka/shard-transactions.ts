/**
 * One shard of an exactly-once Kafka sink: a transactional producer whose transactional id
 * (`<sinkGroupId>-<shard>`) is the same in every run of the job, and the shard's progress — the
 * next sequence number to write — kept in Kafka itself, as the committed offset of a consumer
 * group of its own (`<sinkGroupId>.shard-<n>`, on partition 0 of the sink topic), committed in
 * the same transaction as the records (`sendOffsets`). So a record and the progress that covers
 * it become visible together or not at all.
 *
 * Opening the shard (`InitProducerId` with that transactional id) bumps the producer epoch:
 * every older producer with the same id — the killed run's, or a zombie still running — is
 * fenced (its sends and commits are refused from then on) and its open transaction aborted.
 * Only then is the progress read, so nothing can commit behind it.
 *
 * A batch's records carry the sequence numbers the job gave them (and the id of the job run
 * that numbered them: a fresh run of a finished job numbers from zero again and is written
 * again, as a new job should be). Records below the committed next number are skipped: a
 * restored run hands the writer the same records again after a crash that came after their
 * transaction committed.
 */
import type { Admin, Kafka, Producer } from 'kafkajs';
import { TributaryError } from '../../sdk/index.js';
import { withCoordinatorRetry } from './coordinator-retry.js';
import { toMessage, type OutgoingRecord } from './write-options.js';

/** A record with its place in its shard's sequence (given by the sequencer before stable input). */
export interface SequencedRecord {
  /** The job run that numbered it (random, kept in the sequencer's checkpointed state). */
  readonly writer: string;
  readonly seq: number;
  readonly record: OutgoingRecord;
}

/** A newer producer with the same transactional id exists: this one may not write any more. */
export class KafkaProducerFencedError extends TributaryError {
  constructor(
    readonly transactionalId: string,
    cause: unknown,
  ) {
    super(
      `KafkaIO.write: the transactional producer "${transactionalId}" was fenced by a newer producer with the same id ` +
        `(a resumed or second run of this job, or another job with the same exactlyOnce.sinkGroupId). Its open transaction ` +
        `is aborted and read_committed readers see none of it. Stop this run; if two different jobs share the sinkGroupId, give each its own`,
      { cause },
    );
  }
}

/** The sequence numbers reaching the writer skip some: records were lost before the sink. */
export class KafkaSequenceGapError extends TributaryError {
  constructor(
    readonly transactionalId: string,
    readonly expected: number,
    readonly got: number,
  ) {
    super(
      `KafkaIO.write: shard "${transactionalId}" expected sequence number ${expected} next and got ${got}: the records in between ` +
        `never reached the writer. Was the job resumed from a checkpoint older than what it already wrote (a checkpoint directory copied back)? ` +
        `Resume from the newest checkpoint, or start a fresh job with a new exactlyOnce.sinkGroupId`,
    );
  }
}

export interface ShardSpec {
  readonly topic: string;
  readonly sinkGroupId: string;
  readonly shard: number;
  readonly transactionTimeout: number;
  readonly batchSize: number;
}

export const transactionalIdOf = (sinkGroupId: string, shard: number) => `${sinkGroupId}-${shard}`;
export const progressGroupOf = (sinkGroupId: string, shard: number) => `${sinkGroupId}.shard-${shard}`;

interface Progress {
  readonly writer: string;
  /** The next sequence number to write. */
  readonly next: number;
}

export class ShardTransactions {
  private producer: Producer | undefined;
  /** What Kafka holds for this shard, read once the producer fenced every older one. */
  private progress: Progress | undefined;
  readonly transactionalId: string;
  readonly progressGroup: string;

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly spec: ShardSpec,
  ) {
    this.transactionalId = transactionalIdOf(spec.sinkGroupId, spec.shard);
    this.progressGroup = progressGroupOf(spec.sinkGroupId, spec.shard);
  }

  /**
   * Writes `items` (one shard's, ascending) in one transaction together with the shard's new
   * progress; skips the ones a committed transaction already holds. Returns how many it wrote
   * and skipped.
   */
  async write(items: readonly SequencedRecord[]): Promise<{ written: number; skipped: number }> {
    try {
      return await this.transact(items);
    } catch (e) {
      // A producer that failed mid-transaction is not reused: a retry starts from InitProducerId.
      await this.close();
      this.progress = undefined;
      throw isFenced(e) ? new KafkaProducerFencedError(this.transactionalId, e) : e;
    }
  }

  private async transact(items: readonly SequencedRecord[]): Promise<{ written: number; skipped: number }> {
    if (!this.producer) {
      const producer = this.kafka.producer({
        transactionalId: this.transactionalId,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: this.spec.transactionTimeout,
        allowAutoTopicCreation: false,
      });
      await producer.connect();
      this.producer = producer;
    }
    // The first transaction initialises the producer id: older producers are fenced here.
    const txn = await this.producer.transaction();
    try {
      this.progress ??= await this.readProgress();
      const fresh = this.unwritten(items);
      if (fresh.length === 0) {
        await txn.abort();
        return { written: 0, skipped: items.length };
      }
      for (let i = 0; i < fresh.length; i += this.spec.batchSize) {
        await txn.send({ topic: this.spec.topic, messages: fresh.slice(i, i + this.spec.batchSize).map((s) => toMessage(s.record)), acks: -1 });
      }
      const last = fresh[fresh.length - 1]!;
      const next = { writer: last.writer, next: last.seq + 1 };
      // kafkajs retries a moved group coordinator here only under error names it does not use
      // itself (NOT_COORDINATOR for its NOT_COORDINATOR_FOR_GROUP), so ask again here; the
      // transaction stays open meanwhile.
      await withCoordinatorRetry(() =>
        txn.sendOffsets({
          consumerGroupId: this.progressGroup,
          // kafkajs passes `metadata` through to TxnOffsetCommit (its types omit it).
          topics: [{ topic: this.spec.topic, partitions: [{ partition: 0, offset: String(next.next), metadata: next.writer } as { partition: number; offset: string }] }],
        }),
      );
      await txn.commit();
      this.progress = next;
      return { written: fresh.length, skipped: items.length - fresh.length };
    } catch (e) {
      if (txn.isActive()) await txn.abort().catch(() => undefined);
      throw e;
    }
  }

  /** The items a committed transaction does not hold yet; refuses a gap in the numbering. */
  private unwritten(items: readonly SequencedRecord[]): SequencedRecord[] {
    const fresh: SequencedRecord[] = [];
    let expected: number | undefined;
    for (const item of items) {
      // Numbers from another job run start a sequence of their own, at zero.
      const next = expected ?? (this.progress?.writer === item.writer ? this.progress.next : 0);
      if (item.seq < next) continue;
      if (item.seq > next) throw new KafkaSequenceGapError(this.transactionalId, next, item.seq);
      fresh.push(item);
      expected = item.seq + 1;
    }
    return fresh;
  }

  private async readProgress(): Promise<Progress | undefined> {
    const topics = await withCoordinatorRetry(() => this.admin.fetchOffsets({ groupId: this.progressGroup, topics: [this.spec.topic] }));
    const p = topics.find((t) => t.topic === this.spec.topic)?.partitions.find((x) => x.partition === 0);
    const next = p ? Number(p.offset) : -1;
    if (!p || next < 0 || !p.metadata) return undefined;
    return { writer: p.metadata, next };
  }

  async close(): Promise<void> {
    const p = this.producer;
    this.producer = undefined;
    await p?.disconnect().catch(() => undefined);
  }
}

/** kafkajs reports a fenced producer as INVALID_PRODUCER_EPOCH (47) or, on newer protocol
 *  versions, PRODUCER_FENCED (90); sometimes wrapped in a retry or aggregate error. */
function isFenced(e: unknown, depth = 0): boolean {
  if (!e || typeof e !== 'object' || depth > 5) return false;
  const x = e as { type?: unknown; code?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
  if (x.type === 'INVALID_PRODUCER_EPOCH' || x.type === 'PRODUCER_FENCED' || x.code === 47 || x.code === 90) return true;
  if (Array.isArray(x.errors) && x.errors.some((c) => isFenced(c, depth + 1))) return true;
  return isFenced(x.cause, depth + 1) || isFenced(x.originalError, depth + 1);
}
