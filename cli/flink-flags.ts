/**
 * The `run` flags of the flink runner (`--flinkMaster`, `--parallelism`,
 * `--checkpointingInterval`, `--flinkBatch`, `--maxBundleSize`, `--premergeSessions`); `--jobEndpoint` and `--environment` are the portable
 * runner's, which the flink runner is built on.
 */
import type { Argv } from 'yargs';
import { UsageError } from './errors.js';

export const FLINK_FLAGS = ['flinkMaster', 'parallelism', 'checkpointingInterval', 'flinkBatch', 'maxBundleSize', 'premergeSessions'];

export function addFlinkFlags<T>(y: Argv<T>): Argv<T> {
  return y
    .option('flinkMaster', { type: 'string', describe: 'flink: [local] (an embedded Flink in the job server; default) or host:port of a Flink cluster\'s REST endpoint ("tributary flink-cluster start" prints it)' })
    .option('parallelism', { type: 'number', describe: 'flink: parallelism of every operator (default: the Flink default, 1 embedded)' })
    .option('checkpointingInterval', { type: 'number', describe: 'flink: milliseconds between Flink checkpoints (default: no checkpoints); a failed task restarts from the last one' })
    .option('flinkBatch', { type: 'boolean', describe: 'flink: Flink\'s batch mode (refused, with the reason, where batch would give other output); --no-flinkBatch forces streaming; default: batch for a bounded pipeline without TestStream, reads, state, timers, sessions or early/late triggers, streaming otherwise' })
    .option('maxBundleSize', { type: 'number', describe: 'flink: elements per bundle (default: Beam\'s 1,000; 1 for a pipeline with a TestStream, so its watermark steps reach every stage in order)' })
    .option('premergeSessions', { type: 'boolean', describe: 'flink: where the workers merge sessions (bounded pipelines), each pre-merges its share of a key\'s events before the shuffle; --no-premergeSessions shuffles the raw events so that each worker merges whole keys; default: pre-merge (measured faster at parallelism 1 and no slower at 2, docs/runners.md)' })
    .group(FLINK_FLAGS, 'Flink runner:') as Argv<T>;
}

/** Runner options for `--runner=flink`; a flink flag with another runner is a usage error. */
export function flinkRunnerOptions(runner: string, argv: Record<string, unknown>): Record<string, unknown> {
  const given = FLINK_FLAGS.filter((f) => argv[f] !== undefined);
  if (runner !== 'flink') {
    if (given.length) throw new UsageError(`--${given[0]} is a flag of the flink runner; add --runner=flink`);
    return {};
  }
  return {
    flinkMaster: argv.flinkMaster,
    parallelism: argv.parallelism,
    checkpointingInterval: argv.checkpointingInterval,
    flinkBatch: argv.flinkBatch,
    maxBundleSize: argv.maxBundleSize,
    premergeSessions: argv.premergeSessions,
  };
}
