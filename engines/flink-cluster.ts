/**
 * A standalone Flink session cluster on loopback: one JobManager
 * (`StandaloneSessionClusterEntrypoint`) and N TaskManagers (`TaskManagerRunner`), each its own
 * JVM started with `java -cp` over Flink's distribution jars and a generated configuration
 * folder. Ready when the JobManager's REST API counts every TaskManager.
 *
 * Beam's runner classes are on the cluster's own classpath, loaded parent-first (see
 * `sharedBeamJars`): Beam's job server ships its whole classpath (~140 jars, ~150 MB) with every
 * job, and a child-first job class loader loaded, verified and JIT-compiled Beam's classes again
 * for each job, inside the job's running time.
 */
import { request } from 'node:http';
import { basename, join } from 'node:path';
import { EngineError } from './errors.js';
import { fetchFlinkDistribution, fetchFlinkJobServer } from './flink-fetch.js';
import { SMALL_TASK_MANAGER, taskManagerJvmFlags, writeFlinkConfDir, type TaskManagerMemory } from './flink-config.js';
import { JAVA_17_FLAGS } from './flink-java-flags.js';
import { DEFAULT_TASK_MANAGER_JIT_FLAGS } from './flink-jit-flags.js';
import { FLINK_JOBMANAGER_MAIN, FLINK_TASKMANAGER_MAIN } from './flink-versions.js';
import { freePort, startJavaProcess, type JavaProcess } from './java-process.js';
import { engineWorkDir } from './work-dir.js';

export interface FlinkClusterOptions {
  readonly taskManagers?: number;
  readonly slotsPerTaskManager?: number;
  /** Configuration, logs and (under `tmp/`) Flink's working folders; a new temporary folder by
   *  default, removed by `stop()` (see engines/work-dir.ts). */
  readonly workDir?: string;
  readonly jobManagerHeapMb?: number;
  readonly taskManagerMemory?: TaskManagerMemory;
  /** Extra configuration entries (for example `execution.checkpointing.interval`). */
  readonly conf?: Readonly<Record<string, string | number>>;
  /** Environment of the TaskManagers: the SDK harness processes they start inherit it. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Beam's job-server jars on the JobManager's and TaskManagers' classpath, loaded parent-first
   * (default true): jobs then share one copy of Beam's classes, loaded and JIT-compiled once per
   * JVM instead of once per job. Such a cluster runs jobs of this Beam version only.
   */
  readonly shareBeamClasses?: boolean;
  /**
   * JIT flags of the TaskManager JVMs (default `DEFAULT_TASK_MANAGER_JIT_FLAGS`, see
   * engines/flink-jit-flags.ts); `[]` runs them at the JVM's own defaults.
   */
  readonly taskManagerJitFlags?: readonly string[];
}

export interface FlinkCluster {
  /** `localhost:<rest port>`: what `--flinkMaster` takes. */
  readonly master: string;
  readonly restPort: number;
  readonly confDir: string;
  readonly workDir: string;
  readonly jobManager: JavaProcess;
  readonly taskManagers: JavaProcess[];
  /** Starts one more TaskManager (after one was killed) and waits until it registered. */
  addTaskManager(): Promise<JavaProcess>;
  overview(): Promise<ClusterOverview>;
  stop(): Promise<void>;
}

export interface ClusterOverview {
  readonly taskmanagers: number;
  readonly 'slots-total': number;
  readonly 'slots-available': number;
  readonly 'jobs-running': number;
}

