/**
 * Fault injection for checkpoints and the two-phase-commit sinks (issue #16): runs a
 * checkpointed backfill once cleanly, then, for each trial, kills it with SIGKILL at a random
 * moment of its processing, runs it again with the same flags to the end, and compares what the
 * two-phase-commit sinks committed (Parquet rows, text lines) with the clean run's, as multisets.
 *
 *   npm run bench -- faults                   the defaults below
 *   node --expose-gc --import tsx bench/faults/checkpoint-kill.ts [--trials=20] [--seed=1] [--partitions=12] [--files=2] [--rows=10000]
 *
 * Prints one JSON line per trial and a summary line: trials, killed (the kill came before the
 * job ended; a moment after the job ended is drawn again, counted in missed), resumed (the second run said it resumed from a checkpoint), identical (committed
 * output equal to the clean run's and no pending file left), duplicates (items committed more
 * often than in the clean run), lost (less often), orphansLeft (pending files left behind).
 * Uses the default checkpoint interval. Exits 1 unless every trial is identical.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readParquetRows } from '../../io/parquet/index.js';
import { CheckpointStore } from '../../runners/direct/checkpoint-store.js';
import { arg } from '../args.js';
import { prng } from '../harness.js';
import { generateWarehouse } from '../io/generate-warehouse.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/tributary.mjs');
const PIPELINE = relative(ROOT, fileURLToPath(new URL('./lib/backfill-pipeline.ts', import.meta.url)));

const trials = Number(arg('trials') ?? 20);
const seed = Number(arg('seed') ?? 1);
/** Only kill this many ms after the first checkpoint (to reproduce one trial). */
const killAt = arg('killAfterMs');
const work = mkdtempSync(join(tmpdir(), 'checkpoint-kill-'));
const warehouse = join(work, 'warehouse');
await generateWarehouse({ dir: warehouse, partitions: Number(arg('partitions') ?? 12), files: Number(arg('files') ?? 2), rows: Number(arg('rows') ?? 10_000), rowGroupSize: 5_000 });

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  /** ms from the first checkpoint on disk to the end (undefined: none was seen). */
  readonly afterFirstCheckpoint?: number;
  readonly killed: boolean;
}

/** Runs the backfill; with `killAfter`, kills it that many ms after its first checkpoint lands. */
function run(out: string, cp: string, killAfter?: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'run', PIPELINE, `--warehouse=${warehouse}`, `--out=${out}`, `--checkpointDir=${cp}`], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let firstCheckpoint: number | undefined;
    let killed = false;
    const poll = setInterval(() => {
      if (firstCheckpoint === undefined && existsSync(join(cp, 'checkpoint.v8'))) {
        firstCheckpoint = performance.now();
        if (killAfter !== undefined) {
          setTimeout(() => {
            if (child.exitCode === null && child.signalCode === null) {
              killed = true;
              child.kill('SIGKILL');
            }
          }, killAfter);
        }
      }
    }, 5);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      resolve({ code, signal, stderr, killed, afterFirstCheckpoint: firstCheckpoint === undefined ? undefined : performance.now() - firstCheckpoint });
    });
  });
}

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
}

const isPending = (f: string) => f.split('/').some((part) => part.startsWith('_pending'));

/** What the sinks committed: one item per Parquet row and per text line, counted. */
async function committed(out: string): Promise<{ items: Map<string, number>; pending: number }> {
  const items = new Map<string, number>();
  const add = (k: string) => items.set(k, (items.get(k) ?? 0) + 1);
  const all = files(out);
  for (const f of all.filter((f) => !isPending(f))) {
    if (f.endsWith('.parquet')) for await (const r of readParquetRows(f)) add(`row ${JSON.stringify(r)}`);
    else if (f.endsWith('.txt')) for (const line of readFileSync(f, 'utf8').split('\n')) if (line) add(`count ${line}`);
  }
  return { items, pending: all.filter(isPending).length };
}

