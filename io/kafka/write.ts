/**
 * `KafkaIO.write(options)`: writes each element as one Kafka record (key, value, headers, and
 * optionally a partition) to a topic.
 *
 * At-least-once by default: an idempotent producer (no duplicates from its own retries),
 * records sent in batches per bundle and acknowledged by every in-sync replica before the
 * bundle completes — so a checkpoint taken after the bundle never covers a record Kafka does not
 * have. A job restored from an earlier checkpoint may write a record again.
 *
 * With `exactlyOnce: { sinkGroupId }`: Kafka transactions committed only once the checkpoint
 * covering their records is durable, never a record twice (exactly-once-write.ts).
 */
import { Kafka, logLevel, type Message, type Producer } from 'kafkajs';
import { DoFn, ParDo, PTransform, type PCollection } from '../../sdk/index.js';
import { KafkaExactlyOnceWrite } from './exactly-once-write.js';
import { toMessage, toOutgoing, validateWriteOptions, type KafkaWriteOptions } from './write-options.js';

export class KafkaWrite<T> extends PTransform<PCollection<T>, PCollection<never>> {
  constructor(private readonly options: KafkaWriteOptions<T>) {
    super('KafkaIO.write');
    validateWriteOptions(options);
  }

  expand(input: PCollection<T>): PCollection<never> {
    if (this.options.exactlyOnce) return input.apply('ExactlyOnce', new KafkaExactlyOnceWrite<T>(this.options));
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
    this.pending.push(toMessage(toOutgoing(element, this.options)));
    if (this.pending.length >= (this.options.batchSize ?? 500)) await this.send();
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
