/**
 * A real Apache Kafka broker on loopback: single-node KRaft (one process is broker and
 * controller), jars from Maven Central (`org.apache.kafka:kafka_2.13` and its runtime
 * dependencies, pinned), storage formatted with `kafka.tools.StorageTool`, started as
 * `kafka.Kafka <server.properties>` on free ports.
 *
 * Version: 3.9.1, the last 3.x line. kafkajs 2.2.4 (the client the project uses) speaks old
 * protocol versions; Kafka 4.0 removed many of them (KIP-896), so 4.x is untested ground for it,
 * while 3.9 still accepts every version kafkajs sends and runs KRaft without ZooKeeper.
 *
 * `restart()` stops the broker and starts it again on the same ports and log directory, so
 * clients reconnect to the same address and find their data (broker-restart tests).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { enginesDir } from './cache.js';
import { freePort, runJavaToCompletion, startJavaProcess, type JavaProcess } from './java-process.js';
import { resolveMavenClasspath } from './maven.js';
import { engineWorkDir } from './work-dir.js';

export const KAFKA_VERSION = '3.9.1';
export const KAFKA_ARTIFACT = `org.apache.kafka:kafka_2.13:${KAFKA_VERSION}`;

export interface KafkaBrokerOptions {
  /** Where the broker keeps its log segments and its own log file; a fresh temp dir by default
   *  (removed by `stop()`); a given dir is kept. */
  dir?: string;
  /** Default 384m: enough for tests, small enough for 2 cores and parallel test files. */
  heap?: string;
  /** Default partitions of auto-created topics. */
  numPartitions?: number;
  /** Extra `server.properties` lines (key → value). */
  properties?: Record<string, string | number | boolean>;
  /** Progress lines while fetching jars. */
  log?: (line: string) => void;
  /** Start limit. Default 120 s. */
  startTimeoutMs?: number;
}

export interface KafkaBroker {
  /** `host:port` of the client listener, for kafkajs `brokers`. */
  readonly bootstrap: string;
  readonly port: number;
  readonly version: string;
  readonly dir: string;
  readonly logFile: string;
  /** SIGTERM (a clean shutdown), wait, start again on the same ports and data. */
  restart(): Promise<void>;
  /** Stop the broker; a temp dir made for it is removed. */
  stop(): Promise<void>;
}

/** The broker's jars (fetched once into `.engines/`). */
export function kafkaClasspath(log?: (line: string) => void): Promise<string[]> {
  // The broker logs through slf4j; Kafka's own distribution binds it to reload4j.
  return resolveMavenClasspath([KAFKA_ARTIFACT, 'org.slf4j:slf4j-reload4j:1.7.36'], { log });
}

export async function startKafkaBroker(options: KafkaBrokerOptions = {}): Promise<KafkaBroker> {
  const classpath = await kafkaClasspath(options.log);
  const workDir = engineWorkDir(options.dir, 'tributary-kafka-');
  const dir = workDir.path;
  const port = await freePort();
  const controllerPort = await freePort();
  const dataDir = join(dir, 'data');
  const propsFile = join(dir, 'server.properties');
  const log4jFile = join(enginesDir('kafka'), 'log4j.properties');
  writeFileSync(log4jFile, LOG4J);
  writeFileSync(propsFile, serverProperties({ port, controllerPort, dataDir, numPartitions: options.numPartitions ?? 1, extra: options.properties ?? {} }));

  const common = {
    classpath,
    heap: options.heap ?? '384m',
    jvmFlags: [`-Dlog4j.configuration=file:${log4jFile}`, '-Djava.awt.headless=true', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'],
  };
  // Format once: a restarted broker (or a kept dir) finds its storage already formatted.
  runJavaToCompletion({
    ...common,
    name: 'kafka storage format',
    mainClass: 'kafka.tools.StorageTool',
    args: ['format', '-t', clusterId(), '-c', propsFile, '--ignore-formatted'],
  });

  const logFile = join(dir, 'broker.log');
  const start = () =>
    startJavaProcess(
      { ...common, name: `kafka broker ${KAFKA_VERSION} on 127.0.0.1:${port}`, mainClass: 'kafka.Kafka', args: [propsFile], logFile },
      { port, logLine: /Kafka Server started|\[KafkaRaftServer nodeId=\d+\] Kafka Server started/, timeoutMs: options.startTimeoutMs ?? 120_000 },
    );
  let proc: JavaProcess = await start();
  return {
    bootstrap: `127.0.0.1:${port}`,
    port,
    version: KAFKA_VERSION,
    dir,
    logFile,
    async restart() {
      await proc.stop(30_000);
      proc = await start();
    },
    async stop() {
      await proc.stop(15_000);
      workDir.remove();
    },
  };
}

/** A KRaft cluster id: 16 random bytes, base64url without padding (what `random-uuid` prints).
 *  Never one starting with '-' (1 in 64 of them): `kafka-storage format -t -abc…` reads it as a
 *  flag and fails ("expected one argument") — Kafka's own random ids skip those too. */
export function clusterId(): string {
  for (;;) {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    const id = Buffer.from(bytes).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function serverProperties(o: { port: number; controllerPort: number; dataDir: string; numPartitions: number; extra: Record<string, string | number | boolean> }): string {
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${o.controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${o.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': o.dataDir,
    'num.partitions': o.numPartitions,
    'auto.create.topics.enable': true,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 3,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 3,
    'group.initial.rebalance.delay.ms': 0,
    'num.network.threads': 2,
    'num.io.threads': 2,
    'log.flush.interval.messages': 1,
    // Tests write records with timestamps far in the past (1970, 2024): time-based retention
    // would delete them at the first retention check.
    'log.retention.ms': -1,
    ...o.extra,
  };
  return Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
}

const LOG4J = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=WARN
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log=WARN
`;
