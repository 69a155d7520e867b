/**
 * The `tributary` command line (see docs/cli.md):
 *
 *   tributary run <pipeline.ts> [--runner=direct] [pipeline flags]   build and run a pipeline
 *   tributary proto <pipeline.ts> [--out FILE] [--json] [flags]      write its portable proto
 *   tributary worker --pipeline <file> --proto <file.pb> [--options-json '{...}']
 *                                                                     re-run the program, execute a proto
 *   tributary runners                                                 list the registered runners
 *   tributary flink-cluster start|stop [--taskManagers N]             a Flink cluster on this machine
 *
 * A pipeline file's declared options become typed flags of `run` and `proto` (and show in
 * `--help`), so the file is imported before the command line is fully parsed.
 *
 * Exit codes: 0 success; 1 the job or the worker failed; 2 the command line is wrong (a bad
 * flag, an unknown runner, a missing or malformed pipeline file).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { Parser, yargs } from './lean-yargs.js';
import { pipeline as beam } from '../portability-proto/index.js';
import { InvalidOptionError, type OptionDeclarations } from '../sdk/options/index.js';
import { encodePipeline } from '../sdk/translate/to-proto.js';
import { PipelineFileError, buildPipelineFile, loadPipelineFile, type LoadedPipelineFile } from '../runners/worker/pipeline-file.js';
import { HARNESS_COMMANDS, addHarnessCommands, harnessCommand, workerPoolCommand } from './harness-commands.js';
import { UsageError } from './errors.js';
import { flinkClusterCommand, runFlinkClusterCommand } from './flink-cluster.js';
import { checkFlagValues, valueFlagsOf } from './flag-values.js';
import { addPipelineFlags } from './pipeline-flags.js';
import { addPortableFlags, PORTABLE_FLAGS, portableRunnerOptions } from './portable-flags.js';
import { addFlinkFlags, FLINK_FLAGS, flinkRunnerOptions } from './flink-flags.js';
import { createRunner, describeRunners, knownRunners, loadRunner, UnknownRunnerError } from './runners.js';
import { DEFAULT_CHECKPOINT_INTERVAL, type CheckpointOptions } from '../runners/direct/executor.js';
import { metricsSummary } from './summary.js';
import { MONITORING_FLAGS, addMonitoringFlags, applyLogFormat, monitoringRequest, watchJob, type MonitoringRequest } from './monitoring-flags.js';
import { packagePath } from '../engines/package-root.js';

export interface CliIO {
  out(text: string | Uint8Array): void;
  err(text: string): void;
}

const processIO: CliIO = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

const COMMANDS = ['run', 'proto', 'worker', 'runners', ...HARNESS_COMMANDS, 'flink-cluster'];

/** Flags the CLI owns; a pipeline may not declare options with these names. */
const RUN_FLAGS = ['runner', 'checkpointDir', 'checkpointIntervalMs', 'checkpointIfFinished', ...MONITORING_FLAGS, ...PORTABLE_FLAGS, ...FLINK_FLAGS, 'stacktrace', 'help', 'version'];
const PROTO_FLAGS = ['out', 'json', 'stacktrace', 'help', 'version'];

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Runs the CLI on `args` (without node and the script) and returns the exit code. */
export async function main(args: readonly string[], io: CliIO = processIO): Promise<number> {
  // A first, lenient pass finds the command and the pipeline file, so the file's declared options
  // can be added to the real parser (strict, with help).
  const pre = Parser([...args], {
    string: ['runner', 'checkpointDir', 'checkpointIfFinished', 'out', 'pipeline', 'proto', 'options-json'],
    boolean: ['json', 'help', 'stacktrace', 'version'],
  });
  const command = String(pre._[0] ?? '');
  let stacktrace = pre.stacktrace === true || pre.verbose === true;

  try {
    let loaded: LoadedPipelineFile | undefined;
    const file = pre._[1];
    if ((command === 'run' || command === 'proto') && file !== undefined) loaded = await loadPipelineFile(String(file));
    const declarations: OptionDeclarations = loaded?.declarations ?? {};
    // --verbose prints stack traces too, unless the pipeline declares its own --verbose option.
    const cliVerbose = !Object.hasOwn(declarations, 'verbose');
    stacktrace = pre.stacktrace === true || (cliVerbose && pre.verbose === true);

    checkFlagValues(args, valueFlagsOf(command, declarations), helpCommand(args, command));
    const parser = buildParser(loaded, cliVerbose);
    const parsed = await new Promise<{ argv: Record<string, unknown>; output: string }>((resolve, reject) => {
      parser.parse([...args], {}, (err: Error | undefined, argv: Record<string, unknown>, output: string) => {
        if (err) reject(new UsageError(usageMessage(err.message, args, command)));
        else resolve({ argv, output });
      });
    });
    if (parsed.argv.help || parsed.argv.version) {
      io.out(`${parsed.output}\n`);
      return 0;
    }
    switch (command) {
      case 'run':
        applyLogFormat(parsed.argv);
        return await runCommand(loaded!, pipelineValues(parsed.argv, declarations), String(parsed.argv.runner), io, checkpointOption(parsed.argv), monitoringRequest(parsed.argv), parsed.argv);
      case 'proto':
        return protoCommand(await buildPipelineFile(loaded!, pipelineValues(parsed.argv, declarations), { source: 'the command line' }), parsed.argv, io);
      case 'worker':
        return await workerCommand(parsed.argv, io);
      case 'runners':
        for (const r of await describeRunners()) io.out(`${r.name}\t${r.description}\n`);
        return 0;
      case 'harness':
        return await harnessCommand(parsed.argv, io);
      case 'worker-pool':
        return await workerPoolCommand(parsed.argv, io);
      case 'flink-cluster':
        return await runFlinkClusterCommand(parsed.argv, io);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    reportError(e, stacktrace, io);
    return isUsageError(e) ? 2 : 1;
  }
}

function buildParser(loaded: LoadedPipelineFile | undefined, cliVerbose: boolean): Argv {
  const pipelineHint = loaded ? '' : ' (the pipeline file\'s own flags are listed by "tributary <command> <pipeline file> --help")';
  const common = (y: Argv, reserved: string[]): Argv => {
    let out = y.positional('pipeline', { type: 'string', describe: 'the pipeline file (.ts or .js) whose default export builds the pipeline' });
    if (loaded) out = addPipelineFlags(out, loaded.declarations, loaded.file, reserved);
    return out;
  };
  let y = yargs()
    .scriptName('tributary')
    .usage('$0 <command> [flags]\n\nBuild, run and ship Tributary pipelines.')
    .strict()
    .exitProcess(false)
    .version(version())
    .wrap(Math.min(110, process.stdout.columns || 100))
    .demandCommand(1, 'give a command: run, proto, worker, runners, harness, worker-pool or flink-cluster')
    .option('stacktrace', { type: 'boolean', describe: 'print the stack trace of an error' });
  if (cliVerbose) y = y.option('verbose', { type: 'boolean', describe: 'same as --stacktrace' });
  y = y
    .command('run <pipeline>', `build the pipeline and run it; prints a metrics summary at the end${pipelineHint}`, (c) =>
      addFlinkFlags(addPortableFlags(addMonitoringFlags(common(c, RUN_FLAGS)))).option('runner', {
        type: 'string',
        default: 'direct',
        describe: `the runner that executes the pipeline (known: ${knownRunners().map((r) => r.name).join(', ')}; "tributary runners" describes them)`,
      }).option('checkpointDir', {
        type: 'string',
        describe: 'checkpoint the job into this directory and resume from the checkpoint there after a crash (only a checkpoint of the same pipeline, options and input; one job per directory)',
      }).option('checkpointIntervalMs', {
        type: 'number',
        describe: `with --checkpointDir: the least time between two checkpoints, in milliseconds (default ${DEFAULT_CHECKPOINT_INTERVAL_MS}, stretched so that checkpoints take at most a tenth of the time; 0: at every consistent moment)`,
      }).option('checkpointIfFinished', {
        type: 'string',
        choices: ['restart', 'fail'],
        describe: 'with --checkpointDir: when the checkpoint there belongs to a job that finished, start over (restart, the default) or fail',
      }),
    )
    .command('proto <pipeline>', `build the pipeline and write its portable proto, without running it${pipelineHint}`, (c) =>
      common(c, PROTO_FLAGS)
        .option('out', { type: 'string', describe: 'write to this file instead of stdout' })
        .option('json', { type: 'boolean', describe: 'write the proto as JSON (protobuf JSON mapping, bytes as base64) instead of binary' }),
    )
    .command('worker', 'worker mode: re-run a pipeline file, check its graph against a submitted proto, and execute that proto', (c) =>
      c
        .option('pipeline', { type: 'string', demandOption: true, describe: 'the pipeline file the proto was built from' })
        .option('proto', { type: 'string', demandOption: true, describe: 'the submitted pipeline proto (binary, as "tributary proto" writes it)' })
        .option('options-json', { type: 'string', describe: 'the pipeline options the submitter used, as a JSON object', default: '{}' })
        .option('runner', { type: 'string', default: 'direct', describe: 'where the worker executes the proto (direct only)' }),
    )
    .command('runners', 'list the registered runners')
    .command('flink-cluster <action>', 'start (foreground) or stop a standalone Flink cluster and Beam\'s Flink job server on this machine', flinkClusterCommand);
  return withoutHelpPrerender(addHarnessCommands(y).epilogue('Exit codes: 0 success, 1 the job failed, 2 a bad command line. See docs/cli.md.') as Argv);
}

/**
 * yargs lays out the whole help text (cliui, string widths of every flag's description) each time
 * it runs a command, in case a later failure wants to print it: about a third of the start-up of
 * `tributary run` once compiled. The CLI prints its own errors and renders help only for --help
 * (which does not use that copy), so the pre-render is switched off. yargs 17's internal API: if
 * it is missing, the pre-render simply stays.
 */
function withoutHelpPrerender(y: Argv): Argv {
  const internal = (y as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.();
  const usage = internal?.getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
  return y;
}

/** The declared options' values from parsed flags (unset ones left out, so defaults apply). */
function pipelineValues(argv: Record<string, unknown>, declarations: OptionDeclarations): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(declarations)) if (argv[name] !== undefined) values[name] = argv[name];
  return values;
}

