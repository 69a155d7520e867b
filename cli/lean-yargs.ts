/**
 * yargs, without its help layout loaded on every start.
 *
 * Why: yargs' own entry points (`yargs` and `yargs/helpers`) load cliui and string-width at
 * import, for laying out help text: 10–11 MB of the CLI's resident memory and a share of its
 * start-up (string-width's emoji and east-Asian width tables), on every command, although the
 * layout is only used when help or a usage error is printed. yargs builds itself from a platform
 * object (its `YargsFactory`); here that object is ours, and it loads cliui and string-width the
 * first time yargs calls them (a synchronous `require` of those ES modules, which Node supports
 * from 20.19 and 22.12).
 *
 * `YargsFactory` is not in yargs' exports map, so it is imported by its file path inside the
 * installed yargs (checked against 18.x). Where that fails (another yargs layout, or a Node that
 * cannot `require` an ES module), the stock entry points are used: the same CLI, only heavier.
 * `test/cli/lean-yargs.test.ts` says which one a build gets.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Argv } from 'yargs';

type YargsFn = (args?: readonly string[], cwd?: string) => Argv;
export type ArgvParser = typeof import('yargs/helpers').Parser;

interface Loaded {
  readonly yargs: YargsFn;
  readonly Parser: ArgvParser;
  /** True when help layout is loaded on first use (false: the stock entry points). */
  readonly lean: boolean;
}

async function loadLean(): Promise<Loaded | undefined> {
  if (!process.features.require_module) return undefined;
  try {
    const fromHere = createRequire(import.meta.url);
    const yargsRoot = dirname(fromHere.resolve('yargs/package.json'));
    if (!/^18\./.test((JSON.parse(readFileSync(join(yargsRoot, 'package.json'), 'utf8')) as { version: string }).version)) return undefined;
    // yargs' own dependencies, resolved from where yargs is installed.
    const fromYargs = createRequire(join(yargsRoot, 'package.json'));
    const [factory, parser] = await Promise.all([
      import(pathToFileURL(join(yargsRoot, 'build/lib/yargs-factory.js')).href) as Promise<{ YargsFactory: (shim: unknown) => YargsFn }>,
      import(pathToFileURL(fromYargs.resolve('yargs-parser')).href) as Promise<{ default: ArgvParser }>,
    ]);
    const y18n = fromYargs('y18n') as (opts: { directory: string; updateFiles: boolean }) => unknown;
    const findUp = fromYargs('escalade/sync') as unknown;
    const getCallerFile = fromYargs('get-caller-file') as (position?: number) => string;
    let cliui: ((opts: unknown) => unknown) | undefined;
    let stringWidth: ((s: string) => number) | undefined;
    const moduleDefault = <T>(m: unknown): T => ((m as { default?: T }).default ?? m) as T;
    // node:assert (a megabyte) and node:util only when yargs reaches for them.
    const builtin = <T>(name: string) => fromHere(name) as T;
    type Assert = typeof import('node:assert');
    const shim = {
      assert: {
        notStrictEqual: (actual: unknown, expected: unknown, message?: string) => builtin<Assert>('node:assert').notStrictEqual(actual, expected, message),
        strictEqual: (actual: unknown, expected: unknown, message?: string) => builtin<Assert>('node:assert').strictEqual(actual, expected, message),
      },
      cliui: (opts: unknown) => (cliui ??= moduleDefault<(opts: unknown) => unknown>(fromYargs('cliui')))(opts),
      stringWidth: (s: string) => (stringWidth ??= moduleDefault<(s: string) => number>(fromYargs('string-width')))(s),
      findUp: moduleDefault(findUp),
      getEnv: (key: string) => process.env[key],
      inspect: (value: unknown, options?: object) => builtin<typeof import('node:util')>('node:util').inspect(value, options),
      getProcessArgvBin: () => process.argv[1],
      mainFilename: process.cwd(),
      Parser: parser.default,
      path: { basename, dirname, extname, relative, resolve, join },
      process: {
        argv: () => process.argv,
        cwd: process.cwd,
        emitWarning: (warning: string | Error, type?: string) => process.emitWarning(warning, type),
        execPath: () => process.execPath,
        exit: (code: number) => process.exit(code),
        nextTick: process.nextTick,
        stdColumns: typeof process.stdout.columns !== 'undefined' ? process.stdout.columns : null,
      },
      readFileSync,
      readdirSync,
      require: fromHere,
      getCallerFile: () => {
        const file = getCallerFile(3);
        return file.startsWith('file://') ? fileURLToPath(file) : file;
      },
      y18n: moduleDefault<typeof y18n>(y18n)({ directory: join(yargsRoot, 'locales'), updateFiles: false }),
    };
    return { yargs: factory.YargsFactory(shim), Parser: parser.default, lean: true };
  } catch {
    return undefined;
  }
}

async function loadStock(): Promise<Loaded> {
  const [y, helpers] = await Promise.all([import('yargs'), import('yargs/helpers')]);
  return { yargs: y.default as unknown as YargsFn, Parser: helpers.Parser, lean: false };
}

const loaded = (await loadLean()) ?? (await loadStock());

/** A yargs instance, as `yargs()` from the `yargs` package makes it. */
export const yargs: YargsFn = loaded.yargs;
/** yargs-parser, as `yargs/helpers` exports it. */
export const Parser: ArgvParser = loaded.Parser;
/** Whether help layout is loaded on first use rather than at start. */
export const leanYargs: boolean = loaded.lean;
