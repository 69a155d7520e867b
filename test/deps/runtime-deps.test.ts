/**
 * Runtime dependencies are what shipped code imports (issue #19 item 7): every package imported
 * by shipped code is a runtime dependency (an install with --omit=dev must run it), and every
 * runtime dependency is imported by shipped code or listed below with the reason it is kept.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Folders whose code runs in a user's job or the `tributary` command. Tests and benchmarks do not ship. */
const SHIPPED = ['sdk', 'runners', 'io', 'cli', 'bin', 'portability-proto', 'engines', 'examples'];
/** Build steps that run from a development checkout (npm install / npm test), not in a job. */
const BUILD_ONLY = new Set(['portability-proto/build.mjs']);
/** Runtime dependencies no shipped file imports today, and why they stay. */
const KEPT: Record<string, string> = {
  long: 'protobufjs decodes 64-bit integers with it when installed (the generated code\'s int64 fields)',
  kafkajs: 'io/kafka (issue #14) imports it; landing in this session',
  '@grpc/grpc-js': 'runners/grpc and the Fn API harness (issue #12) import it; landing in this session',
};

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const full = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|mts|mjs|js)$/.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Package names imported (statically, dynamically or by require) by shipped code, with one importing file each. */
function importedPackages(): Map<string, string> {
  const out = new Map<string, string>();
  const builtins = new Set(builtinModules);
  const re = /(?:^|[^\w.])(?:import\s+(?!type\b)(?:[\w*{}\s,$]+\s+from\s+)?|import\s*\(\s*|require\s*\(\s*|export\s+(?!type\b)[\w*{}\s,$]+\s+from\s+)['"]([^'"]+)['"]/g;
  for (const file of SHIPPED.flatMap((d) => sourceFiles(join(root, d))).filter((f) => !BUILD_ONLY.has(f.slice(root.length)))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(re)) {
      const spec = m[1]!;
      if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:') || builtins.has(spec.split('/')[0]!)) continue;
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      if (!out.has(name)) out.set(name, file.slice(root.length));
    }
  }
  return out;
}

describe('runtime dependencies', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  const imported = importedPackages();

  it('every package shipped code imports is a runtime dependency', () => {
    const missing = [...imported].filter(([name]) => !(name in pkg.dependencies)).map(([name, file]) => `${name} (imported by ${file})`);
    expect(missing).toEqual([]);
  });

  it('every runtime dependency is imported by shipped code, or kept for a stated reason', () => {
    const unused = Object.keys(pkg.dependencies).filter((name) => !imported.has(name) && !(name in KEPT));
    expect(unused).toEqual([]);
  });

  it('sees the imports it should (the scan itself works)', () => {
    expect(imported.get('hyparquet')).toMatch(/^io\/parquet\//);
    expect(imported.has('tsx')).toBe(true); // bin/tributary.mjs registers it
    expect(imported.has('vitest')).toBe(false);
  });
});