const DEFAULT_CHECKPOINT_INTERVAL_MS = DEFAULT_CHECKPOINT_INTERVAL;

type CheckpointFlags = Omit<CheckpointOptions, 'options'>;

/** The runner's checkpoint option from --checkpointDir, --checkpointIntervalMs and --checkpointIfFinished. */
function checkpointOption(argv: Record<string, unknown>): CheckpointFlags | undefined {
  const dir = argv.checkpointDir as string | undefined;
  const interval = argv.checkpointIntervalMs as number | undefined;
  const ifFinished = argv.checkpointIfFinished as string | undefined;
  if (interval !== undefined) {
    if (!Number.isFinite(interval) || interval < 0) throw new UsageError(`--checkpointIntervalMs expects a number of milliseconds ≥ 0, got ${String(interval)}`);
    if (!dir) throw new UsageError('--checkpointIntervalMs needs --checkpointDir (where the checkpoints go)');
  }
  if (ifFinished !== undefined && !dir) throw new UsageError('--checkpointIfFinished needs --checkpointDir (where the checkpoints go)');
  return dir ? { dir, intervalMs: interval, ifFinished: ifFinished as CheckpointFlags['ifFinished'] } : undefined;
}

async function runCommand(
  loaded: LoadedPipelineFile,
  values: Record<string, unknown>,
  runnerName: string,
  io: CliIO,
  checkpoint: CheckpointFlags | undefined,
  monitoring: MonitoringRequest | undefined,
  argv: Record<string, unknown>,
): Promise<number> {
  if (!knownRunners().some((r) => r.name === runnerName)) {
    await describeRunners(); // the error lists each runner with what it is
    throw new UnknownRunnerError(runnerName);
  }
  await loadRunner(runnerName);
  const built = await buildPipelineFile(loaded, values, { source: 'the command line' });
  // The option values (defaults applied) are part of what a checkpoint belongs to.
  const runner = createRunner(runnerName, {
    ...(checkpoint ? { checkpoint: { ...checkpoint, options: built.options, report: (m: string) => io.err(`${m}\n`) } } : {}),
    ...(monitoring ? { monitoring: true } : {}),
    ...portableRunnerOptions(runnerName, argv, loaded.file, values, built.portable),
    ...flinkRunnerOptions(runnerName, argv),
  });
  const started = performance.now();
  const result = runner.run(built.pipeline);
  // Ctrl-C cancels the job (on a job server too) and the run ends with its final state. So does
  // SIGTERM (a timeout, a supervisor): a job left RUNNING on a job server outlives the command
  // otherwise. If cancelling hangs, SIGTERM still ends the process after 10 s.
  const cancel = () => void result.cancel();
  const terminate = () => {
    cancel();
    setTimeout(() => process.exit(143), 10_000).unref();
  };
  process.once('SIGINT', cancel);
  process.once('SIGTERM', terminate);
  let failure: unknown;
  let stopWatching: (() => Promise<void>) | undefined;
  try {
    if (monitoring) stopWatching = await watchJob(result, runner.name, monitoring, (line) => io.err(`${line}\n`));
    await result.waitUntilFinish();
  } catch (e) {
    failure = e;
    if (!stopWatching) await result.cancel();
  } finally {
    await stopWatching?.();
    process.off('SIGINT', cancel);
    process.off('SIGTERM', terminate);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  io.out(`${loaded.file} on runner "${runner.name}": ${result.state} in ${seconds} s\n${metricsSummary(result.metrics())}\n`);
  if (failure !== undefined) throw failure;
  return result.state === 'DONE' ? 0 : 1;
}

function protoCommand(built: Awaited<ReturnType<typeof buildPipelineFile>>, argv: Record<string, unknown>, io: CliIO): number {
  const proto = built.portable.proto;
  const data: string | Uint8Array = argv.json ? `${JSON.stringify(beam.Pipeline.toObject(proto, { longs: String, enums: String, bytes: String }), null, 2)}\n` : encodePipeline(proto);
  const out = argv.out as string | undefined;
  if (out) {
    writeFileSync(out, data);
    const transforms = Object.keys(proto.components?.transforms ?? {}).length;
    io.err(`wrote the pipeline proto (${transforms} transforms, ${data.length} ${argv.json ? 'characters of JSON' : 'bytes'}) to ${out}\n`);
  } else {
    io.out(data);
  }
  return 0;
}

async function workerCommand(argv: Record<string, unknown>, io: CliIO): Promise<number> {
  const protoFile = String(argv.proto);
  let protoBytes: Uint8Array;
  try {
    protoBytes = readFileSync(protoFile);
  } catch (e) {
    throw new UsageError(`cannot read the pipeline proto ${protoFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let options: unknown;
  try {
    options = JSON.parse(String(argv['options-json'] ?? '{}'));
  } catch (e) {
    throw new UsageError(`--options-json is not valid JSON: ${(e as Error).message}`);
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new UsageError('--options-json must be a JSON object of option names and values');
  }
  // Loaded here: only worker mode needs it (the graph check and the proto's execution).
  const { WorkerJobError, runWorker, workerReport } = await import('../runners/worker/worker.js');
  try {
    const result = await runWorker({ pipelineFile: String(argv.pipeline), protoBytes, options: options as Record<string, unknown>, runner: String(argv.runner) });
    io.out(`${JSON.stringify(workerReport(result.state, result.metrics))}\n`);
    return result.state === 'DONE' ? 0 : 1;
  } catch (e) {
    const report = e instanceof WorkerJobError ? workerReport(e.state, e.metrics, e) : workerReport('FAILED', undefined, e);
    io.out(`${JSON.stringify(report)}\n`);
    throw e;
  }
}

/** yargs' messages, said in terms of flags and with a pointer to --help. */
function usageMessage(message: string, args: readonly string[], command: string): string {
  const unknown = /^Unknown arguments?: (.*)$/s.exec(message);
  let text = message;
  if (unknown && !COMMANDS.includes(command)) {
    text = `unknown command "${command}"; the commands are ${COMMANDS.join(', ')}`;
  } else if (unknown) {
    const items = unknown[1]!.split(', ');
    const isFlag = (name: string) => args.some((a) => a === `--${name}` || a.startsWith(`--${name}=`) || a === `--no-${name}` || a === `-${name}`);
    const flags = items.filter(isFlag);
    const others = items.filter((i) => !isFlag(i));
    const parts: string[] = [];
    if (flags.length) parts.push(`unknown flag${flags.length > 1 ? 's' : ''} ${flags.map((f) => `--${f}`).join(', ')}`);
    if (others.length) parts.push(`unexpected argument${others.length > 1 ? 's' : ''} ${others.map((o) => `"${o}"`).join(', ')}`);
    text = parts.join('; ');
  }
  return `${text} (see "${helpCommand(args, command)}")`;
}

/** The --help command that lists the flags the user is typing. */
function helpCommand(args: readonly string[], command: string): string {
  if (['run', 'proto'].includes(command) && args[1]) return `tributary ${command} ${args[1]} --help`;
  return command && ['worker', 'runners', ...HARNESS_COMMANDS, 'flink-cluster'].includes(command) ? `tributary ${command} --help` : 'tributary --help';
}

function isUsageError(e: unknown): boolean {
  return e instanceof UsageError || e instanceof InvalidOptionError || e instanceof UnknownRunnerError || e instanceof PipelineFileError;
}

function reportError(e: unknown, stacktrace: boolean, io: CliIO): void {
  const message = e instanceof Error ? e.message : String(e);
  io.err(`error: ${message}\n`);
  if (!stacktrace) return;
  let cur: unknown = e;
  for (let depth = 0; cur instanceof Error && depth < 5; depth++) {
    io.err(`${depth ? 'caused by: ' : ''}${cur.stack ?? cur.message}\n`);
    cur = cur.cause;
  }
}