export function restGet<T>(port: number, path: string, host = '127.0.0.1'): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ host, port, path, method: 'GET', timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        if ((res.statusCode ?? 500) >= 400) reject(new Error(`GET ${path}: HTTP ${res.statusCode}: ${body}`));
        else {
          try {
            resolvePromise(JSON.parse(body) as T);
          } catch (err) {
            reject(err);
          }
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * The jars of Beam's job-server classpath a cluster adds to its own: all but Flink's (the
 * distribution has them, same version) and the logging bindings (the distribution's log4j stays
 * the one SLF4J binding).
 */
export function sharedBeamJars(jobServerClasspath: readonly string[]): string[] {
  return jobServerClasspath.filter((jar) => !/^(flink-|slf4j-|log4j)/.test(basename(jar)));
}

/** Configuration entries that go with `sharedBeamJars`: a job's classes resolve in the cluster's
 *  class loader first, so Beam's classes shipped with the job are not loaded again. */
export const SHARED_BEAM_CLASSES_CONF: Readonly<Record<string, string>> = { 'classloader.resolve-order': 'parent-first' };

export async function startFlinkCluster(options: FlinkClusterOptions = {}): Promise<FlinkCluster> {
  const lib = await fetchFlinkDistribution();
  const share = options.shareBeamClasses ?? true;
  const beamJars = share ? sharedBeamJars(await fetchFlinkJobServer()) : [];
  const dir = engineWorkDir(options.workDir, 'tributary-flink-cluster-');
  const workDir = dir.path;
  const restPort = await freePort();
  const rpcPort = await freePort();
  const memory = options.taskManagerMemory ?? SMALL_TASK_MANAGER;
  const jobManagerHeapMb = options.jobManagerHeapMb ?? 384;
  const confDir = writeFlinkConfDir(join(workDir, 'conf'), {
    rpcPort,
    restPort,
    slotsPerTaskManager: options.slotsPerTaskManager ?? 1,
    taskManagerMemory: memory,
    jobManagerHeapMb,
    extra: { 'io.tmp.dirs': dir.tmp, ...(share ? SHARED_BEAM_CLASSES_CONF : {}), ...options.conf },
  });
  // The distribution first: where a jar of both holds a class, Flink's copy is the one loaded.
  const classpath = [...lib, ...beamJars];
  const logConfig = `-Dlog4j.configurationFile=${join(confDir, 'log4j.properties')}`;
  const overview = () => restGet<ClusterOverview>(restPort, '/overview');

  const jobManager = await startJavaProcess(
    {
      name: 'Flink JobManager',
      classpath,
      mainClass: FLINK_JOBMANAGER_MAIN,
      args: ['--configDir', confDir],
      heap: `${jobManagerHeapMb}m`,
      tmpDir: dir.tmp,
      jvmFlags: ['-XX:+UseSerialGC', ...JAVA_17_FLAGS, logConfig],
      logFile: join(workDir, 'jobmanager.log'),
      env: options.env,
    },
    { port: restPort, logLine: /Rest endpoint listening/, timeoutMs: 180_000 },
  );

  const taskManagers: JavaProcess[] = [];
  let started = 0;
  const tm = taskManagerJvmFlags(memory);
  const jitFlags = options.taskManagerJitFlags ?? DEFAULT_TASK_MANAGER_JIT_FLAGS;
  const launchTaskManager = (): Promise<JavaProcess> => {
    started += 1;
    return startJavaProcess(
      {
        name: `Flink TaskManager ${started}`,
        classpath,
        mainClass: FLINK_TASKMANAGER_MAIN,
        args: ['--configDir', confDir],
        heap: `${tm.heapMb}m`,
        tmpDir: dir.tmp,
        jvmFlags: ['-XX:+UseSerialGC', ...JAVA_17_FLAGS, ...tm.flags, ...jitFlags, logConfig],
        logFile: join(workDir, `taskmanager-${started}.log`),
        env: options.env,
      },
      { logLine: /Successful registration at resource manager/, timeoutMs: 180_000 },
    );
  };
  const waitForTaskManagers = async (count: number): Promise<void> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const o = await overview().catch(() => undefined);
      if (o && o.taskmanagers >= count) return;
      if (Date.now() > deadline) {
        throw new EngineError(`the Flink JobManager counts ${o?.taskmanagers ?? '?'} TaskManagers, not ${count} (logs in ${workDir})`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  const stopProcesses = async (): Promise<void> => {
    await Promise.all(taskManagers.map((t) => t.stop(5_000)));
    await jobManager.stop(5_000);
  };
  const stop = async (): Promise<void> => {
    await stopProcesses();
    dir.remove();
  };
  try {
    // Started together: each TaskManager takes most of its start time loading classes.
    const wanted = options.taskManagers ?? 2;
    const launched = await Promise.allSettled(Array.from({ length: wanted }, launchTaskManager));
    for (const l of launched) if (l.status === 'fulfilled') taskManagers.push(l.value);
    const failed = launched.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failed) throw failed.reason;
    await waitForTaskManagers(wanted);
  } catch (err) {
    await stopProcesses(); // the logs stay: the error names their folder
    throw err;
  }

  return {
    master: `localhost:${restPort}`,
    restPort,
    confDir,
    workDir,
    jobManager,
    taskManagers,
    overview,
    addTaskManager: async () => {
      const alive = (await overview()).taskmanagers;
      const t = await launchTaskManager();
      taskManagers.push(t);
      await waitForTaskManagers(alive + 1);
      return t;
    },
    stop,
  };
}
