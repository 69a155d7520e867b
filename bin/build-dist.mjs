#!/usr/bin/env node
// Builds dist/ (run by `npm install` through `prepare`, and before `npm test`), so that
// `tributary` and `tributary-harness` start on plain Node: with a TypeScript loader registered, a
// process takes several times longer and tens of MB more to start. The CLI uses dist/ only while
// it is newer than every source (bin/launch.mjs), else the sources.
//
// esbuild compiles the TypeScript sources (the folders of tsconfig.build.json's `include`); npm
// packages stay outside. Why bundles: loading ~190 module files through Node's ES module loader
// (resolve, stat, read, compile, link, per file) was most of the CLI's start-up. So:
//
// - dist/tributary-sdk.js holds, as one module, the SDK, the direct runner and what they import
//   statically (what a pipeline on the direct runner loads);
// - dist/tributary.js the CLI on top of it, dist/tributary-harness.js the SDK harness (what a
//   portable or Flink worker adds); a bundle imports an earlier bundle's modules from that bundle;
// - every other module (the portable and Flink runners, connectors, engines, ...) is compiled on
//   its own to dist/<path>.js and loaded when something first imports it;
// - for a module inside a bundle, dist/<path>.js re-exports it from its bundle.
//
// So dist/<path>.js is THE module of <path>.ts, whoever imports it (a pipeline file's imports of
// Tributary go there: runners/worker/esbuild-tributary.ts), and a process holds one copy of each.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILT_AT, compiledIsFresh } from './launch.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
// Nothing to do, and other processes may be running from dist/ right now: leave it untouched.
if (compiledIsFresh()) process.exit(0);
const builtAt = Date.now();
rmSync(join(root, BUILT_AT), { force: true });

/** The bundles, in order: a bundle holds the static imports reachable from its entry points that
 *  no earlier bundle holds. `exports`: what the bundle module itself exports (bin/launch.mjs). */
const BUNDLES = [
  { file: 'tributary-sdk.js', entries: ['sdk/index.ts', 'sdk/options/index.ts', 'runners/direct/direct-runner.ts'], exports: [] },
  {
    file: 'tributary.js',
    entries: ['cli/main.ts', 'cli/exit.ts'],
    exports: [`export { main } from './cli/main.ts';`, `export { exitAfterOutput } from './cli/exit.ts';`],
  },
  { file: 'tributary-harness.js', entries: ['runners/harness/harness.ts'], exports: [] },
];

const { build } = await import('esbuild');
// The import.meta plugin is shared with the pipeline-file compiler (TypeScript: loaded through tsx).
const { register } = await import('tsx/esm/api');
const unregister = register();
const { keepImportMeta } = await import('../runners/worker/esbuild-tributary.ts');
await unregister();

/** Every module source dist/ holds: the .ts files of tsconfig.build.json's `include`. */
function sources() {
  const include = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')).include;
  const found = [];
  const walk = (rel) => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(path);
    }
  };
  for (const entry of include) (entry.endsWith('.ts') ? found.push(entry) : walk(entry));
  return found.sort();
}

const COMMON = { absWorkingDir: root, platform: 'node', format: 'esm', target: 'node20', write: false, logLevel: 'silent' };
const twinOf = (source) => source.replace(/\.ts$/, '.js');
const isOwn = (path) => !path.startsWith('node_modules/') && !path.startsWith('(disabled)');
const output = [];

// 1. Which bundle holds which module: the static imports reachable from its entry points. The
// first bundle is the base of the others; a module that two others reach goes into it too, so
// that no bundle loads another's (the harness would otherwise load the CLI, yargs and all).
const graph = await build({ ...COMMON, bundle: true, packages: 'external', metafile: true, entryPoints: BUNDLES.flatMap((b) => b.entries), outdir: 'dist' });
const reach = (entries, outside) => {
  const found = new Set();
  const pending = [...entries];
  while (pending.length > 0) {
    const file = pending.pop();
    if (found.has(file) || outside.has(file)) continue;
    found.add(file);
    for (const imp of graph.metafile.inputs[file]?.imports ?? []) {
      if (imp.kind === 'import-statement' && !imp.external && isOwn(imp.path)) pending.push(imp.path);
    }
  }
  return found;
};
const [base, ...others] = BUNDLES;
const inBase = reach(base.entries, new Set());
const reached = others.map((b) => reach(b.entries, inBase));
for (const [i, files] of reached.entries()) {
  for (const f of files) if (reached.some((other, j) => j !== i && other.has(f))) inBase.add(f);
}
const bundleOf = new Map([...inBase].map((f) => [f, base])); // source -> bundle
for (const [i, files] of reached.entries()) for (const f of files) if (!inBase.has(f)) bundleOf.set(f, others[i]);
const bundled = [...bundleOf.keys()].sort();

