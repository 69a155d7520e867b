/**
 * A generated Flink configuration folder (`flink-conf.yaml`, `log4j.properties`) for a cluster on
 * loopback. A TaskManager started with `java` rather than Flink's scripts must be told every
 * memory component (the scripts compute them), and its JVM flags must agree with them: both come
 * from one TaskManagerMemory here.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TaskManagerMemory {
  readonly frameworkHeapMb: number;
  readonly taskHeapMb: number;
  readonly managedMb: number;
  readonly networkMb: number;
  readonly frameworkOffHeapMb: number;
  readonly metaspaceMb: number;
  readonly overheadMb: number;
}

/** Small: the harness processes, not the TaskManager, hold the pipeline's data. */
export const SMALL_TASK_MANAGER: TaskManagerMemory = {
  frameworkHeapMb: 64,
  taskHeapMb: 192,
  managedMb: 64,
  networkMb: 64,
  frameworkOffHeapMb: 64,
  metaspaceMb: 192,
  overheadMb: 96,
};

export function taskManagerJvmFlags(m: TaskManagerMemory): { heapMb: number; flags: string[] } {
  return {
    heapMb: m.frameworkHeapMb + m.taskHeapMb,
    flags: [
      `-Xms${m.frameworkHeapMb + m.taskHeapMb}m`,
      `-XX:MaxDirectMemorySize=${m.frameworkOffHeapMb + m.networkMb}m`,
      `-XX:MaxMetaspaceSize=${m.metaspaceMb}m`,
    ],
  };
}

export interface FlinkConfOptions {
  readonly rpcPort: number;
  readonly restPort: number;
  readonly slotsPerTaskManager: number;
  readonly taskManagerMemory: TaskManagerMemory;
  readonly jobManagerHeapMb: number;
  /** Extra `key: value` lines (checkpoint storage, restart strategy). */
  readonly extra?: Readonly<Record<string, string | number>>;
}

export function flinkConfYaml(o: FlinkConfOptions): string {
  const m = o.taskManagerMemory;
  const entries: Record<string, string | number> = {
    'jobmanager.rpc.address': 'localhost',
    'jobmanager.bind-host': 'localhost',
    'jobmanager.rpc.port': o.rpcPort,
    'rest.address': 'localhost',
    'rest.bind-address': 'localhost',
    'rest.port': o.restPort,
    'taskmanager.host': 'localhost',
    'taskmanager.bind-host': 'localhost',
    'jobmanager.memory.process.size': `${o.jobManagerHeapMb + 320}m`,
    'taskmanager.numberOfTaskSlots': o.slotsPerTaskManager,
    'parallelism.default': 1,
    'taskmanager.cpu.cores': o.slotsPerTaskManager,
    'taskmanager.memory.framework.heap.size': `${m.frameworkHeapMb}m`,
    'taskmanager.memory.task.heap.size': `${m.taskHeapMb}m`,
    'taskmanager.memory.managed.size': `${m.managedMb}m`,
    'taskmanager.memory.network.min': `${m.networkMb}m`,
    'taskmanager.memory.network.max': `${m.networkMb}m`,
    'taskmanager.memory.framework.off-heap.size': `${m.frameworkOffHeapMb}m`,
    'taskmanager.memory.task.off-heap.size': '0m',
    'taskmanager.memory.jvm-metaspace.size': `${m.metaspaceMb}m`,
    'taskmanager.memory.jvm-overhead.min': `${m.overheadMb}m`,
    'taskmanager.memory.jvm-overhead.max': `${m.overheadMb}m`,
    // A TaskManager killed -9 is noticed by failed heartbeat RPCs within seconds; the timeout only
    // covers a live but stalled one (long GC pauses on 2 busy cores), so it stays generous.
    'heartbeat.interval': 3000,
    'heartbeat.timeout': 30000,
    ...o.extra,
  };
  return Object.entries(entries)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n') + '\n';
}

const LOG4J = `rootLogger.level = INFO
rootLogger.appenderRef.console.ref = ConsoleAppender
appender.console.name = ConsoleAppender
appender.console.type = CONSOLE
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n
logger.pekko.name = org.apache.pekko
logger.pekko.level = WARN
`;

/** Writes the configuration folder and returns its path. */
export function writeFlinkConfDir(dir: string, o: FlinkConfOptions): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'flink-conf.yaml'), flinkConfYaml(o));
  writeFileSync(join(dir, 'log4j.properties'), LOG4J);
  return dir;
}
