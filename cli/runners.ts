/**
 * The runners the CLI knows: importing a runner's module registers it by name. Add a runner by
 * adding its import here.
 */
import '../runners/direct/direct-runner.js';
import '../runners/portable/portable-runner.js';
import '../runners/flink/flink-runner.js';

export { createRunner, knownRunners, UnknownRunnerError } from '../runners/runner.js';
