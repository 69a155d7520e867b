/**
 * What `KafkaIO.read` is told: brokers and topics, where to start, where each record's event
 * time comes from, how the event-time watermark trails it, how values are decoded.
 *
 * Naming: "watermark" here is always event time. Kafka's own high watermark is an *offset* (the
 * offset after the last committed record of a partition) and is called `highWatermarkOffset`.
 */
import { PipelineConstructionError, type Duration, type Instant } from '../../sdk/index.js';

/** Where a partition's read starts (for partitions present when the read starts; partitions
 *  added later are read from their beginning). */
export type KafkaStartAt =
  | 'earliest'
  | 'latest'
  /** The consumer group's committed offsets (`groupId`); partitions without one start at `otherwise`. */
  | { readonly committed: true; readonly otherwise?: 'earliest' | 'latest' }
  /** The first offset whose record timestamp is ≥ `timestamp` (Kafka's offsets-for-times). */
  | { readonly timestamp: number }
  /** Given offsets; partitions not listed start at `otherwise` (default earliest). */
  | { readonly offsets: readonly KafkaPartitionOffset[]; readonly otherwise?: 'earliest' | 'latest' };

export interface KafkaPartitionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** A record's event time: Kafka's record timestamp, a header (epoch ms as text), or a field of
 *  the decoded JSON value (epoch ms). */
export type KafkaEventTime = 'recordTimestamp' | { readonly header: string } | { readonly field: string };

export type KafkaValueFormat = 'bytes' | 'string' | 'json';

export interface KafkaClock {
  now(): number;
}

export interface KafkaReadOptions {
  readonly brokers: readonly string[];
  readonly topics: readonly string[];
  /** Default 'earliest'. */
  readonly startAt?: KafkaStartAt;
  /** The consumer group whose committed offsets `startAt: { committed }` reads, and which
   *  `KafkaIO.commitOffsets` advances. The read itself never joins it. */
  readonly groupId?: string;
  /** Default 'recordTimestamp'. */
  readonly eventTime?: KafkaEventTime;
  /** Values: raw bytes, UTF-8 text, or JSON (default). Keys are always text (or null). */
  readonly valueFormat?: KafkaValueFormat;
  /** How far each partition's watermark trails the largest event time it has seen. */
  readonly maxOutOfOrderness: Duration;
  /** A partition with no new record for this long (processing time) stops holding the
   *  watermark back, until it receives a record again. Default 10 s. */
  readonly idleTimeout?: Duration;
  /** The watermark moves after every batch fetched and, inside a batch, after this many
   *  records (default 1000), so a large batch does not jump it past several windows at once. */
  readonly watermarkEvery?: number;
  /** How often the read looks for partitions added to its topics. Default 5 s. */
  readonly partitionDiscoveryInterval?: Duration;
  /** Stop at each partition's end offset (`highWatermarkOffset`) as of the start: a bounded read. */
  readonly stopAtEnd?: boolean;
  /** The backfill → realtime cut T: records with event time < T are dropped and counted
   *  (`kafka/droppedBelowCut`); the watermark starts at T and never goes below it. Usually set
   *  by `KafkaIO.handoff`, together with `startAt: { timestamp: T − B }`. */
  readonly cut?: Instant;
  /** Resolve the start offsets and hold the watermark at `cut`, but read nothing until the job
   *  is stopped: the backfill job of a two-job handoff, whose final checkpoint then holds the
   *  Kafka start offsets for the realtime job (same pipeline, resumed from that checkpoint). */
  readonly startOnly?: boolean;
  /** Processing time for idle timeouts and lag metrics (tests pass a virtual clock). */
  readonly clock?: KafkaClock;
  /** kafkajs client id. Default 'tributary'. */
  readonly clientId?: string;
  /** Names the read in errors (default 'KafkaIO.read'). */
  readonly name?: string;
}

export const systemKafkaClock: KafkaClock = { now: () => Date.now() };

export function validateReadOptions(o: KafkaReadOptions): void {
  const where = o.name ?? 'KafkaIO.read';
  const fail = (m: string) => {
    throw new PipelineConstructionError(`${where}: ${m}`);
  };
  if (!Array.isArray(o.brokers) || o.brokers.length === 0) fail('brokers must list at least one host:port');
  if (!Array.isArray(o.topics) || o.topics.length === 0) fail('topics must list at least one topic');
  if (!(Number.isFinite(o.maxOutOfOrderness) && o.maxOutOfOrderness >= 0)) fail(`maxOutOfOrderness must be a non-negative duration, got ${String(o.maxOutOfOrderness)}`);
  for (const k of ['idleTimeout', 'partitionDiscoveryInterval'] as const) {
    const v = o[k];
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) fail(`${k} must be a positive duration, got ${String(v)}`);
  }
  const every = o.watermarkEvery;
  if (every !== undefined && !(Number.isInteger(every) && every > 0)) fail(`watermarkEvery must be a positive integer, got ${String(every)}`);
  const s = o.startAt;
  if (s !== undefined && typeof s === 'object' && 'committed' in s && !o.groupId) fail('startAt: { committed: true } needs a groupId (whose committed offsets to start from)');
  if (s !== undefined && typeof s === 'object' && 'timestamp' in s && !Number.isFinite(s.timestamp)) fail(`startAt.timestamp must be epoch milliseconds, got ${String(s.timestamp)}`);
  if (typeof s === 'string' && s !== 'earliest' && s !== 'latest') fail(`startAt must be 'earliest', 'latest', { committed: true }, { timestamp } or { offsets }, got '${s}'`);
  const f = o.valueFormat;
  if (f !== undefined && f !== 'bytes' && f !== 'string' && f !== 'json') fail(`valueFormat must be 'bytes', 'string' or 'json', got '${String(f)}'`);
  const e = o.eventTime;
  if (typeof e === 'object' && 'field' in e && (o.valueFormat ?? 'json') !== 'json') fail('eventTime: { field } reads a field of the JSON value: use valueFormat json');
  if (o.cut !== undefined && !Number.isFinite(o.cut)) fail(`cut must be an Instant, got ${String(o.cut)}`);
}
