/**
 * Resume after a crash (issue #6, item 5): a replay killed with SIGKILL in the middle of a
 * partition, run again with the same checkpoint directory, ends with exactly the panes of an
 * uninterrupted run — and it resumed where it was inside that partition: checkpoints are taken
 * while windows are open (the grouping's state is in them), so the runner does not wait for a
 * partition boundary.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { tempDirForTest } from '../temp-dir.js';
import { CheckpointStore } from '../../runners/direct/checkpoint-store.js';
import { ByteReader, Coders } from '../../sdk/coders/index.js';
import type { ReplayPosition } from '../../io/kappa/position.js';
import { FILES, PARTITIONS, ROWS, paneFiles as panes, resumeTable as table } from './resume-table.js';

const PIPELINE = 'test/fixtures/pipelines/kappa-resume.ts';

/** The replay's position in a checkpoint: the splittable read's saved restriction, as the
 *  replay's restriction coder wrote it. */
async function replayPosition(dir: string): Promise<ReplayPosition> {
  const cp = await new CheckpointStore(dir).load();
  const reads = Object.values(cp?.operators ?? {}).find((s): s is { restriction: Uint8Array }[] => Array.isArray(s) && s[0]?.restriction instanceof Uint8Array);
  if (!reads) throw new Error(`no replay position in the checkpoint in ${dir}`);
  return Coders.json<ReplayPosition>().decode(new ByteReader(reads[0]!.restriction), true);
}

function rowsRead(stdout: string): number {
  const m = /\brows\b[^\d\n]*(\d+)/.exec(stdout);
  if (!m) throw new Error(`no rows counter in:\n${stdout}`);
  return Number(m[1]);
}

describe('resume after a crash in the middle of a partition', () => {
  it('ends with the panes of an uninterrupted run, each written once, resuming inside the partition', { timeout: 60_000 }, async () => {
    const root = await table();
    const work = tempDirForTest('kappa-resume-');
    // A checkpoint at every consistent moment (after each batch of rows, and each watermark).
    const run = (out: string, cp: string, crashAtFile = 0) =>
      runCli(['run', PIPELINE, `--warehouse=${root}`, `--out=${out}`, `--checkpointDir=${cp}`, '--checkpointIntervalMs=0', `--crashAtFile=${crashAtFile}`]);

    const clean = await run(join(work, 'clean'), join(work, 'cp-clean'));
    expect(clean.code, clean.stderr).toBe(0);
    expect(rowsRead(clean.stdout)).toBe(PARTITIONS * FILES * ROWS);

    // Files are read one at a time: file 9 of 12 is the third file of hr=02 (step 2). The crash
    // lands inside that partition, with the 2-hour window [02:00, 04:00) open (holding hr=02's
    // first two files) and [00:00, 02:00) already written.
    const crashAt = 9;
    const crashedStep = Math.floor((crashAt - 1) / FILES);
    const crashed = await run(join(work, 'resumed'), join(work, 'cp'), crashAt);
    expect(crashed.code).not.toBe(0);
    expect(existsSync(join(work, 'cp', 'checkpoint.v8'))).toBe(true);
    const beforeCrash = panes(join(work, 'resumed'));
    expect(Object.keys(beforeCrash).length).toBeGreaterThan(0);

    // The last checkpoint was taken after hr=02's second file was read to its end: the first is
    // finished, the second read to its last row (it is marked finished only when the next file
    // is claimed, and the crash comes first).
    const position = await replayPosition(join(work, 'cp'));
    expect(position.step).toBe(crashedStep);
    expect(position.finished).toEqual([join(root, 'dt=2024-01-01', 'hr=02', 'f1.parquet')]);
    expect(position.partial).toEqual({ [join(root, 'dt=2024-01-01', 'hr=02', 'f2.parquet')]: ROWS });

    // The same options as the crashed run (the fixture crashes once per output folder).
    const resumed = await run(join(work, 'resumed'), join(work, 'cp'), crashAt);
    expect(resumed.stderr).toMatch(/checkpoint: resumed from checkpoint \d+ saved at /);
    expect(resumed.code, resumed.stderr).toBe(0);
    // A resume from the start of the crashed partition would read it and every later one again.
    const fromPartitionStart = (PARTITIONS - crashedStep) * FILES * ROWS;
    const done = position.finished.length * ROWS + Object.values(position.partial ?? {}).reduce((a, b) => a + b, 0);
    expect(rowsRead(resumed.stdout)).toBe(fromPartitionStart - done);
    expect(rowsRead(resumed.stdout)).toBeLessThan(fromPartitionStart);

    expect(panes(join(work, 'resumed'))).toEqual(panes(join(work, 'clean')));
    // Each pane identity was written by one run only: the resumed run did not re-emit panes the
    // crashed run had committed before its last checkpoint.
    const emitted = readFileSync(join(work, 'resumed', 'emitted.log'), 'utf8').trim().split('\n');
    expect(new Set(emitted).size).toBe(Object.keys(panes(join(work, 'clean'))).length);
    expect(emitted.length).toBe(new Set(emitted).size);
  });
});
