/**
 * Apache Flink for Tributary's `--runner=flink`: Beam's Flink job server and a standalone Flink
 * cluster, both fetched (pinned, cached under `.engines/`) and started as child JVMs on loopback.
 * See docs/runners.md for the one-machine and many-machine setups.
 */
export { BEAM_VERSION, FLINK_MINOR, FLINK_VERSION } from './flink-versions.js';
export { JAVA_17_FLAGS } from './flink-java-flags.js';
export { DEFAULT_TASK_MANAGER_JIT_FLAGS } from './flink-jit-flags.js';
export { fetchFlinkDistribution, fetchFlinkJobServer } from './flink-fetch.js';
export { startFlinkJobServer, type FlinkJobServer, type FlinkJobServerOptions } from './flink-job-server.js';
export { startFlinkCluster, restGet, type ClusterOverview, type FlinkCluster, type FlinkClusterOptions } from './flink-cluster.js';
export { requireJava } from './java-process.js';
export { JavaMissingError } from './errors.js';
