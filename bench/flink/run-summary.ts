/**
 * What the cluster bench reads from a `tributary run`: the summary the CLI prints when a job ends
 * (final state, counters, distributions), reduced to the processing time and a checksum.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export interface RunSummary {
  readonly state?: string;
  /** max(bench/endMs) − min(bench/startMs): first element made to last element out. */
  readonly processingMs: number;
  /** min(bench/startMs): the wall-clock time (ms) the processing window opened. */
  readonly windowStartMs: number;
  /** max − min of `bench/workerStartMs`: how much later the last worker began than the first. */
  readonly workerSkewMs: number;
  /** max(bench/generatedMs) − min(bench/startMs): first element made to the last one made. */
  readonly generationMs: number;
  /** max(bench/endMs) − max(bench/generatedMs): the last element made to the last one out
   *  (the precombines' flush, Flink's shuffle and grouping, the final merge: a cost no worker
   *  count divides). */
  readonly tailMs: number;
  /** max − min of `bench/workerGeneratedMs`: how much later the last worker made its last event
   *  than the first. */
  readonly generationSkewMs: number;
  /** Every `bench/…` counter, `name=value`, sorted: equal on runners that computed the same. */
  readonly checksum: string;
}

export function parseRunSummary(out: string): RunSummary {
  const state = /on runner "[^"]+": (\w+) in/.exec(out)?.[1];
  const counters: string[] = [];
  let startMs: number | undefined;
  let endMs: number | undefined;
  let workerSkewMs = 0;
  let generatedMs: number | undefined;
  let generationSkewMs = 0;
  let section = '';
  for (const line of out.split('\n')) {
    if (/^\S.*:$/.test(line)) section = line;
    const cells = line.trim().split(/\s+/);
    if (section === 'Counters:' && cells[0]?.startsWith('bench/')) counters.push(`${cells[0]}=${cells[2]}`);
    // metric, step, count, sum, min, max, mean
    if (section === 'Distributions:' && cells[0] === 'bench/startMs') startMs = Number(cells[4]);
    if (section === 'Distributions:' && cells[0] === 'bench/endMs') endMs = Number(cells[5]);
    if (section === 'Distributions:' && cells[0] === 'bench/workerStartMs') workerSkewMs = Number(cells[5]) - Number(cells[4]);
    if (section === 'Distributions:' && cells[0] === 'bench/generatedMs') generatedMs = Number(cells[5]);
    if (section === 'Distributions:' && cells[0] === 'bench/workerGeneratedMs') generationSkewMs = Number(cells[5]) - Number(cells[4]);
  }
  const processingMs = startMs === undefined || endMs === undefined ? NaN : endMs - startMs;
  const generationMs = startMs === undefined || generatedMs === undefined ? NaN : generatedMs - startMs;
  return { state, processingMs, windowStartMs: startMs ?? NaN, generationMs, tailMs: processingMs - generationMs, generationSkewMs, checksum: counters.sort().join(' '), workerSkewMs };
}

/** The CLI and the harness run compiled when dist/ is fresh, else through tsx (slower to start
 *  and to run): build it first so that every variant runs the same code. */
export function ensureCompiled(): void {
  const root = new URL('../../', import.meta.url).pathname;
  const r = spawnSync(process.execPath, [join(root, 'bin/build-dist.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error('bin/build-dist.mjs failed: the bench needs the compiled CLI');
}
