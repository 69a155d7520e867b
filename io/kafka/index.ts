/**
 * Kafka connector (imports only `sdk/`): `KafkaIO.read` (a splittable read of topics with
 * per-partition event-time watermarks, dead letters, and the backfill → realtime cut) and
 * `KafkaIO.write`. "Watermark" means event time; Kafka's high watermark is `highWatermarkOffset`.
 */
import type { KafkaReadOptions } from './options.js';
import { KafkaRead } from './read.js';

export const KafkaIO = {
  read<V = unknown>(options: KafkaReadOptions): KafkaRead<V> {
    return new KafkaRead<V>(options);
  },
};

export { KafkaRead, type KafkaReadOutputs } from './read.js';
export { KafkaReadFn } from './read-fn.js';
export type { KafkaReadOptions, KafkaStartAt, KafkaEventTime, KafkaValueFormat, KafkaClock, KafkaPartitionOffset } from './options.js';
export type { KafkaRecord, KafkaDeadLetter } from './record.js';
export { KafkaReadTracker, type KafkaReadRestriction, type PartitionPosition } from './restriction.js';
export { PartitionWatermarks } from './watermark.js';
