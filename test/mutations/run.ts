/**
 * `npm run mutations [-- <name filter>]`: applies each mutation of ./mutations.ts to a scratch
 * copy of the working tree (never to the tree itself), runs the tests it names there, and says
 * whether they noticed (killed: some test failed) or not (survived). Before any mutation the same
 * tests run unmutated and must pass, so a kill means the mutation, not a broken tree.
 * Prints one line per mutation, then `mutations: N`, `killed: K`, `survived: S`; exits 1 if a
 * mutation survived or could not be applied.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MUTATIONS, type Mutation } from './mutations.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The working tree as git sees it (tracked and new files, not ignored ones), plus what builds. */
function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-mutants-'));
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed in ${repo}: ${listed.stderr}`);
  for (const f of listed.stdout.split('\0')) {
    if (!f) continue;
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    try {
      copyFileSync(join(repo, f), join(dir, f));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // deleted, not yet committed
    }
  }
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  cpSync(join(repo, 'portability-proto', 'generated'), join(dir, 'portability-proto', 'generated'), { recursive: true });
  return dir;
}

function apply(source: string, m: Mutation): string {
  const parts = source.split(m.find);
  const count = parts.length - 1;
  const which = m.occurrence ?? 1;
  if (count === 0 || (m.occurrence === undefined && count !== 1) || which > count) {
    throw new Error(`mutation "${m.name}": expected ${m.occurrence === undefined ? 'exactly one' : `an occurrence #${which} of`} ${JSON.stringify(m.find)} in ${m.file}, found ${count}`);
  }
  return parts.slice(0, which).join(m.find) + m.replace + parts.slice(which).join(m.find);
}

const RUN_TIMEOUT_MS = Number(process.env['MUTATION_RUN_TIMEOUT_MS'] ?? 240_000);

function runTests(dir: string, tests: readonly string[]): { passed: boolean; summary: string } {
  // One worker without isolation: the files share one import of the code (most of the time a
  // run costs), which is what a mutation run needs; the full suite keeps its isolation. A thread,
  // not a process: a run killed for hanging takes its worker with it.
  const r = spawnSync(process.execPath, [join(dir, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--pool=threads', '--maxWorkers=1', '--isolate=false', ...tests], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, CI: '1', FORCE_COLOR: '0' },
    maxBuffer: 64 * 1024 * 1024,
    // A mutation can turn a loop endless (a timer that never fires is rescheduled forever): a
    // run that does not end in time did not pass.
    timeout: RUN_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return { passed: false, summary: `hung: no result within ${RUN_TIMEOUT_MS / 1000} s` };
  const summary = /tests: .*/.exec(r.stdout)?.[0] ?? `exit ${r.status}`;
  return { passed: r.status === 0, summary };
}

const filter = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const selected = filter.length ? MUTATIONS.filter((m) => filter.some((f) => m.name.includes(f) || m.file.includes(f))) : MUTATIONS;
const dir = scratchCopy();
// Interrupted: the scratch copy goes too (once the running test process has ended: stop that
// one first, or its process group).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  });
}
let killed = 0;
let survived = 0;
let notApplicable = 0;
try {
  const allTests = [...new Set(selected.flatMap((m) => m.tests))];
  const base = runTests(dir, allTests);
  if (!base.passed) {
    console.error(`the unmutated tree fails ${allTests.join(' ')} (${base.summary}): fix that first`);
    process.exit(2);
  }
  console.log(`baseline: ${allTests.join(' ')}: ${base.summary}`);
  for (const m of selected) {
    const file = join(dir, m.file);
    const original = readFileSync(file, 'utf8');
    let mutated: string;
    try {
      mutated = apply(original, m);
    } catch (e) {
      notApplicable++;
      console.log(`NOT APPLICABLE  ${m.name}: ${(e as Error).message}`);
      continue;
    }
    writeFileSync(file, mutated);
    try {
      const r = runTests(dir, m.tests);
      if (r.passed) survived++;
      else killed++;
      console.log(`${r.passed ? 'SURVIVED' : 'killed  '}  ${m.name} (${m.file}; ${m.tests.join(' ')}: ${r.summary})`);
    } finally {
      writeFileSync(file, original);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`mutations: ${selected.length}`);
console.log(`killed: ${killed}`);
console.log(`survived: ${survived}`);
if (notApplicable) console.log(`not applicable: ${notApplicable}`);
process.exit(survived || notApplicable ? 1 : 0);
