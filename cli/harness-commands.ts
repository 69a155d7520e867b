/**
 * `tributary harness` (an SDK worker a Beam runner starts for `beam:env:process:v1`, with Beam's
 * standard boot flags) and `tributary worker-pool` (Beam's external worker pool service for
 * `beam:env:external:v1`, which starts such harnesses on request).
 */
import type { Argv } from 'yargs';
import type { CliIO } from './main.js';
import { exitAfterOutput } from './exit.js';

export const HARNESS_COMMANDS = ['harness', 'worker-pool'];

export function addHarnessCommands(y: Argv): Argv {
  return y
    .command('harness', "an SDK worker for a Beam runner's beam:env:process:v1 environment (the runner passes these flags)", (c) =>
      c
        .option('id', { type: 'string', describe: 'the worker id the runner assigned' })
        .option('provision_endpoint', { type: 'string', describe: 'host:port of the provision service (options, endpoints, staged program)' })
        .option('control_endpoint', { type: 'string', describe: 'host:port of the Fn API control service (default: from provisioning)' })
        .option('logging_endpoint', { type: 'string', describe: 'host:port of the Fn API logging service (default: from provisioning)' })
        .option('artifact_endpoint', { type: 'string', describe: 'host:port of the artifact retrieval service (default: from provisioning)' })
        .option('semi_persist_dir', { type: 'string', describe: 'a folder for fetched artifacts (default: a temporary folder)' }),
    )
    .command('worker-pool', 'serve beam:env:external:v1: a worker pool that starts a harness process per worker the runner asks for', (c) =>
      c
        .option('port', { type: 'number', default: 50000, describe: 'the port to serve BeamFnExternalWorkerPool on (0: any free port)' })
        .option('host', { type: 'string', default: '127.0.0.1', describe: 'the address to listen on' }),
    );
}

export async function harnessCommand(argv: Record<string, unknown>, io: CliIO): Promise<number> {
  // Runners that exec without a shell pass `--id='worker-1'`: the quotes are not part of the id.
  const str = (k: string) => (typeof argv[k] === 'string' && argv[k] !== '' ? (argv[k] as string).replace(/^'(.*)'$/, '$1') : undefined);
  // Loaded here, not at start-up: gRPC is the harness's, not every command's.
  const { startHarness } = await import('../runners/harness/harness.js');
  const harness = await startHarness({
    id: str('id'),
    provisionEndpoint: str('provision_endpoint'),
    controlEndpoint: str('control_endpoint'),
    loggingEndpoint: str('logging_endpoint'),
    artifactEndpoint: str('artifact_endpoint'),
    semiPersistDir: str('semi_persist_dir'),
    // Started by a runner: a program that does not load fails the job's bundles with the reason
    // (Prism, for one, keeps a job RUNNING when its worker process exits).
    failBundlesOnStartError: true,
  });
  const stop = () => void harness.stop().finally(() => exitAfterOutput(0, { maxWaitMs: 2000 }));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await harness.done;
  io.err(`tributary harness ${str('id') ?? ''}: the runner closed the control stream; exiting\n`);
  return 0;
}

export async function workerPoolCommand(argv: Record<string, unknown>, io: CliIO): Promise<number> {
  const { startWorkerPool } = await import('../runners/harness/worker-pool.js');
  const pool = await startWorkerPool({ host: String(argv.host), port: Number(argv.port) });
  io.out(`tributary worker pool serving BeamFnExternalWorkerPool on ${pool.endpoint}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await pool.stop();
  return 0;
}
