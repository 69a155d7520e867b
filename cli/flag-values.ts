/**
 * Flags that take a value but were given none. yargs reads `--runner` (end of line, or followed
 * by another flag) and `--runner=` as an empty string, and an empty string then looks like "not
 * given": the default runner runs, an empty `--checkpointDir` turns checkpointing off, `--top`
 * keeps its default. A user who typed the flag meant something, so this is a usage error that
 * names the flag and shows the form it takes.
 */
import { UsageError } from './errors.js';

/** What a value flag expects, for the message: `--top=<number>`. */
export type ValueKind = 'string' | 'number';

/** `--checkpoint-dir` is yargs' kebab-case spelling of `--checkpointDir`. */
function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A following argument is a value unless it is another flag (`--x`, `-x`); `-5` is a number. */
function isValue(arg: string | undefined): boolean {
  if (arg === undefined) return false;
  if (arg.startsWith('--')) return false;
  if (arg.startsWith('-') && arg.length > 1) return /^-\d|^-\.\d/.test(arg);
  return true;
}

/** The value flags of a command: tributary's own and the pipeline's non-boolean options. */
export function valueFlagsOf(command: string, declarations: { readonly [name: string]: { readonly type: string } }): Map<string, ValueKind> {
  const own: Record<string, Record<string, ValueKind>> = {
    run: { runner: 'string', checkpointDir: 'string', checkpointIntervalMs: 'number', checkpointIfFinished: 'string' },
    proto: { out: 'string' },
    worker: { pipeline: 'string', proto: 'string', optionsJson: 'string', runner: 'string' },
  };
  const flags = new Map<string, ValueKind>(Object.entries(own[command] ?? {}));
  if (command === 'run' || command === 'proto') {
    for (const [name, spec] of Object.entries(declarations)) if (spec.type !== 'boolean') flags.set(name, spec.type === 'number' ? 'number' : 'string');
  }
  return flags;
}

/**
 * Throws a UsageError for the first flag of `valueFlags` given with no value. Arguments after a
 * bare `--` are positional and not looked at.
 */
export function checkFlagValues(args: readonly string[], valueFlags: ReadonlyMap<string, ValueKind>, helpCommand: string): void {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return;
    const m = /^--([^=]+)(=(.*))?$/s.exec(arg);
    if (!m) continue;
    const name = camel(m[1]!);
    const kind = valueFlags.get(name);
    if (kind === undefined) continue;
    const empty = m[2] !== undefined ? m[3]!.trim() === '' : !isValue(args[i + 1]);
    if (!empty) continue;
    const shown = `--${m[1]}`;
    throw new UsageError(
      `${shown} needs a value (${shown}=<${kind}>)${m[2] === undefined ? '' : ', got an empty one'}; ` +
        `leave the flag out to use its default (see "${helpCommand}")`,
    );
  }
}
