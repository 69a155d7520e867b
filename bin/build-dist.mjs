#!/usr/bin/env node
// Compiles Tributary's TypeScript into dist/ (run by `npm install` through `prepare`, and before
// `npm test`), so that `tributary` and `tributary-harness` start on plain Node: with a TypeScript
// loader registered, a process takes several times longer and tens of MB more to start. The CLI
// uses dist/ only while it is newer than every source (bin/launch.mjs), else the sources.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILT_AT, compiledIsFresh } from './launch.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
// Nothing to do, and other processes may be running from dist/ right now: leave it untouched.
if (compiledIsFresh()) process.exit(0);
const builtAt = Date.now();
rmSync(join(root, BUILT_AT), { force: true });
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (compiled.status !== 0) {
  console.error('tributary: compiling dist/ failed (above); the CLI keeps running from the TypeScript sources');
  process.exit(compiled.status ?? 1);
}
// The generated protobuf module is JavaScript already (portability-proto/build.mjs).
const generated = join(root, 'dist/portability-proto/generated');
mkdirSync(generated, { recursive: true });
for (const f of ['beam.js', 'beam.d.ts']) {
  copyFileSync(join(root, 'portability-proto/generated', f), join(generated, `${f}.partial`));
  renameSync(join(generated, `${f}.partial`), join(generated, f));
}
writeFileSync(join(root, BUILT_AT), `${builtAt}\n`);
