/** The watching flags through the real CLI: what they start, what they refuse. */
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('tributary run --metricsPort / --ui', () => {
  it('serves metrics, or the job page, while the job runs, says where, and ends with the job', async () => {
    const metrics = await runCli(['run', 'examples/wordcount.ts', '--metricsPort=0']);
    expect(metrics.stderr).toMatch(/^metrics at http:\/\/127\.0\.0\.1:\d+\/metrics$/m);
    expect(metrics.stdout).toContain('on runner "direct": DONE');
    expect(metrics.code).toBe(0);
    const page = await runCli(['run', 'examples/wordcount.ts', '--ui=0', '--metricsHost=127.0.0.1']);
    expect(page.stderr).toMatch(/^job page at http:\/\/127\.0\.0\.1:\d+\/$/m);
    expect(page.code).toBe(0);
  });

  it('one port for both serves both', async () => {
    const r = await runCli(['run', 'examples/wordcount.ts', '--metricsPort=0', '--ui=0']);
    expect(r.stderr).toMatch(/^metrics at http:\/\/127\.0\.0\.1:(\d+)\/metrics, job page at http:\/\/127\.0\.0\.1:\1\/$/m);
    expect(r.code).toBe(0);
  });

  it('refuses a port that is not a port, and a host with nothing to serve', async () => {
    const bad = await runCli(['run', 'examples/wordcount.ts', '--metricsPort=70000']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--metricsPort expects a port number from 0 to 65535, got 70000');
    const host = await runCli(['run', 'examples/wordcount.ts', '--metricsHost=0.0.0.0']);
    expect(host.code).toBe(2);
    expect(host.stderr).toContain('--metricsHost needs --metricsPort or --ui');
    const log = await runCli(['run', 'examples/wordcount.ts', '--log=xml']);
    expect(log.code).toBe(2);
    expect(log.stderr).toContain('log');
  });
});
