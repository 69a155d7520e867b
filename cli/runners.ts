/**
 * The runners the CLI knows. Each is declared by name and its module loaded when a run asks for
 * it (the module registers the factory and the description), so that `--runner=direct` never
 * loads gRPC. Add a runner by declaring it here.
 */
import { declareRunner } from '../runners/runner.js';

declareRunner('direct', () => import('../runners/direct/direct-runner.js'));
declareRunner('portable', () => import('../runners/portable/portable-runner.js'));
declareRunner('flink', () => import('../runners/flink/flink-runner.js'));

export { createRunner, describeRunners, knownRunners, loadRunner, UnknownRunnerError } from '../runners/runner.js';
