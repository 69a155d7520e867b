/**
 * The CLI from dist/ (what `npm install` builds) and from the TypeScript sources run the same
 * pipeline file the same way: the file keeps its own `import.meta.url`, it shares the CLI's
 * Tributary modules (compiled ones from dist/), and a failure in its code names its own line.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, runCli } from './run-cli.js';

const FILE = `${FIXTURES}/where-am-i.ts`;
const FILE_URL = pathToFileURL(`${ROOT}${FILE}`).href;

beforeAll(() => {
  // A no-op when dist/ is fresh (npm test builds it first), so other test files are undisturbed.
  const build = spawnSync(process.execPath, ['bin/build-dist.mjs'], { cwd: ROOT, encoding: 'utf8' });
  expect(build.status, build.stderr).toBe(0);
}, 300_000);

describe.each([
  ['from dist/', {}, true],
  ['from the sources', { TRIBUTARY_FROM_SOURCE: '1' }, false],
] as const)('tributary run %s', (_name, env, compiled) => {
  it('loads the pipeline file with its own import.meta.url and the CLI\'s Tributary', async () => {
    const r = await runCli(['run', FILE], env, 60_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`where-am-i: url=${FILE_URL} compiled=${compiled}`);
    expect(r.stdout).toContain('where-am-i: one SDK=true');
    expect(r.stdout).toMatch(/where-am-i\.ts on runner "direct": DONE/);
  }, 90_000);

  it('names the pipeline file\'s own line when its code fails', async () => {
    const r = await runCli(['run', FILE, '--fail', '--stacktrace'], env, 60_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('where-am-i fails on purpose');
    expect(r.stderr).toMatch(/where-am-i\.ts:18:\d+/);
  }, 90_000);
});

describe('tributary run from dist/: a compiled pipeline file is reused only while its files are unchanged', () => {
  it('sees an edit to a module the pipeline file imports', async () => {
    const dir = join(ROOT, FIXTURES, `.compiled-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      const helper = join(dir, 'greeting.ts');
      const writeHelper = (word: string, mtime: Date) => {
        writeFileSync(helper, `export const greeting: string = '${word}';\n`);
        utimesSync(helper, mtime, mtime);
      };
      const first = `first-${process.pid}`;
      const second = `second-${process.pid}`;
      writeHelper(first, new Date(Date.now() - 60_000));
      writeFileSync(
        join(dir, 'greet.ts'),
        [
          "import { Create, Pipeline } from '../../../../sdk/index.js';",
          "import { greeting } from './greeting.js';",
          'console.log(`greeting=${greeting}`);',
          "export default function build(p: Pipeline): void { p.apply(Create.of([greeting])); }",
          '',
        ].join('\n'),
      );
      const file = `${FIXTURES}/.compiled-${process.pid}/greet.ts`;
      const run = await runCli(['run', file], {}, 60_000);
      expect(run.stdout, run.stderr).toContain(`greeting=${first}`);
      const again = await runCli(['run', file], {}, 60_000);
      expect(again.stdout, again.stderr).toContain(`greeting=${first}`);
      expect(compiledCopiesHolding(first)).toBe(1);
      writeHelper(second, new Date());
      const edited = await runCli(['run', file], {}, 60_000);
      expect(edited.stdout, edited.stderr).toContain(`greeting=${second}`);
      // The edit replaced the compiled copy rather than adding one.
      expect(compiledCopiesHolding(first)).toBe(0);
      expect(compiledCopiesHolding(second)).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

/** How many compiled pipeline modules in the CLI's cache folder contain `text`. */
function compiledCopiesHolding(text: string): number {
  const dir = join(tmpdir(), 'tributary-pipelines');
  return readdirSync(dir).filter((f) => f.endsWith('.mjs') && readFileSync(join(dir, f), 'utf8').includes(text)).length;
}
