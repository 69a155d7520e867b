/**
 * `npm run bench` runs every benchmark case; `npm run bench -- <case>` runs the ones whose name
 * contains <case>. Each case is a script that prints one JSON line per measurement; they run one
 * after another (never in parallel: they measure throughput and peak memory).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const groups = ['core', 'startup', 'event-time', 'state', 'io', 'kappa', 'harness', 'faults', 'monitoring', 'kafka', 'deps', 'fuzz', 'portable', 'flink', 'flink-embedded'];
// helpers, not cases (fuzz targets, its child and mutations are loaded by bench/fuzz/fuzz.ts; the portable pipelines and Prism; the Flink cluster bench's summary reader)
const skip = new Set(['run-summary.ts', 'workloads.ts', 'generate-warehouse.ts', 'broker.ts', 'target.ts', 'child.ts', 'mutate.ts', 'pipelines.ts', 'prism.ts', 'trivial-pipeline.ts']);

const cases = groups.flatMap((g) => {
  try {
    return readdirSync(join(root, g))
      .filter((f) => f.endsWith('.ts') && !skip.has(f) && !f.endsWith('-target.ts'))
      .map((f) => join(root, g, f));
  } catch {
    return [];
  }
});

const filter = process.argv.slice(2).filter((a) => !a.startsWith('-'));
// `npm run bench -- monitoring --repeat=7`: settings go to every selected case
const settings = process.argv.slice(2).filter((a) => a.startsWith('--'));
// A filter that names a group runs that group's cases (`flink`: bench/flink/, not every file
// with "flink" in its name); any other filter runs the cases whose path contains it.
const matches = (c: string, f: string) => (groups.includes(f) ? relative(root, c).startsWith(`${f}/`) : relative(root, c).includes(f));
const selected = filter.length ? cases.filter((c) => filter.some((f) => matches(c, f))) : cases;
if (selected.length === 0) {
  console.error(`no benchmark matches ${filter.join(', ')}; cases: ${cases.map((c) => relative(root, c)).join(', ')}`);
  process.exit(2);
}

let failed = 0;
for (const file of selected) {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', file, ...settings], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    failed++;
    console.error(`benchmark ${relative(root, file)} failed (exit ${r.status})`);
  }
}
process.exit(failed ? 1 : 0);
