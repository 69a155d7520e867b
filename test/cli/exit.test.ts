/**
 * The CLI exits without losing what the job printed, however slowly its output is read. On POSIX
 * a pipe is written asynchronously: what the reader has not taken waits in the process, and a bare
 * `process.exit` dropped it (a loaded CI run once printed 2,994 of 4,399 sessions and exited 0).
 * Here the reader holds back until the job has printed its last line with output still queued.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES, ROOT } from './run-cli.js';

describe('tributary run: a slow reader of its output', () => {
  it('gets every line before the process exits', async () => {
    const lines = 20_000;
    const child = spawn(process.execPath, [BIN, 'run', `${FIXTURES}/print-lots.ts`, `--lines=${lines}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pause();
    let stderr = '';
    const queuedAtLastLine = new Promise<number>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /queued=(\d+)/.exec(stderr);
        if (m) resolve(Number(m[1]));
      }),
    );
    const exited = once(child, 'exit');
    const queued = await Promise.race([queuedAtLastLine, exited.then(() => -1)]);
    // The precondition of the loss: output still in the process when the job is done.
    expect(queued, stderr).toBeGreaterThan(0);
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stdout.resume();
    const [code] = await exited;
    expect(code, stderr).toBe(0);
    const printed = stdout.split('\n').filter((l) => l.startsWith('line '));
    expect(printed.length).toBe(lines);
    expect(printed.at(-1)).toMatch(/^line 00019999 /);
    expect(stdout).toMatch(/print-lots\.ts on runner "direct": DONE/);
  }, 60_000);
});
