/**
 * What `KafkaIO.write` is told, and the record each element becomes. Shared by the
 * at-least-once writer (write.ts) and the exactly-once one (exactly-once-write.ts).
 */
import type { Message } from 'kafkajs';
import { PipelineConstructionError, type Duration } from '../../sdk/index.js';

export interface KafkaWriteOptions<T> {
  readonly brokers: readonly string[];
  readonly topic: string;
  /** The record key (default none). */
  readonly key?: (element: T) => string | null;
  /** The record value (default: the element as JSON). */
  readonly value?: (element: T) => string | Uint8Array;
  readonly headers?: (element: T) => Record<string, string>;
  /** A fixed partition per element (default: kafkajs's partitioner on the key). */
  readonly partition?: (element: T) => number;
  /** Records sent per request at most (default 500). */
  readonly batchSize?: number;
  readonly clientId?: string;
  /** Exactly-once delivery with Kafka transactions tied to the job's checkpoints (see
   *  exactly-once-write.ts); at-least-once (an idempotent producer) without it. */
  readonly exactlyOnce?: KafkaExactlyOnce;
}

export interface KafkaExactlyOnce {
  /**
   * Names this sink across restarts: the transactional ids (`<sinkGroupId>-<shard>`) and the
   * consumer groups that record each shard's progress (`<sinkGroupId>.shard-<n>`) derive from
   * it. Keep it when a job is resumed from its checkpoint; two jobs running at the same time
   * must not share it (the newer one fences the older).
   */
  readonly sinkGroupId: string;
  /** Parallel transactional producers (default 1). Changing it between a run and its resumption
   *  is refused by the checkpoint (the shard count is part of the pipeline). */
  readonly shards?: number;
  /** Kafka's transaction timeout (default 60 s): an open transaction of a killed job is aborted
   *  after this, or as soon as the resumed job starts, whichever is first. */
  readonly transactionTimeout?: Duration;
}

/** An element as the record it is written as (JSON-codable: it waits in checkpoints). */
export interface OutgoingRecord {
  readonly key: string | null;
  readonly value: string | Uint8Array;
  readonly headers?: Record<string, string>;
  readonly partition?: number;
}

export function validateWriteOptions<T>(o: KafkaWriteOptions<T>): void {
  const fail = (m: string) => {
    throw new PipelineConstructionError(`KafkaIO.write: ${m}`);
  };
  if (!Array.isArray(o.brokers) || o.brokers.length === 0) fail('brokers must list at least one host:port');
  if (typeof o.topic !== 'string' || o.topic.length === 0) fail('topic is required');
  const b = o.batchSize;
  if (b !== undefined && !(Number.isInteger(b) && b > 0)) fail(`batchSize must be a positive integer, got ${b}`);
  const e = o.exactlyOnce;
  if (e === undefined) return;
  if (typeof e.sinkGroupId !== 'string' || !/^[A-Za-z0-9._-]{1,200}$/.test(e.sinkGroupId)) {
    fail(`exactlyOnce.sinkGroupId must be 1–200 letters, digits, '.', '_' or '-', got ${JSON.stringify(e.sinkGroupId)}`);
  }
  if (e.shards !== undefined && !(Number.isInteger(e.shards) && e.shards > 0 && e.shards <= 1000)) fail(`exactlyOnce.shards must be an integer in 1..1000, got ${e.shards}`);
  const t = e.transactionTimeout;
  if (t !== undefined && !(Number.isFinite(t) && t >= 1000)) fail(`exactlyOnce.transactionTimeout must be at least one second, got ${String(t)}`);
}

export function toOutgoing<T>(element: T, o: KafkaWriteOptions<T>): OutgoingRecord {
  const value = o.value ? o.value(element) : JSON.stringify(element);
  return {
    key: o.key ? o.key(element) : null,
    value,
    ...(o.headers ? { headers: o.headers(element) } : {}),
    ...(o.partition ? { partition: o.partition(element) } : {}),
  };
}

export function toMessage(r: OutgoingRecord): Message {
  const v = r.value;
  const message: Message = { key: r.key, value: typeof v === 'string' ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength) };
  if (r.headers) message.headers = r.headers;
  if (r.partition !== undefined) message.partition = r.partition;
  return message;
}
