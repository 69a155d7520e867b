/**
 * The CLI from dist/ (what `npm install` builds) and from the TypeScript sources run the same
 * pipeline file the same way: the file keeps its own `import.meta.url`, it shares the CLI's
 * Tributary modules (compiled ones from dist/), and a failure in its code names its own line.
 */
import { spawnSync } from 'node:child_process';
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
    expect(r.stdout).toMatch(/where-am-i\.ts on runner "direct": DONE/);
  }, 90_000);

  it('names the pipeline file\'s own line when its code fails', async () => {
    const r = await runCli(['run', FILE, '--fail', '--stacktrace'], env, 60_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('where-am-i fails on purpose');
    expect(r.stderr).toMatch(/where-am-i\.ts:16:\d+/);
  }, 90_000);
});
