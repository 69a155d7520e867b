/**
 * Resume after a crash (issue #6, item 5): a replay killed with SIGKILL in the middle of a
 * partition, run again with the same checkpoint directory, ends with exactly the panes of an
 * uninterrupted run — and it resumed (it did not read everything again).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { t, warehouse } from './harness.js';

const PIPELINE = 'test/fixtures/pipelines/kappa-resume.ts';

/** 4 hourly partitions × 3 files × 10 rows, keys a/b/c, values 1..n. */
async function table(): Promise<string> {
  const files: Record<string, { ts: number; key: string; value: number }[]> = {};
  let v = 0;
  for (let h = 0; h < 4; h++) {
    for (let f = 1; f <= 3; f++) {
      files[`t/dt=2024-01-01/hr=0${h}/f${f}.parquet`] = Array.from({ length: 10 }, (_, i) => ({
        ts: t(`0${h}:${String(i * 5 + f).padStart(2, '0')}`),
        key: 'abc'[(i + f) % 3]!,
        value: ++v,
      }));
    }
  }
  return join(await warehouse(files), 't');
}

function panes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir)) if (f.endsWith('.json')) out[f] = readFileSync(join(dir, f), 'utf8');
  return out;
}

function rowsRead(stdout: string): number {
  const m = /\brows\b[^\d\n]*(\d+)/.exec(stdout);
  if (!m) throw new Error(`no rows counter in:\n${stdout}`);
  return Number(m[1]);
}

describe('resume after a crash in the middle of a partition', () => {
  it('ends with the panes of an uninterrupted run, each written once, without re-reading what was done', { timeout: 60_000 }, async () => {
    const root = await table();
    const work = await mkdtemp(join(tmpdir(), 'kappa-resume-'));
    const run = (out: string, cp: string, crashAtFile = 0) =>
      runCli(['run', PIPELINE, `--warehouse=${root}`, `--out=${out}`, `--checkpointDir=${cp}`, `--crashAtFile=${crashAtFile}`]);

    const clean = await run(join(work, 'clean'), join(work, 'cp-clean'));
    expect(clean.code, clean.stderr).toBe(0);
    expect(rowsRead(clean.stdout)).toBe(120);

    // File 8 of 12 is the second file of hr=02: the crash lands inside a partition, with the
    // 2-hour window [02:00, 04:00) open and [00:00, 02:00) already written.
    const crashed = await run(join(work, 'resumed'), join(work, 'cp'), 8);
    expect(crashed.code).not.toBe(0);
    expect(existsSync(join(work, 'cp', 'checkpoint.v8'))).toBe(true);
    const beforeCrash = panes(join(work, 'resumed'));
    expect(Object.keys(beforeCrash).length).toBeGreaterThan(0);

    const resumed = await run(join(work, 'resumed'), join(work, 'cp'));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(rowsRead(resumed.stdout)).toBeGreaterThan(0);
    expect(rowsRead(resumed.stdout)).toBeLessThan(120);

    expect(panes(join(work, 'resumed'))).toEqual(panes(join(work, 'clean')));
    // Each pane identity was written by one run only: the resumed run did not re-emit panes the
    // crashed run had committed before its last checkpoint.
    const emitted = readFileSync(join(work, 'resumed', 'emitted.log'), 'utf8').trim().split('\n');
    expect(new Set(emitted).size).toBe(Object.keys(panes(join(work, 'clean'))).length);
    expect(emitted.length).toBe(new Set(emitted).size);
  });
});
