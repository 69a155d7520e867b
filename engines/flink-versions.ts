/**
 * The pinned pair: Beam's Flink runner and the Flink it was built for.
 *
 * Why Beam 2.62.0 with Flink 1.19 and not a newer pair: the Maven Central this project's machines
 * reach serves neither the shaded `beam-runners-flink-<flink>-job-server` jars nor
 * `beam-runners-java-job-service` past 2.65, while `beam-runners-flink-1.19:2.62.0` resolves with
 * every dependency. The job server is that jar's `FlinkJobServerDriver` on a plain classpath.
 * Flink 1.19 supports Java 17 (with the module opens in flink-java-flags.ts).
 */
import type { MavenArtifact } from './maven.js';

export const BEAM_VERSION = '2.62.0';
export const FLINK_MINOR = '1.19';
/** The Flink patch release Beam 2.62.0's runner was compiled against; the cluster runs the same. */
export const FLINK_VERSION = '1.19.0';

export const FLINK_JOB_SERVER_ARTIFACTS: readonly MavenArtifact[] = [
  { groupId: 'org.apache.beam', artifactId: `beam-runners-flink-${FLINK_MINOR}`, version: BEAM_VERSION },
  // The runner logs through slf4j 1.7; without a binding its logs (and the readiness line) vanish.
  { groupId: 'org.slf4j', artifactId: 'slf4j-simple', version: '1.7.30' },
];

export const FLINK_JOB_SERVER_MAIN = 'org.apache.beam.runners.flink.FlinkJobServerDriver';
export const FLINK_JOBMANAGER_MAIN = 'org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint';
export const FLINK_TASKMANAGER_MAIN = 'org.apache.flink.runtime.taskexecutor.TaskManagerRunner';

/** The PyPI package that carries Flink's distribution `lib/` jars. */
export const FLINK_LIBRARIES_PYPI = 'apache-flink-libraries';
