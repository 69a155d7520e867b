/**
 * Pipeline files and their typed options.
 *
 * A pipeline file exports `default`, a function that builds the pipeline from its options, and
 * optionally `options`, the flags it declares:
 *
 *   export const options = defineOptions({
 *     input: { type: 'string', describe: 'text file to count', default: 'words.txt' },
 *     minCount: { type: 'number', default: 1 },
 *     mode: { type: 'string', choices: ['backfill', 'realtime'] },
 *   });
 *   export default function build(p: Pipeline, opts: OptionsOf<typeof options>) { ... }
 *
 * `tributary run` and a worker both import the file and call `default` with the same options, so
 * the same graph (and the same closures) come out in both processes. This module is the model's
 * side of that: declarations, their inferred types and validation. It knows nothing of yargs;
 * the CLI maps declarations to flags.
 */
import { TributaryError } from '../errors.js';
import { Pipeline } from '../graph/pipeline.js';

interface OptionBase {
  /** One line for `--help`. */
  readonly describe?: string;
  /** The build function cannot run without it (ignored when there is a default). */
  readonly required?: boolean;
}

export interface StringOptionSpec extends OptionBase {
  readonly type: 'string';
  readonly default?: string;
  readonly choices?: readonly string[];
}

export interface NumberOptionSpec extends OptionBase {
  readonly type: 'number';
  readonly default?: number;
  readonly choices?: readonly number[];
  /** Whole numbers only. */
  readonly integer?: boolean;
}

export interface BooleanOptionSpec extends OptionBase {
  readonly type: 'boolean';
  /** false unless given. */
  readonly default?: boolean;
}

export type OptionSpec = StringOptionSpec | NumberOptionSpec | BooleanOptionSpec;
export type OptionDeclarations = { readonly [name: string]: OptionSpec };

type ValueOf<S> = S extends { readonly choices: readonly (infer C)[] }
  ? C
  : S extends { readonly type: 'string' }
    ? string
    : S extends { readonly type: 'number' }
      ? number
      : boolean;

/** Booleans default to false; a default or `required: true` makes a value always present. */
type AlwaysPresent<S> = S extends { readonly type: 'boolean' }
  ? true
  : S extends { readonly default: unknown }
    ? true
    : S extends { readonly required: true }
      ? true
      : false;

type Flatten<T> = { [K in keyof T]: T[K] } & {};

/** The value type of declared options: `OptionsOf<typeof options>`. */
export type OptionsOf<D> = Flatten<
  { readonly [K in keyof D as AlwaysPresent<D[K]> extends true ? K : never]: ValueOf<D[K]> } & {
    readonly [K in keyof D as AlwaysPresent<D[K]> extends true ? never : K]?: ValueOf<D[K]>;
  }
>;

/** A pipeline's build function: builds (never runs) the pipeline from its options. */
export type PipelineBuildFn<O = any> = (p: Pipeline, options: O) => void | Promise<void>;

/** The shape of a pipeline file's module. */
export interface PipelineModule<D extends OptionDeclarations = OptionDeclarations> {
  readonly default: PipelineBuildFn<OptionsOf<D>>;
  readonly options?: D;
}

