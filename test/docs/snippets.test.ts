/**
 * Every TypeScript block of the docs is code that works (issue 18):
 * - a block whose first line names an example (`// examples/driving-score.ts`, optionally
 *   "(abridged)") is an extract: each of its lines appears, in order, in that file — and the
 *   examples are run by test/e2e and test/examples;
 * - any other block is a program: written into a directory laid out like a clone, type-checked
 *   with the project's settings, and run. A pipeline file (a default export that builds the
 *   pipeline) runs through `tributary run`, required options given a placeholder value. A block
 *   whose first line is `// compile-only: <reason>` is type-checked only; the reason says what it
 *   would need (a server at a fixed address, data at a fixed path).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import { DOCS, ROOT, blocks, cloneLikeDir, type Block } from './doc-blocks.js';

const EXTRACT = /^\/\/ ((?:examples|test)\/[\w/.-]+\.ts)\b/;
const COMPILE_ONLY = /^\/\/ compile-only: \S/;
const ts = DOCS.flatMap(blocks).filter((b) => b.lang === 'ts' || b.lang === 'typescript');
const extracts = ts.filter((b) => EXTRACT.test(b.body));
const programs = ts.filter((b) => !EXTRACT.test(b.body));

/** A line as compared: trimmed, without a trailing `// comment`. */
const norm = (line: string) => line.trim().replace(/\s+\/\/.*$/, '');
/** Lines the docs may add or leave out: blank, `...`, and whole-line comments (the docs' own remarks). */
const isGap = (line: string) => line === '' || /^(\.\.\.|…)$/.test(line) || line.startsWith('//');

describe('docs TypeScript blocks that are extracts of examples', () => {
  it('exist (the docs quote the examples)', () => {
    expect(extracts.length).toBeGreaterThan(5);
  });
  for (const b of extracts) {
    it(`${b.doc}:${b.line} is in ${EXTRACT.exec(b.body)![1]}`, () => {
      const file = EXTRACT.exec(b.body)![1]!;
      const source = readFileSync(join(ROOT, file), 'utf8').split('\n').map(norm);
      let at = 0;
      for (const line of b.body.split('\n').slice(1).map(norm)) {
        if (isGap(line)) continue;
        // `{ ... }`, `<...>` or a trailing ` ...` leave out the rest of the line: the part before must start a line.
        const omitted = line.search(/\{ \.\.\. \}|<\.\.\.>| \.\.\.$/);
        const found = omitted === -1 ? source.indexOf(line, at) : source.findIndex((l, i) => i >= at && l.startsWith(line.slice(0, omitted).trimEnd()));
        expect(found, `"${line}" (${b.doc}:${b.line}) not found in ${file} after line ${at}`).toBeGreaterThanOrEqual(0);
        at = found + 1;
      }
    });
  }
});

describe('docs TypeScript blocks that are programs', () => {
  const clone = cloneLikeDir('tributary-snippets-');
  /** Where each program block is written: imports of `../` mean a file one folder down. */
  const files = new Map<Block, string>();
  for (const [i, b] of programs.entries()) {
    const name = `${b.doc.replace(/[/.]/g, '-')}-${b.line}.ts`;
    const nested = /from '\.\.\//.test(b.body) || /from "\.\.\//.test(b.body);
    files.set(b, nested ? join(clone, 'snippets', name) : join(clone, `snippet-${i}-${name}`));
  }
  let compiled: { code: number; out: string };
  beforeAll(async () => {
    mkdirSync(join(clone, 'snippets'), { recursive: true });
    for (const [b, file] of files) writeFileSync(file, b.body);
    writeFileSync(join(clone, 'tsconfig.snippets.json'), JSON.stringify({ extends: './tsconfig.json', include: ['snippet-*.ts', 'snippets'] }));
    compiled = await new Promise((resolve) =>
      execFile(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', join(clone, 'tsconfig.snippets.json')], { cwd: clone, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
        resolve({ code: err ? 1 : 0, out: `${stdout}${stderr}` }),
      ),
    );
  }, 300_000);
  afterAll(() => rmSync(clone, { recursive: true, force: true }));

  it('exist', () => {
    expect(programs.length).toBeGreaterThan(5);
  });

  for (const b of programs) {
    const where = `${b.doc}:${b.line}`;
    it(`${where} type-checks${COMPILE_ONLY.test(b.body) ? ' (compile-only)' : ' and runs'}`, async () => {
      const file = files.get(b)!;
      const base = file.slice(file.lastIndexOf('/') + 1);
      const errors = compiled.out.split('\n').filter((l) => l.includes(base));
      expect(errors, `${where}:\n${errors.join('\n')}`).toEqual([]);
      if (COMPILE_ONLY.test(b.body)) return;
      const mod = (await import(pathToFileURL(file).href)) as { default?: unknown; options?: Record<string, { type: string; required?: boolean; default?: unknown }> };
      if (typeof mod.default === 'function') {
        // A pipeline file: run it as the docs say, through the CLI.
        const flags = Object.entries(mod.options ?? {})
          .filter(([, spec]) => spec.required && spec.default === undefined)
          .map(([name, spec]) => `--${name}=${spec.type === 'number' ? 1 : spec.type === 'boolean' ? 'true' : 'x'}`);
        let err = '';
        const code = await main(['run', file, ...flags], { out: () => {}, err: (t) => void (err += t) });
        expect(code, err).toBe(0);
      }
    }, 120_000);
  }

  it('type-check together with no error at all', () => {
    expect(compiled.code, compiled.out).toBe(0);
  });
});