function compare(clean: Map<string, number>, got: Map<string, number>): { duplicates: number; lost: number; examples: string[] } {
  let duplicates = 0;
  let lost = 0;
  const examples: string[] = [];
  for (const [k, n] of got) {
    const extra = n - (clean.get(k) ?? 0);
    if (extra > 0) {
      duplicates += extra;
      if (examples.length < 3 || k.startsWith('row')) examples.push(`+${extra} ${k}`);
    }
  }
  for (const [k, n] of clean) {
    const missing = n - (got.get(k) ?? 0);
    if (missing > 0) {
      lost += missing;
      if (examples.length < 6 || k.startsWith('row')) examples.push(`-${missing} ${k}`);
    }
  }
  return { duplicates, lost, examples };
}

const clean = await run(join(work, 'clean'), join(work, 'clean-cp'));
if (clean.code !== 0) throw new Error(`the clean run failed (exit ${clean.code}):\n${clean.stderr}`);
const expected = await committed(join(work, 'clean'));
const window = clean.afterFirstCheckpoint ?? 1000;
console.log(JSON.stringify({ case: 'faults.checkpoint-kill.clean', items: [...expected.items.values()].reduce((a, b) => a + b, 0), processingMs: Math.round(window) }));

const rnd = prng(seed);
const totals = { trials: 0, killed: 0, missed: 0, resumed: 0, identical: 0, duplicates: 0, lost: 0, orphansLeft: 0 };
for (let t = 0; t < trials; t++) {
  const out = join(work, `trial-${t}`);
  const cp = join(work, `trial-${t}-cp`);
  // A moment of the processing; one that came after the job ended (the process had exited, or
  // was killed after marking its checkpoint finished) is drawn again — a re-run of a finished
  // job starts over by design, so it is no trial — at most three times.
  let killAfter = 0;
  let first: Run | undefined;
  const ended = async (r: Run | undefined) => !r?.killed || (await new CheckpointStore(cp).load())?.finished === true;
  for (let attempt = 0; attempt < 3 && (await ended(first)); attempt++) {
    if (first) {
      totals.missed++;
      rmSync(out, { recursive: true, force: true });
      rmSync(cp, { recursive: true, force: true });
    }
    killAfter = killAt !== undefined ? Number(killAt) : Math.floor(rnd() * window);
    first = await run(out, cp, killAfter);
  }
  if (!first) throw new Error('unreachable');
  // A run that ended before the kill finished its job: running it again would start over.
  const second = (await ended(first)) ? first : await run(out, cp);
  if (second.code !== 0) throw new Error(`trial ${t}: the resumed run failed (exit ${second.code}):\n${second.stderr}`);
  const got = await committed(out);
  const { duplicates, lost, examples } = compare(expected.items, got.items);
  const resumed = /checkpoint: resumed from/.test(second.stderr);
  const identical = duplicates === 0 && lost === 0 && got.pending === 0;
  totals.trials++;
  if (first.killed) totals.killed++;
  if (resumed) totals.resumed++;
  if (identical) totals.identical++;
  totals.duplicates += duplicates;
  totals.lost += lost;
  totals.orphansLeft += got.pending;
  console.log(JSON.stringify({ case: 'faults.checkpoint-kill.trial', trial: t, killAfterMs: killAfter, killed: first.killed, resumed, identical, duplicates, lost, orphansLeft: got.pending }));
  if (!identical) console.error(`trial ${t} differs from the clean run, e.g.:\n  ${examples.join('\n  ')}\n${second.stderr}`);
  if (identical || !arg("keep")) rmSync(out, { recursive: true, force: true });
}
console.log(JSON.stringify({ case: 'faults.checkpoint-kill', seed, ...totals }));
if (!arg("keep")) rmSync(work, { recursive: true, force: true });
else console.error(`kept ${work}`);
process.exit(totals.identical === totals.trials ? 0 : 1);
