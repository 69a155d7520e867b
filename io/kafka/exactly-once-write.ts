/**
 * `KafkaIO.write` with `exactlyOnce`: Kafka transactions tied to the job's checkpoints, the way
 * Beam's exactly-once Kafka sink is built, on requires-stable-input (the direct runner with a
 * checkpoint directory; Flink with checkpointing):
 *
 *   ToRecords        each element becomes the record it is written as, keyed by its shard (the
 *                    record key's hash, so one key's records stay in order; round robin without keys)
 *   GlobalWindow     sequence numbers count across windows
 *   Sequence         a stateful step numbers each shard's records 0, 1, 2, … (the counter and the
 *                    run's random writer id are its state, so they are in every checkpoint)
 *   WriteTransactions  requires stable input: a record arrives only once a durable checkpoint holds
 *                    it — with the number it had then — and each bundle is written per shard in
 *                    one transaction that also commits the shard's progress (shard-transactions.ts)
 *
 * After a crash the resumed run hands the writer the records of its checkpoint again, with the
 * same numbers: those a committed transaction holds are skipped, the rest written; records
 * numbered after that checkpoint were never written (the writer had not received them) and are
 * numbered again. Records become visible to read_committed readers at the checkpoint after they
 * were produced (the checkpoint interval is the commit latency).
 */
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import {
  Coders,
  DoFn,
  GlobalWindows,
  kv,
  Metrics,
  ParDo,
  PTransform,
  StateSpecs,
  StatefulDoFn,
  Window,
  type KV,
  type PCollection,
  type ProcessContext,
  type StatefulProcessContext,
} from '../../sdk/index.js';
import { ShardTransactions, type SequencedRecord } from './shard-transactions.js';
import { toOutgoing, type KafkaWriteOptions, type OutgoingRecord } from './write-options.js';

const DEFAULT_TRANSACTION_TIMEOUT = 60_000;

export class KafkaExactlyOnceWrite<T> extends PTransform<PCollection<T>, PCollection<never>> {
  constructor(private readonly options: KafkaWriteOptions<T>) {
    super('KafkaIO.write');
  }

  expand(input: PCollection<T>): PCollection<never> {
    return input
      .apply('ToRecords', ParDo.of(new ToShardedRecordFn<T>(this.options)))
      .apply('GlobalWindow', Window.into<KV<number, OutgoingRecord>>(GlobalWindows.of()))
      .apply('Sequence', ParDo.of(new SequenceFn()))
      .apply('WriteTransactions', ParDo.of(new TransactionalWriteFn(this.options)));
  }
}

class ToShardedRecordFn<T> extends DoFn<T, KV<number, OutgoingRecord>> {
  private roundRobin = 0;
  private readonly shards: number;
  constructor(private readonly options: KafkaWriteOptions<T>) {
    super();
    this.shards = options.exactlyOnce?.shards ?? 1;
  }
  process(element: T, ctx: ProcessContext<KV<number, OutgoingRecord>>): void {
    const record = toOutgoing(element, this.options);
    const shard = record.key === null ? this.roundRobin++ % this.shards : hash(record.key) % this.shards;
    ctx.output(kv(shard, record));
  }
}

/** FNV-1a over UTF-16 code units: stable across runs and processes. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const sequenceState = { counter: StateSpecs.value(Coders.json<{ writer: string; next: number }>()) };
type SequenceState = typeof sequenceState;

export class SequenceFn extends StatefulDoFn<number, OutgoingRecord, KV<number, SequencedRecord>, SequenceState> {
  constructor() {
    super({ state: sequenceState });
  }
  process(e: KV<number, OutgoingRecord>, ctx: StatefulProcessContext<number, KV<number, SequencedRecord>, SequenceState>): void {
    const c = ctx.state.counter.read() ?? { writer: randomBytes(6).toString('hex'), next: 0 };
    ctx.output(kv(e.key, { writer: c.writer, seq: c.next, record: e.value }));
    ctx.state.counter.write({ writer: c.writer, next: c.next + 1 });
  }
}

/** Stateful (keyed by shard) so that a distributed runner gives each shard to one worker. */
export class TransactionalWriteFn<T> extends StatefulDoFn<number, SequencedRecord, never> {
  /** Act only on records a durable checkpoint holds (requires-stable-input). */
  readonly requiresStableInput = true;
  private readonly transactions = Metrics.counter('kafka', 'transactionsCommitted');
  private readonly written = Metrics.counter('kafka', 'recordsWritten');
  private readonly skipped = Metrics.counter('kafka', 'recordsSkippedOnReplay');
  private kafka: Kafka | undefined;
  private admin: Admin | undefined;
  private readonly shards = new Map<number, ShardTransactions>();
  private pending = new Map<number, SequencedRecord[]>();

  constructor(private readonly options: KafkaWriteOptions<T>) {
    super({});
  }

  override async setup(): Promise<void> {
    const o = this.options;
    this.kafka = new Kafka({ clientId: o.clientId ?? 'tributary-write', brokers: [...o.brokers], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 200 } });
    this.admin = this.kafka.admin();
    await this.admin.connect();
  }

  process(e: KV<number, SequencedRecord>): void {
    let list = this.pending.get(e.key);
    if (!list) this.pending.set(e.key, (list = []));
    list.push(e.value);
  }

  override async finishBundle(): Promise<void> {
    const pending = this.pending;
    this.pending = new Map();
    for (const [shard, items] of pending) {
      const { written, skipped } = await this.shard(shard).write(items);
      if (written) {
        this.transactions.inc();
        this.written.inc(written);
      }
      if (skipped) this.skipped.inc(skipped);
    }
  }

  private shard(shard: number): ShardTransactions {
    let s = this.shards.get(shard);
    if (!s) {
      const o = this.options;
      const eo = o.exactlyOnce!;
      s = new ShardTransactions(this.kafka!, this.admin!, {
        topic: o.topic,
        sinkGroupId: eo.sinkGroupId,
        shard,
        transactionTimeout: eo.transactionTimeout ?? DEFAULT_TRANSACTION_TIMEOUT,
        batchSize: o.batchSize ?? 500,
      });
      this.shards.set(shard, s);
    }
    return s;
  }

  override async teardown(): Promise<void> {
    for (const s of this.shards.values()) await s.close();
    this.shards.clear();
    await this.admin?.disconnect().catch(() => undefined);
  }
}
