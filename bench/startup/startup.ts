/**
 * Start-up: wall time and peak RSS of a process that runs the trivial pipeline through the CLI,
 * against plain `node` doing nothing — the cost a user pays on every run, and a Flink job on
 * every worker it starts. Goal (issue #17): at most 0.3 s and 70 MB. Variants:
 *
 * - `cli-compiled`: `tributary run` from dist/ (what `npm install` builds; pipeline file compiled
 *   by esbuild), the default when dist/ is fresh;
 * - `cli-from-source`: the same with TRIBUTARY_FROM_SOURCE=1 (tsx compiles every module on load);
 * - `harness-load`: the compiled SDK harness module loaded (what a worker process pays before it
 *   dials the runner).
 *
 * Fresh process per run, variants interleaved, medians and spread of `--repeat=N` (default 5);
 * besides wall time, the CPU time of each process (all its threads), steadier under load.
 *
 *   npm run bench -- startup [--repeat=9]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { arg } from '../args.js';
import { median } from '../harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PEAK = fileURLToPath(new URL('./peak-rss.mjs', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/tributary.mjs', import.meta.url));
const PIPELINE = fileURLToPath(new URL('./trivial-pipeline.ts', import.meta.url));

const build = spawnSync(process.execPath, ['bin/build-dist.mjs'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) throw new Error('bin/build-dist.mjs failed: the compiled CLI cannot be measured');

const VARIANTS: Record<string, { args: string[]; env?: Record<string, string>; expect?: RegExp }> = {
  node: { args: ['-e', '0'] },
  'cli-compiled': { args: [BIN, 'run', PIPELINE], expect: /DONE/ },
  'cli-from-source': { args: [BIN, 'run', PIPELINE], env: { TRIBUTARY_FROM_SOURCE: '1' }, expect: /DONE/ },
  'harness-load': { args: ['-e', `await import(${JSON.stringify(`${ROOT}dist/runners/harness/harness.js`)})`, '--input-type=module'] },
};

function once(name: string): { seconds: number; cpuSeconds: number; peakRssMb: number } {
  const v = VARIANTS[name]!;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', PEAK, ...v.args], { cwd: ROOT, env: { ...process.env, ...v.env }, encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0 || (v.expect && !v.expect.test(r.stdout))) throw new Error(`startup ${name} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  const [, kb, cpu] = /@@peakRssKb=(\d+) cpuMicros=(\d+)/.exec(r.stderr) ?? [];
  return { seconds, cpuSeconds: Number(cpu) / 1e6, peakRssMb: Math.round(Number(kb) / 102.4) / 10 };
}

const repeat = Number(arg('repeat') ?? 5);
const runs = new Map<string, Array<{ seconds: number; cpuSeconds: number; peakRssMb: number }>>(Object.keys(VARIANTS).map((n) => [n, []]));
for (let i = 0; i < repeat; i++) {
  const order = i % 2 === 0 ? Object.keys(VARIANTS) : Object.keys(VARIANTS).reverse();
  for (const name of order) runs.get(name)!.push(once(name));
}
const nodeSeconds = median(runs.get('node')!.map((r) => r.seconds));
for (const [name, rs] of runs) {
  const secs = rs.map((r) => r.seconds);
  const rss = rs.map((r) => r.peakRssMb);
  console.log(
    JSON.stringify({
      case: `startup.${name}`,
      runs: repeat,
      seconds: +median(secs).toFixed(3),
      secondsSpread: [+Math.min(...secs).toFixed(3), +Math.max(...secs).toFixed(3)],
      // CPU time says less about what a user waits for, but far more than wall time on a busy machine.
      cpuSeconds: +median(rs.map((r) => r.cpuSeconds)).toFixed(3),
      peakRssMb: median(rss),
      overNodeSeconds: +(median(secs) - nodeSeconds).toFixed(3),
      ...(name === 'node' ? {} : { goalSeconds: 0.3, goalPeakRssMb: 70 }),
    }),
  );
}