// 2. Their export names (star re-exports resolved), for the modules that re-export them.
const named = await build({ ...COMMON, bundle: true, packages: 'external', metafile: true, splitting: true, entryPoints: bundled, outdir: 'dist' });
const exportsOf = new Map(Object.values(named.metafile.outputs).filter((o) => o.entryPoint).map((o) => [o.entryPoint, o.exports]));
const unnamed = bundled.filter((f) => !exportsOf.has(f));
if (unnamed.length > 0) throw new Error(`bin/build-dist.mjs: no exports found for ${unnamed.join(', ')}`);

/** The module text that is `source` of `bundle`, for a module in folder `dir` (of dist/). */
function reexport(source, bundle, dir) {
  const twin = twinOf(source);
  const exported = exportsOf.get(source);
  const names = exported.filter((n) => n !== 'default');
  return [
    `// Built by bin/build-dist.mjs: ${source} is compiled into dist/${bundle.file}; this is that module.`,
    `import { modules } from ${JSON.stringify(`${relative(dir, '.') || '.'}/${bundle.file}`)};`,
    `const m = modules[${JSON.stringify(twin)}];`,
    ...(names.length > 0 ? [`export const { ${names.join(', ')} } = m;`] : []),
    ...(exported.includes('default') ? ['export default m.default;'] : []),
    '',
  ].join('\n');
}

// 3. Each bundle: its own exports and the namespace of each module it holds. An import of a
// module of an earlier bundle takes it from that bundle; of any other module, from dist/<path>.js.
for (const bundle of BUNDLES) {
  const held = bundled.filter((f) => bundleOf.get(f) === bundle);
  const entry = [
    ...bundle.exports,
    ...held.map((f, i) => `import * as m${i} from ${JSON.stringify(`./${f}`)};`),
    `export const modules = {${held.map((f, i) => `${JSON.stringify(twinOf(f))}: m${i}`).join(', ')}};`,
  ].join('\n');
  const earlier = BUNDLES.slice(0, BUNDLES.indexOf(bundle));
  const outside = {
    name: 'outside-this-bundle',
    setup(b) {
      b.onResolve({ filter: /^\./ }, async (args) => {
        if (args.pluginData === 'outside-this-bundle') return undefined;
        const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'outside-this-bundle' });
        const file = relative(root, r.path);
        if (r.errors.length > 0 || r.external || !isOwn(file) || bundleOf.get(file) === bundle) return undefined;
        if (args.kind === 'import-statement' && earlier.includes(bundleOf.get(file))) return { path: file, namespace: 'earlier-bundle' };
        return { path: `./${twinOf(file)}`, external: true };
      });
      b.onResolve({ filter: /^\.\/tributary[-a-z]*\.js$/ }, (args) => (args.pluginData === 'earlier-bundle' ? { path: args.path, external: true } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'earlier-bundle' }, (args) => ({ contents: reexport(args.path, bundleOf.get(args.path), '.'), loader: 'js', pluginData: 'earlier-bundle' }));
    },
  };
  const built = await build({
    ...COMMON,
    bundle: true,
    packages: 'external',
    stdin: { contents: entry, resolveDir: root, sourcefile: `${bundle.file}-entry.js`, loader: 'js' },
    outfile: join('dist', bundle.file),
    // Each module keeps its own URL: the one of dist/<path>.js (the bundles are in dist/ itself).
    plugins: [outside, keepImportMeta((path) => `new URL(${JSON.stringify(`./${twinOf(relative(root, path))}`)}, import.meta.url).href`)],
  });
  output.push([join('dist', bundle.file), built.outputFiles[0].contents]);
  for (const source of held) output.push([join('dist', twinOf(source)), reexport(source, bundle, dirname(source))]);
}

// 4. Every other module compiled on its own, as it is.
const single = await build({ ...COMMON, entryPoints: sources().filter((f) => !bundleOf.has(f)), outdir: 'dist', outbase: '.' });
for (const out of single.outputFiles) output.push([relative(root, out.path), out.contents]);

// 5. Whole files, renamed into place (other processes may be loading dist/ right now).
for (const [file, data] of output) {
  const path = join(root, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.${process.pid}.partial`, data);
  renameSync(`${path}.${process.pid}.partial`, path);
}
// What the earlier build (tsc, one compiled file per module) left and nothing reads now.
rmSync(join(root, 'dist/.tsbuildinfo'), { force: true });
writeFileSync(join(root, BUILT_AT), `${builtAt}\n`);
