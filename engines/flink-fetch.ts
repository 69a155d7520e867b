/** Fetches (once, into the engines cache) Beam's Flink job server and Flink's distribution jars. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolveMavenClasspath } from './maven.js';
import { pypiSourcePackage } from './pypi.js';
import { FLINK_JOB_SERVER_ARTIFACTS, FLINK_LIBRARIES_PYPI, FLINK_VERSION } from './flink-versions.js';

/** The job server's classpath: Beam's Flink runner and its runtime dependencies. */
export function fetchFlinkJobServer(log?: (line: string) => void): Promise<string[]> {
  return resolveMavenClasspath([...FLINK_JOB_SERVER_ARTIFACTS], { log });
}

/** The jars of Flink's distribution `lib/` folder (flink-dist, log4j, connectors). */
export async function fetchFlinkDistribution(): Promise<string[]> {
  const lib = join(await pypiSourcePackage(FLINK_LIBRARIES_PYPI, FLINK_VERSION), 'deps', 'lib');
  return readdirSync(lib)
    .filter((f) => f.endsWith('.jar'))
    .sort()
    .map((f) => join(lib, f));
}
