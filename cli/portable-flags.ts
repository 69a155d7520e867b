/**
 * The `run` flags of the portable runner (`--jobEndpoint`, `--environment`, `--workerPool`,
 * `--harnessCommand`) and the runner options they make, with the pipeline file and its option
 * values (what a worker needs to rebuild the same graph).
 */
import type { Argv } from 'yargs';
import type { PortablePipeline } from '../sdk/translate/to-proto.js';
import { UsageError } from './errors.js';

export const PORTABLE_FLAGS = ['jobEndpoint', 'environment', 'workerPool', 'harnessCommand', 'experiments'];

export function addPortableFlags<T>(y: Argv<T>): Argv<T> {
  return y
    .option('jobEndpoint', { type: 'string', describe: 'portable: the Job API of a Beam job server, host:port (e.g. Prism, or a Flink job server)' })
    .option('environment', {
      type: 'string',
      choices: ['loopback', 'process', 'external'],
      describe: 'portable: where workers run — loopback (this process serves them; default), process (the job server starts "tributary harness" processes; the program is staged to them as one bundled file), external (a "tributary worker-pool" at --workerPool)',
    })
    .option('workerPool', { type: 'string', describe: 'portable, --environment=external: the worker pool address, host:port' })
    .option('harnessCommand', { type: 'string', describe: 'portable, --environment=process: the command the job server starts (default: this installation\'s "tributary harness")' })
    .option('experiments', { type: 'string', describe: 'portable: Beam experiments for the job server and the harness, comma-separated (e.g. enable_data_sampling)' })
    .group(PORTABLE_FLAGS, 'Portable runner:') as Argv<T>;
}

/** Runners built on the portable runner: they take its flags. */
const PORTABLE_BASED = ['portable', 'flink'];

/** Runner options for `--runner=portable` (and runners built on it); none for the others. */
export function portableRunnerOptions(
  runner: string,
  argv: Record<string, unknown>,
  pipelineFile: string,
  values: Readonly<Record<string, unknown>>,
  portable: PortablePipeline,
): Record<string, unknown> {
  const given = PORTABLE_FLAGS.filter((f) => argv[f] !== undefined);
  if (!PORTABLE_BASED.includes(runner)) {
    if (given.length && runner === 'direct') throw new UsageError(`--${given[0]} is a flag of the portable runner; add --runner=portable`);
    return {};
  }
  if (!argv.jobEndpoint && runner === 'portable') throw new UsageError('--runner=portable needs --jobEndpoint=host:port, the Job API of a Beam job server (for example Prism: "prism --job_port=8073")');
  if (argv.environment === 'external' && !argv.workerPool) throw new UsageError('--environment=external needs --workerPool=host:port (a running "tributary worker-pool")');
  return {
    jobEndpoint: argv.jobEndpoint,
    // flink picks its own default (loopback embedded, process on a cluster).
    environment: argv.environment ?? (runner === 'portable' ? 'loopback' : undefined),
    workerPool: argv.workerPool,
    harnessCommand: argv.harnessCommand,
    experiments: typeof argv.experiments === 'string' ? argv.experiments.split(',').map((e) => e.trim()).filter(Boolean) : undefined,
    pipelineFile,
    pipelineOptions: values,
    portable,
    jobName: pipelineFile.replace(/^.*\//, '').replace(/\.[^.]+$/, ''),
  };
}
