/** `tributary run` stopped by a signal: the job is cancelled and the run ends with its final state. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES, ROOT } from './run-cli.js';

describe('tributary run and signals', () => {
  it('SIGTERM cancels the job (as Ctrl-C does): the run prints CANCELLED and exits 1, not killed by the signal', async () => {
    const child = spawn(process.execPath, [BIN, 'run', `${FIXTURES}/wait-for-signal.ts`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    // The job is running once its DoFn says so.
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString('utf8');
        if (stderr.includes('waiting\n')) resolve();
      }),
    );
    child.kill('SIGTERM');
    const { code, signal } = await exited;
    expect(signal, stderr).toBeNull();
    expect(code, stderr).toBe(1);
    expect(stdout).toMatch(/wait-for-signal\.ts on runner "direct": CANCELLED in /);
  }, 60_000);
});
