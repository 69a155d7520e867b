// --runner=flink refuses what cannot work before any JVM starts: a Flink master nobody answers
// at, a job server nobody answers at, no Java; and flink flags given to another runner.
// (Jobs on Flink itself: test/e2e/flink.test.ts.)
import { describe, expect, it } from 'vitest';
import { freePort } from '../../engines/java-process.js';
import { runCli } from '../cli/run-cli.js';
import { tempDirForTest } from '../temp-dir.js';

describe('--runner=flink setup errors', () => {
  it('a --flinkMaster where no JobManager answers: named, with what to give instead', async () => {
    const master = `127.0.0.1:${await freePort()}`;
    const r = await runCli(['run', 'examples/wordcount.ts', '--runner=flink', `--flinkMaster=${master}`], {}, 60_000);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`--flinkMaster=${master}: no Flink JobManager answers there`);
    expect(r.stderr).toContain('tributary flink-cluster start');
  });

  it('--ui and --metricsPort watch a run that starts its own job server (the page is up before the job server)', async () => {
    const master = `127.0.0.1:${await freePort()}`;
    const ui = await freePort();
    const r = await runCli(['run', 'examples/wordcount.ts', '--runner=flink', `--flinkMaster=${master}`, `--ui=${ui}`, `--metricsPort=${ui}`], {}, 60_000);
    expect(r.stderr).not.toContain('cannot be watched');
    expect(r.stdout + r.stderr).toContain(`job page at http://127.0.0.1:${ui}/`);
    // The run itself still stops at the unreachable master, after the page was served.
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`--flinkMaster=${master}: no Flink JobManager answers there`);
  });

  it('a malformed --flinkMaster is refused', async () => {
    const r = await runCli(['run', 'examples/wordcount.ts', '--runner=flink', '--flinkMaster=jobmanager'], {}, 60_000);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--flinkMaster expects \[local\].*got "jobmanager"/);
  });

  it('an unreachable --jobEndpoint: names the endpoint', async () => {
    const endpoint = `127.0.0.1:${await freePort()}`;
    const r = await runCli(['run', 'examples/wordcount.ts', '--runner=flink', `--jobEndpoint=${endpoint}`], {}, 60_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no Beam job server answers at ${endpoint}`);
  });

  it('no Java: says that Java 17 is needed and how to get it', async () => {
    // An empty PATH (node itself is started by its full path): neither java nor JAVA_HOME's runs.
    const emptyDir = tempDirForTest('tributary-no-java-');
    const r = await runCli(['run', 'examples/wordcount.ts', '--runner=flink'], { PATH: emptyDir, JAVA_HOME: '/nonexistent' }, 60_000);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Beam's Flink job server needs Java 17 or newer, and no java could be run \(java: .*ENOENT/);
    expect(r.stderr).toContain('JAVA_HOME');
  });

  it('a flink flag with another runner is a usage error', async () => {
    const r = await runCli(['run', 'examples/wordcount.ts', '--runner=direct', '--parallelism=2'], {}, 60_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--parallelism is a flag of the flink runner; add --runner=flink');
  });
});
