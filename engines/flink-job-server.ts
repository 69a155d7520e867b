/**
 * Beam's Flink job server (`FlinkJobServerDriver`) as a child JVM: the Job API endpoint a
 * portable client submits to. `flinkMaster` is `[local]` (an embedded Flink inside the job
 * server's JVM) or `host:port` of a Flink cluster's REST endpoint.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fetchFlinkJobServer } from './flink-fetch.js';
import { JAVA_17_FLAGS } from './flink-java-flags.js';
import { FLINK_JOB_SERVER_MAIN } from './flink-versions.js';
import { freePort, startJavaProcess, type JavaProcess } from './java-process.js';
import { engineWorkDir } from './work-dir.js';

export interface FlinkJobServerOptions {
  /** `[local]` (default) or the REST `host:port` of a Flink cluster. */
  readonly flinkMaster?: string;
  /** Heap of the job server's JVM (an embedded Flink runs inside it), e.g. "768m". */
  readonly heap?: string;
  /** Metaspace limit of the JVM (default 768m embedded, where it grows by about 10 MB per job;
   *  256m in front of a cluster). */
  readonly metaspace?: string;
  /** Where the log, staged artifacts and (under `tmp/`) an embedded Flink's working folders go; a
   *  new temporary folder by default, removed by `stop()` (see engines/work-dir.ts). */
  readonly workDir?: string;
  /** A Flink configuration folder (`--flink-conf-dir`). */
  readonly flinkConfDir?: string;
  /** Job API port; a free one by default. */
  readonly jobPort?: number;
  /** Environment of the job server: an embedded Flink's SDK harness processes inherit it. */
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
}

export interface FlinkJobServer {
  /** `localhost:<port>` of the Job API. */
  readonly jobEndpoint: string;
  readonly flinkMaster: string;
  readonly process: JavaProcess;
  readonly workDir: string;
  stop(): Promise<void>;
}

export async function startFlinkJobServer(options: FlinkJobServerOptions = {}): Promise<FlinkJobServer> {
  const classpath = await fetchFlinkJobServer(options.log);
  const dir = engineWorkDir(options.workDir, 'tributary-flink-job-server-');
  const workDir = dir.path;
  mkdirSync(join(workDir, 'artifacts'), { recursive: true });
  const flinkMaster = options.flinkMaster ?? '[local]';
  const flinkConfDir = options.flinkConfDir ?? (flinkMaster === '[local]' ? embeddedConfDir(workDir) : undefined);
  const jobPort = options.jobPort ?? (await freePort());
  const artifactPort = await freePort();
  const process = await startJavaProcess(
    {
      name: `Beam Flink job server (--flink-master=${flinkMaster})`,
      classpath,
      mainClass: FLINK_JOB_SERVER_MAIN,
      heap: options.heap ?? '768m',
      tmpDir: dir.tmp,
      // An embedded Flink starts a mini cluster per job, and each loads its RPC system (Pekko)
      // in a class loader of its own that is never freed: about 10 MB of metaspace per job.
      jvmFlags: ['-XX:+UseSerialGC', `-XX:MaxMetaspaceSize=${options.metaspace ?? (flinkMaster === '[local]' ? '768m' : '256m')}`, ...JAVA_17_FLAGS],
      args: [
        `--flink-master=${flinkMaster}`,
        '--job-host=localhost',
        `--job-port=${jobPort}`,
        `--artifact-port=${artifactPort}`,
        '--expansion-port=-1',
        `--artifacts-dir=${join(workDir, 'artifacts')}`,
        ...(flinkConfDir ? [`--flink-conf-dir=${flinkConfDir}`] : []),
      ],
      logFile: join(workDir, 'job-server.log'),
      env: options.env,
    },
    { port: jobPort, logLine: /JobService started on/, timeoutMs: 180_000 },
  );
  return {
    jobEndpoint: `localhost:${jobPort}`,
    flinkMaster,
    process,
    workDir,
    stop: async () => {
      await process.stop();
      dir.remove();
    },
  };
}

/**
 * The embedded Flink's configuration. Parent-first class loading: the job's jars are the job
 * server's own classpath, and child-first loaded every Beam class again for each job; the
 * class loaders were never freed, so the JVM ran out of metaspace after about twenty jobs.
 */
function embeddedConfDir(workDir: string): string {
  const dir = join(workDir, 'flink-conf');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'flink-conf.yaml'), 'classloader.resolve-order: parent-first\n');
  return dir;
}
