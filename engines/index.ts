/**
 * Engines: fetching and starting real engines (Maven artifacts, JVM processes, a Kafka broker)
 * for tests, benchmarks and the CLI. Imports nothing of ours but itself; downloads are pinned
 * and cached under the git-ignored `.engines/` folder at the repository root.
 */
export { enginesDir } from './cache.js';
export { EngineError, JavaMissingError, JavaProcessError, MavenResolveError } from './errors.js';
export { formatCoordinates, parseCoordinates, resolveMavenClasspath } from './maven.js';
export type { MavenArtifact, ResolveOptions } from './maven.js';
export { freePort, requireJava, runJavaToCompletion, startJavaProcess } from './java-process.js';
export type { JavaProcess, JavaProcessOptions, ReadyCondition } from './java-process.js';
export { PypiFetchError } from './errors.js';
export { pypiSourcePackage } from './pypi.js';
export { KAFKA_ARTIFACT, KAFKA_VERSION, kafkaClasspath, startKafkaBroker } from './kafka.js';
export type { KafkaBroker, KafkaBrokerOptions } from './kafka.js';
export { ensurePrism, startPrism, PrismError, PRISM_VERSION } from './prism.js';
export type { PrismHandle, StartPrismOptions } from './prism.js';
