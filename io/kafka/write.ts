/**
 * `KafkaIO.write(options)`: writes each element as one Kafka record (key, value, headers, and
 * optionally a partition) to a topic. At-least-once: an idempotent producer (no duplicates from
 * its own retries), records sent in batches per bundle and acknowledged by every in-sync replica
 * before the bundle completes — so a checkpoint taken after the bundle never covers a record
 * Kafka does not have. A job restored from an earlier checkpoint may write a record again.
 *
 * Exactly-once (Kafka transactions committed only once the checkpoint covering their records is
 * durable) needs the runner's requires-stable-input mechanism; see docs/io.md.
 */
import { Kafka, logLevel, type Message, type Producer } from 'kafkajs';
import { DoFn, ParDo, PipelineConstructionError, PTransform, type PCollection, type PDone } from '../../sdk/index.js';

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
}

export class KafkaWrite<T> extends PTransform<PCollection<T>, PCollection<never>> {
  constructor(private readonly options: KafkaWriteOptions<T>) {
    super('KafkaIO.write');
    if (!Array.isArray(options.brokers) || options.brokers.length === 0) throw new PipelineConstructionError('KafkaIO.write: brokers must list at least one host:port');
    if (typeof options.topic !== 'string' || options.topic.length === 0) throw new PipelineConstructionError('KafkaIO.write: topic is required');
    const b = options.batchSize;
    if (b !== undefined && !(Number.isInteger(b) && b > 0)) throw new PipelineConstructionError(`KafkaIO.write: batchSize must be a positive integer, got ${b}`);
  }

  expand(input: PCollection<T>): PCollection<never> {
    return input.apply('Write', ParDo.of(new KafkaWriteFn<T>(this.options)));
  }
}

export class KafkaWriteFn<T> extends DoFn<T, never> {
  private producer: Producer | undefined;
  private pending: Message[] = [];

  constructor(private readonly options: KafkaWriteOptions<T>) {
    super();
  }

  override async setup(): Promise<void> {
    const kafka = new Kafka({ clientId: this.options.clientId ?? 'tributary-write', brokers: [...this.options.brokers], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 200 } });
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await this.producer.connect();
  }

  async process(element: T): Promise<void> {
    const o = this.options;
    const value = o.value ? o.value(element) : JSON.stringify(element);
    const message: Message = { value: typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength) };
    if (o.key) message.key = o.key(element);
    if (o.headers) message.headers = o.headers(element);
    if (o.partition) message.partition = o.partition(element);
    this.pending.push(message);
    if (this.pending.length >= (o.batchSize ?? 500)) await this.send();
  }

  override async finishBundle(): Promise<void> {
    await this.send();
  }

  private async send(): Promise<void> {
    if (this.pending.length === 0) return;
    const messages = this.pending;
    this.pending = [];
    await this.producer!.send({ topic: this.options.topic, messages, acks: -1 });
  }

  override async teardown(): Promise<void> {
    await this.producer?.disconnect();
  }
}
