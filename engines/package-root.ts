/**
 * Where the package's own files are (bin/, package.json, .engines/), whether this code runs from
 * its TypeScript sources or from the compiled `dist/` (one folder deeper): a path written relative
 * to a module would point into `dist/` once compiled.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This module runs compiled (`dist/engines/package-root.js`), not from its source. */
export const RUNNING_COMPILED = /\/dist\/engines\/package-root\.js$/.test(import.meta.url);

const ROOT = fileURLToPath(new URL(RUNNING_COMPILED ? '../../' : '../', import.meta.url));

/** An absolute path inside the package, e.g. `packagePath('bin', 'tributary.mjs')`. */
export function packagePath(...parts: string[]): string {
  return join(ROOT, ...parts);
}

let compiledFolders: readonly string[] | undefined;

/** The folders compiled into `dist/`: the top folders of tsconfig.build.json's `include` (read
 *  once; bin/launch.mjs reads the same list). A source under one of them has a compiled twin at
 *  `dist/<same path>.js`. */
function foldersCompiled(): readonly string[] {
  if (!compiledFolders) {
    const include = (JSON.parse(readFileSync(packagePath('tsconfig.build.json'), 'utf8')) as { include: string[] }).include;
    compiledFolders = [...new Set(include.map((entry) => entry.split('/')[0]!))];
  }
  return compiledFolders;
}

/** The compiled twin of a package source file, or undefined when it has none. */
export function compiledTwin(sourcePath: string): string | undefined {
  const root = packagePath();
  if (!sourcePath.startsWith(root)) return undefined;
  const rel = sourcePath.slice(root.length);
  if (!foldersCompiled().some((dir) => rel.startsWith(`${dir}/`))) return undefined;
  return join(root, 'dist', rel.replace(/\.ts$/, '.js'));
}
