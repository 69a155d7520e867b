/**
 * Kafka connector (imports only `sdk/`): `KafkaIO.read` (a splittable read of topics with
 * per-partition event-time watermarks, dead letters, and the backfill → realtime cut) and
 * `KafkaIO.write`. "Watermark" means event time; Kafka's high watermark is `highWatermarkOffset`.
 */
import { KafkaHandoff, type HandoffSpec } from './handoff.js';
import type { KafkaReadOptions } from './options.js';
import { KafkaRead } from './read.js';
import { KafkaWrite } from './write.js';
import type { KafkaWriteOptions } from './write-options.js';

export const KafkaIO = {
  /** Reads topics: `{ records, deadLetter }`. */
  read<V = unknown>(options: KafkaReadOptions): KafkaRead<V> {
    return new KafkaRead<V>(options);
  },
  /** Writes elements as records: at-least-once (idempotent producer), or exactly-once with
   *  `exactlyOnce: { sinkGroupId }` (transactions tied to checkpoints). */
  write<T>(options: KafkaWriteOptions<T>): KafkaWrite<T> {
    return new KafkaWrite<T>(options);
  },
  /** A backfill up to a cut, then Kafka from the cut on: `{ elements, deadLetter }`. */
  handoff<T, V = unknown>(spec: HandoffSpec<T, V>): KafkaHandoff<T, V> {
    return new KafkaHandoff<T, V>(spec);
  },
};

export { KafkaHandoff, handoffReadOptions, type HandoffSpec, type HandoffOutputs } from './handoff.js';

export { KafkaRead, type KafkaReadOutputs } from './read.js';
export { KafkaReadFn, type KafkaPositions } from './read-fn.js';
export { KafkaWrite, KafkaWriteFn } from './write.js';
export type { KafkaWriteOptions, KafkaExactlyOnce, OutgoingRecord } from './write-options.js';
export { KafkaExactlyOnceWrite } from './exactly-once-write.js';
export { ShardTransactions, KafkaProducerFencedError, KafkaSequenceGapError, transactionalIdOf, progressGroupOf, type SequencedRecord } from './shard-transactions.js';
export { CommitOffsetsFn } from './commit-offsets.js';
export type { KafkaReadOptions, KafkaStartAt, KafkaEventTime, KafkaValueFormat, KafkaClock, KafkaPartitionOffset } from './options.js';
export type { KafkaRecord, KafkaDeadLetter } from './record.js';
export { KafkaReadTracker, type KafkaReadRestriction, type PartitionPosition } from './restriction.js';
export { PartitionWatermarks } from './watermark.js';
