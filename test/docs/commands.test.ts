/**
 * Every command the docs show works from a clone. `npx tributary …` commands run for real (the
 * real CLI, in a directory laid out like a fresh clone, so what they write goes there) and must
 * exit 0 — those on the direct runner over a file of the repository; a command that needs an
 * engine or a cluster (another runner, `flink-cluster`) or names the reader's own file is checked
 * through its `--help`; `npm run X` / `npm start` / `npm test` must name a script of package.json; `npx tsx F`
 * and `npx vitest run P` must name files that exist. `curl` to a job's own server must
 * name a port a command of the same page opens. (`npm start` itself runs in
 * test/e2e/kappa-demo.test.ts; `npm test` is this suite.)
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DOCS, ROOT, cloneLikeDir, commands } from './doc-blocks.js';

const all = DOCS.flatMap(commands);
const benchFiles = (readdirSync(join(ROOT, 'bench'), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const clone = cloneLikeDir('tributary-docs-');
afterAll(() => rmSync(clone, { recursive: true, force: true }));

/** Splits a shell line into words (no quoting is used in the docs' commands). */
const words = (command: string) => command.split(/\s+/).filter(Boolean);

function runTributary(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(clone, 'bin/tributary.mjs'), ...args], { cwd: clone, timeout: 240_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('the commands the docs show', () => {
  it('are found (the docs show commands at all)', () => {
    expect(all.filter((c) => c.command.startsWith('npx tributary')).length).toBeGreaterThan(10);
  });

  const seen = new Set<string>();
  for (const { doc, command } of all) {
    if (seen.has(command)) continue;
    seen.add(command);
    const [tool, ...rest] = words(command);
    if (command.endsWith('...')) continue; // `npx tributary ...`: a form, not a command
    if (tool === 'npx' && rest[0] === 'tributary') {
      const [sub, file] = rest.slice(1);
      const runner = /--runner=(\S+)/.exec(command)?.[1] ?? 'direct';
      const runnable = sub === 'runners' || ((sub === 'run' || sub === 'proto') && existsSync(join(ROOT, file ?? '')) && runner === 'direct');
      // Commands that need an engine or a cluster (another runner, flink-cluster) or the reader's
      // own pipeline file: the command and its flags must exist (`--help` exits 0).
      const args = runnable ? rest.slice(1) : [sub!, ...(sub === 'run' || sub === 'proto' ? [] : rest.slice(2, 3).filter((a) => !a.startsWith('-'))), '--help'];
      it(`${doc}: ${command}${runnable ? '' : ' (its --help: needs an engine, a cluster or your own file)'}`, async () => {
        const r = await runTributary(args);
        expect(r.code, `${command}\nstdout: ${r.stdout.slice(-2000)}\nstderr: ${r.stderr.slice(-2000)}`).toBe(0);
        expect(r.stderr).not.toMatch(/^error:/m);
      }, 300_000);
    } else if (tool === 'npm') {
      it(`${doc}: ${command} names a package.json script`, () => {
        for (const part of command.split('&&').map((c) => words(c.trim()))) {
          const [, verb, name] = part;
          if (verb === 'install' || verb === 'ci') continue;
          const script = verb === 'run' ? name! : verb!;
          expect(Object.keys(scripts), command).toContain(script);
          // bench/run.ts runs the case files whose path contains the name (a group folder or a file)
          if (verb === 'run' && script === 'bench' && part[3] === '--') expect(benchFiles.some((f) => f.includes(part[4]!)), `bench case ${part[4]}`).toBe(true);
        }
      });
    } else if (tool === 'npx' && (rest[0] === 'tsx' || rest[0] === 'vitest')) {
      it(`${doc}: ${command} names files that exist`, () => {
        const path = rest[0] === 'tsx' ? rest[1]! : rest[2]!;
        expect(existsSync(join(ROOT, path)), path).toBe(true);
      });
    } else if (tool === 'curl') {
      // A request to a job's own server: the same page must show the command that starts it on that port.
      it(`${doc}: ${command} talks to a port a command of the page opens`, () => {
        const port = /127\.0\.0\.1:(\d+)/.exec(command)?.[1];
        expect(port, `${command} names no local port`).toBeDefined();
        expect(all.some((c) => c.doc === doc && c.command.startsWith('npx tributary') && new RegExp(`=${port}\\b`).test(c.command))).toBe(true);
      });
    } else if (tool === 'java') {
      // A JVM engine started by hand from the jars the project fetches (engines/, cached in .engines/).
      it(`${doc}: ${command} uses the jars the project fetches`, () => {
        expect(command).toMatch(/\.engines\/maven\//);
        expect(existsSync(join(ROOT, 'engines/maven.ts'))).toBe(true);
      });
    } else if (tool === 'node') {
      it(`${doc}: ${command} names a file that exists`, () => {
        expect(existsSync(join(ROOT, rest[0]!)), rest[0]).toBe(true);
      });
    } else {
      it(`${doc}: ${command} is a command this test knows how to check`, () => {
        expect.fail(`add a check for "${command}" to test/docs/commands.test.ts`);
      });
    }
  }
});
