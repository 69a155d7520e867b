/**
 * The CLI's checkpoint flags end to end: the option values go into the checkpoint, a finished
 * job's checkpoint is started over (saying so) or refused with --checkpointIfFinished=fail, and
 * the flags without --checkpointDir are usage errors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../runners/direct/checkpoint-store.js';
import { FIXTURES, runCli } from './run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'cli-checkpoint-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('tributary run --checkpointDir', () => {
  it('records the option values, marks the checkpoint finished, and a re-run starts over or refuses', { timeout: 60_000 }, async () => {
    const cp = join(work, 'cp');
    const args = ['run', `${FIXTURES}/wordcount.ts`, `--checkpointDir=${cp}`, '--minCount=2'];
    const first = await runCli(args);
    expect(first.code, first.stderr).toBe(0);
    const saved = await new CheckpointStore(cp).load();
    expect(saved?.finished).toBe(true);
    expect(saved?.identity.options).toMatchObject({ minCount: '2', mode: '"backfill"' });

    const again = await runCli(args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/checkpoint: .*checkpoint\.v8 belongs to a job that finished at \S+; starting over/);

    const refused = await runCli([...args, '--checkpointIfFinished=fail']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/belongs to a job that finished at .*run with --checkpointIfFinished=restart to start it over/);
  });

  it('--checkpointIfFinished without --checkpointDir is a usage error', async () => {
    const r = await runCli(['run', `${FIXTURES}/wordcount.ts`, '--checkpointIfFinished=fail']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--checkpointIfFinished needs --checkpointDir');
  });
});