/** A bad option declaration, or a value that does not fit its declaration. */
export class InvalidOptionError extends TributaryError {
  constructor(
    readonly option: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

const NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * Declares a pipeline's options; returns the declarations unchanged, typed precisely so that
 * `OptionsOf<typeof options>` gives the build function's option type. Checks the declarations.
 */
export function defineOptions<const D extends OptionDeclarations>(declarations: D): D {
  validateDeclarations(declarations);
  return Object.freeze({ ...declarations });
}

/** Throws InvalidOptionError if `declarations` is not a valid declarations object. */
export function validateDeclarations(declarations: unknown, where = 'options'): asserts declarations is OptionDeclarations {
  if (declarations === null || typeof declarations !== 'object' || Array.isArray(declarations)) {
    throw new InvalidOptionError(undefined, `${where} must be an object of option declarations (use defineOptions({...})), got ${kind(declarations)}`);
  }
  for (const [name, spec] of Object.entries(declarations)) {
    if (!NAME.test(name)) {
      throw new InvalidOptionError(name, `option name "${name}" in ${where} must be a camelCase identifier (letters and digits, starting with a letter)`);
    }
    if (spec === null || typeof spec !== 'object') {
      throw new InvalidOptionError(name, `option "${name}" in ${where} must be declared as { type: 'string' | 'number' | 'boolean', ... }, got ${kind(spec)}`);
    }
    const s = spec as Partial<OptionSpec> & { choices?: unknown };
    if (s.type !== 'string' && s.type !== 'number' && s.type !== 'boolean') {
      throw new InvalidOptionError(name, `option "${name}" in ${where} has type ${JSON.stringify(s.type)}; expected 'string', 'number' or 'boolean'`);
    }
    if (s.choices !== undefined) {
      if (s.type === 'boolean') throw new InvalidOptionError(name, `option "${name}" in ${where} is a boolean and cannot have choices`);
      if (!Array.isArray(s.choices) || s.choices.length === 0 || !s.choices.every((c) => typeof c === s.type)) {
        throw new InvalidOptionError(name, `option "${name}" in ${where} must list its choices as a non-empty array of ${s.type}s`);
      }
    }
    if (s.default !== undefined) {
      const problem = valueProblem(s as OptionSpec, s.default);
      if (problem) throw new InvalidOptionError(name, `option "${name}" in ${where} has default ${JSON.stringify(s.default)}, but ${problem}`);
    }
  }
}

/** What `--name` accepts, for error messages and help: "a number", "one of: a, b". */
export function expectedText(spec: OptionSpec): string {
  if ('choices' in spec && spec.choices) return `one of: ${spec.choices.map((c) => JSON.stringify(c)).join(', ')}`;
  if (spec.type === 'number') return spec.integer ? 'an integer' : 'a number';
  if (spec.type === 'boolean') return 'true or false';
  return 'a string';
}

function valueProblem(spec: OptionSpec, value: unknown): string | undefined {
  const wrongType =
    (spec.type === 'string' && typeof value !== 'string') ||
    (spec.type === 'boolean' && typeof value !== 'boolean') ||
    (spec.type === 'number' && (typeof value !== 'number' || Number.isNaN(value)));
  if (wrongType) return `it expects ${expectedText(spec)}`;
  if (spec.type === 'number' && spec.integer && !Number.isInteger(value)) return `it expects an integer`;
  if ('choices' in spec && spec.choices && !(spec.choices as readonly unknown[]).includes(value)) return `it expects ${expectedText(spec)}`;
  return undefined;
}

/**
 * Converts one flag's text (as typed on a command line) to its declared type, or throws an
 * InvalidOptionError naming the flag and what it expects. Values already of the right type pass.
 */
export function coerceOptionValue(name: string, spec: OptionSpec, raw: unknown): unknown {
  if (Array.isArray(raw)) {
    throw new InvalidOptionError(name, `--${name} was given ${raw.length} times; give it once`);
  }
  let value = raw;
  if (typeof raw === 'string') {
    if (spec.type === 'number') {
      const text = raw.trim();
      value = text === '' ? NaN : Number(text);
      if (Number.isNaN(value)) throw new InvalidOptionError(name, `--${name} expects ${expectedText(spec)}, got ${JSON.stringify(raw)}`);
    } else if (spec.type === 'boolean') {
      if (raw !== 'true' && raw !== 'false') throw new InvalidOptionError(name, `--${name} expects true or false, got ${JSON.stringify(raw)}`);
      value = raw === 'true';
    }
  }
  const problem = valueProblem(spec, value);
  if (problem) throw new InvalidOptionError(name, `--${name} expects ${problem.replace(/^it expects /, '')}, got ${JSON.stringify(value)}`);
  return value;
}

export interface ParseOptionsSettings {
  /** Where the values came from, for messages ("the command line", "--options-json"). */
  readonly source?: string;
}

/**
 * Validates option values against declarations: an unknown name, a value of the wrong type or
 * outside its choices, or a missing required option is an InvalidOptionError. Fills defaults
 * (booleans default to false). Strings are converted as on a command line.
 */
export function parseOptions<D extends OptionDeclarations>(declarations: D, values: Readonly<Record<string, unknown>>, settings: ParseOptionsSettings = {}): OptionsOf<D> {
  const source = settings.source ?? 'the options';
  const known = Object.keys(declarations);
  for (const name of Object.keys(values)) {
    if (!Object.hasOwn(declarations, name)) {
      const hint = known.length ? `the pipeline declares: ${known.map((k) => `--${k}`).join(', ')}` : 'the pipeline declares no options';
      throw new InvalidOptionError(name, `unknown option --${name} in ${source}; ${hint}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(declarations)) {
    const raw = values[name];
    if (raw === undefined) {
      if (spec.default !== undefined) out[name] = spec.default;
      else if (spec.type === 'boolean') out[name] = false;
      else if (spec.required) {
        throw new InvalidOptionError(name, `missing required option --${name} (${expectedText(spec)}${spec.describe ? `: ${spec.describe}` : ''})`);
      }
      continue;
    }
    out[name] = coerceOptionValue(name, spec, raw);
  }
  return out as OptionsOf<D>;
}

/**
 * Builds a pipeline from a pipeline module and raw option values: validates the options, creates
 * the Pipeline (with the options, so transforms can read them) and calls the module's build
 * function. Nothing runs.
 */
export async function buildPipeline<D extends OptionDeclarations>(
  module: PipelineModule<D>,
  values: Readonly<Record<string, unknown>> = {},
  settings: ParseOptionsSettings = {},
): Promise<{ pipeline: Pipeline; options: OptionsOf<D> }> {
  const declarations = (module.options ?? {}) as D;
  const options = parseOptions(declarations, values, settings);
  const pipeline = new Pipeline({ ...options });
  await module.default(pipeline, options);
  return { pipeline, options };
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}
