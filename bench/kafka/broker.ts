/**
 * The broker for Kafka benchmarks: the parent process starts one (engines/kafka.ts) and hands
 * its address to the variant processes through `TRIBUTARY_BENCH_KAFKA`.
 */
import { Kafka, logLevel } from 'kafkajs';
import { startKafkaBroker, type KafkaBroker } from '../../engines/kafka.js';

const ENV = 'TRIBUTARY_BENCH_KAFKA';

export function benchBootstrap(): string {
  const b = process.env[ENV];
  if (!b) throw new Error(`${ENV} is not set: run this case through npm run bench -- kafka`);
  return b;
}

export function isVariantProcess(): boolean {
  return process.argv.some((a) => a.startsWith('--variant='));
}

export async function startBenchBroker(): Promise<KafkaBroker> {
  const broker = await startKafkaBroker({ heap: '512m' });
  process.env[ENV] = broker.bootstrap;
  return broker;
}

export function benchKafka(bootstrap: string): Kafka {
  return new Kafka({ clientId: 'tributary-bench', brokers: [bootstrap], logLevel: logLevel.NOTHING });
}
