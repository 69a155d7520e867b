/** Running Kafka reads in tests: collect what a read emits, and wait for conditions (bounded). */
import { DirectRunner } from '../../../runners/direct/direct-runner.js';
import { DoFn, Duration, ParDo, Pipeline, type PCollection, type PipelineResult, type ProcessContext } from '../../../sdk/index.js';
import { KafkaIO, type KafkaReadOutputs, type KafkaRecord } from '../../../io/kafka/index.js';
import { createTopic, type KafkaBroker } from '../../servers/kafka/broker.js';

export class Collected<T> {
  readonly items: Array<{ value: T; timestamp: number }> = [];
}

/** Appends every element (and its timestamp) of `pc` to `into` (the direct runner is in-process). */
export function collect<T>(pc: PCollection<T>, into: Collected<T>, name = 'Collect'): void {
  class CollectFn extends DoFn<T, never> {
    process(element: T, ctx: ProcessContext<never>): void {
      into.items.push({ value: element, timestamp: ctx.timestamp });
    }
  }
  pc.apply(name, ParDo.of(new CollectFn()));
}

/** Resolves once `condition()` holds; fails after `limitMs` naming what it waited for. */
export async function waitFor(what: string, condition: () => boolean, limitMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > limitMs) throw new Error(`gave up waiting for ${what} after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function runDirect(p: Pipeline, options: ConstructorParameters<typeof DirectRunner>[0] = {}): PipelineResult {
  return new DirectRunner(options).run(p);
}

/** Processing time a test moves by hand (idle timeouts, lag metrics). */
export class ManualKafkaClock {
  /** How often the read looked at the time: each look is a moment it may move its watermark. */
  reads = 0;
  constructor(private t: number) {}
  now(): number {
    this.reads++;
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** An endless read of a new two-partition topic (out-of-orderness 1 s, idle timeout 30 s) on
 *  a manual clock, with what it reads collected: the idle-partition cases. */
export async function idleTopicRead(broker: KafkaBroker, topic: string): Promise<{ p: Pipeline; out: KafkaReadOutputs<{ k: string }>; got: Collected<KafkaRecord<{ k: string }>>; clock: ManualKafkaClock }> {
  await createTopic(broker, topic, 2);
  const clock = new ManualKafkaClock(1_000_000);
  const p = new Pipeline();
  const out = p.apply(KafkaIO.read<{ k: string }>({ brokers: [broker.bootstrap], topics: [topic], maxOutOfOrderness: Duration.seconds(1), idleTimeout: Duration.seconds(30), clock }));
  const got = new Collected<KafkaRecord<{ k: string }>>();
  collect(out.records, got);
  return { p, out, got, clock };
}
