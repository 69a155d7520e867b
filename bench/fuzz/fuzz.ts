/**
 * Fuzz script (issue #19): mutates valid inputs of each target at random and runs every case in a
 * child process with a heap limit and a timeout; prints one JSON line per target with `cases`,
 * `accepted`, `typedErrors`, `untypedErrors`, `crashes` and `hangs`, and exits 1 if any case
 * crashed, hung or ended in an untyped error. Failing inputs are saved under out/fuzz/.
 *
 *   npm run bench -- fuzz                         every bench/fuzz/<name>-target.ts, 2,000 cases each
 *   node --import tsx bench/fuzz/fuzz.ts --target=parquet --cases=2000 [--seed=1]
 *        [--timeout-ms=10000] [--heap-mb=128] [--children=1] [--recycle=500]
 *
 * A child runs cases one after another (starting one costs ~1 s of CPU for the TypeScript loader)
 * and is replaced after `--recycle` cases, after a crash and after a hang, so a case that leaks
 * can only disturb the few hundred after it, and each case still runs under the heap limit and
 * timeout.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prng } from '../../test/prng.js';
import { arg } from '../args.js';
import { mutate } from './mutate.js';
import type { CaseOutcome, FuzzTarget } from './target.js';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', '..', 'out', 'fuzz');

interface Settings {
  cases: number;
  seed: number;
  timeoutMs: number;
  heapMb: number;
  children: number;
  recycle: number;
}

interface Tally {
  cases: number;
  accepted: number;
  typedErrors: number;
  untypedErrors: number;
  crashes: number;
  hangs: number;
}

class Child {
  private proc: ChildProcess;
  private ready: Promise<void>;
  private pending: ((outcome: CaseOutcome | { kind: 'crash'; error: string }) => void) | undefined;
  ran = 0;

  constructor(target: string, heapMb: number) {
    this.proc = fork(join(here, 'child.ts'), [target], {
      execArgv: [`--max-old-space-size=${heapMb}`, '--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    let stderr = '';
    this.proc.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
    this.ready = new Promise((resolve, reject) => {
      this.proc.once('message', () => resolve());
      this.proc.once('exit', (code, signal) => reject(new Error(`fuzz child for ${target} exited before it was ready (${code ?? signal}): ${stderr}`)));
    });
    this.proc.on('message', (m: { id?: number; outcome?: CaseOutcome }) => {
      if (m.outcome && this.pending) {
        const done = this.pending;
        this.pending = undefined;
        done(m.outcome);
      }
    });
    this.proc.on('exit', (code, signal) => {
      const done = this.pending;
      this.pending = undefined;
      const lines = stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('    at '));
      done?.({ kind: 'crash', error: `exit ${code ?? ''}${signal ?? ''}: ${lines.slice(-12).join(' | ')}` });
    });
  }

  async run(id: number, input: Uint8Array, timeoutMs: number): Promise<CaseOutcome | { kind: 'crash' | 'hang'; error: string }> {
    await this.ready;
    this.ran++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        this.kill();
        resolve({ kind: 'hang', error: `no answer within ${timeoutMs} ms` });
      }, timeoutMs);
      this.pending = (o) => {
        clearTimeout(timer);
        resolve(o);
      };
      this.proc.send({ id, input: Buffer.from(input).toString('base64') });
    });
  }

  kill(): void {
    this.proc.kill('SIGKILL');
  }
}

async function fuzzTarget(name: string, s: Settings): Promise<Tally> {
  const target = ((await import(`./${name}-target.ts`)) as { default: FuzzTarget }).default;
  const seeds = await target.seeds();
  const offsets = seeds.map((seed) => target.lengthFieldOffsets?.(seed) ?? []);
  const random = prng(s.seed);
  const tally: Tally = { cases: 0, accepted: 0, typedErrors: 0, untypedErrors: 0, crashes: 0, hangs: 0 };
  const failures: string[] = [];
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    let child: Child | undefined;
    try {
      while (next < s.cases) {
        const id = next++;
        const which = Math.floor(random() * seeds.length);
        const { bytes, applied } = mutate(seeds[which]!, random, offsets[which]!);
        if (!child || child.ran >= s.recycle) {
          child?.kill();
          child = new Child(name, s.heapMb);
        }
        const outcome = await child.run(id, bytes, s.timeoutMs);
        tally.cases++;
        if (outcome.kind === 'accepted') tally.accepted++;
        else if (outcome.kind === 'typed') tally.typedErrors++;
        else {
          if (outcome.kind === 'untyped') tally.untypedErrors++;
          else tally.crashes += outcome.kind === 'crash' ? 1 : 0;
          if (outcome.kind === 'hang') tally.hangs++;
          if (outcome.kind !== 'untyped') child = undefined; // killed or dead: start a new one
          mkdirSync(outDir, { recursive: true });
          const file = join(outDir, `${name}-${outcome.kind}-${s.seed}-${id}.bin`);
          writeFileSync(file, bytes);
          failures.push(`${outcome.kind} case ${id} (seed input ${which}, ${applied.join('+')}): ${outcome.error} -> ${file}`);
        }
      }
    } finally {
      child?.kill();
    }
  };
  await Promise.all(Array.from({ length: s.children }, worker));
  const seconds = (performance.now() - t0) / 1000;
  for (const f of failures.slice(0, 20)) console.error(f);
  console.log(
    JSON.stringify({
      case: 'fuzz',
      target: name,
      seed: s.seed,
      seedInputs: seeds.length,
      ...tally,
      heapMb: s.heapMb,
      timeoutMs: s.timeoutMs,
      seconds: +seconds.toFixed(1),
      casesPerSecond: +(tally.cases / seconds).toFixed(1),
    }),
  );
  return tally;
}

const settings: Settings = {
  cases: Number(arg('cases') ?? 2000),
  seed: Number(arg('seed') ?? 1),
  timeoutMs: Number(arg('timeout-ms') ?? 10_000),
  heapMb: Number(arg('heap-mb') ?? 128),
  children: Number(arg('children') ?? 1),
  recycle: Number(arg('recycle') ?? 500),
};
const only = arg('target');
const targets = only ? [only] : readdirSync(here).filter((f) => f.endsWith('-target.ts')).map((f) => f.slice(0, -'-target.ts'.length));
let bad = 0;
for (const t of targets) {
  const tally = await fuzzTarget(t, settings);
  bad += tally.crashes + tally.hangs + tally.untypedErrors;
}
process.exit(bad > 0 ? 1 : 0);
