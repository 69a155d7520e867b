/**
 * The examples, the Kappa+ replay and a Kafka read on Apache Flink (`--runner=flink`, an embedded
 * Flink in Beam's Flink job server, one per file; the Kafka case starts a broker), run through the
 * CLI as a user runs them, against the direct runner's output. What does not run on Flink, and
 * why, is in docs/runners.md.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../cli/run-cli.js';
import { KILL_FIXTURE, writeKillTable, writtenPanes } from '../flink/kill-trial.js';
import { paneFiles, resumeTable } from '../kappa/resume-table.js';
import { useFlinkJobServer } from '../servers/flink-job-server.js';
import { tempDirForTest } from '../temp-dir.js';
import { createTopic, KAFKA_START_TIMEOUT_MS, produce, startTestBroker, type KafkaBroker } from '../servers/kafka/broker.js';
import { generateGpsTrace } from '../../examples/driving-score.js';

const flink = useFlinkJobServer();

/** What the pipeline printed, without the run's own summary (state, time, metrics), sorted:
 *  sinks print from parallel workers, so only the set of lines is the output. */
function printed(r: CliResult): string[] {
  const end = r.stdout.search(/^\S+ on runner "/m);
  return (end < 0 ? r.stdout : r.stdout.slice(0, end)).split('\n').filter((l) => l.trim() !== '').sort();
}

async function both(file: string, ...flags: string[]): Promise<{ direct: CliResult; onFlink: CliResult }> {
  const direct = await runCli(['run', file, '--runner=direct', ...flags], {}, 120_000);
  expect(direct.code, direct.stderr).toBe(0);
  const onFlink = await runCli(['run', file, '--runner=flink', `--jobEndpoint=${flink.endpoint}`, ...flags], {}, 300_000);
  expect(onFlink.code, onFlink.stderr).toBe(0);
  expect(onFlink.stdout).toMatch(/on runner "flink": DONE in/);
  return { direct, onFlink };
}

describe('examples on Flink (embedded, through the CLI) print what the direct runner prints', () => {
  it('wordcount', { timeout: 420_000 }, async () => {
    const { direct, onFlink } = await both('examples/wordcount.ts', '--top=5');
    expect(printed(onFlink)).toEqual(printed(direct));
    expect(printed(direct).length).toBeGreaterThanOrEqual(5);
    // User counters travel back from the harness through Flink's metrics.
    expect(onFlink.stdout).toMatch(/wordcount\/words\s+CountWords\s+60/);
  });

  it('enrich-orders: side inputs and tagged outputs', { timeout: 420_000 }, async () => {
    const { direct, onFlink } = await both('examples/enrich-orders.ts', '--orders=200');
    expect(printed(onFlink)).toEqual(printed(direct));
    expect(printed(direct).some((l) => /^ada\s+\d+\.\d\d EUR$/.test(l))).toBe(true);
  });

  it('suspicious-logins: ordered-list state, event-time timer families and a state TTL', { timeout: 420_000 }, async () => {
    // Flink sends a watermark step's TTL timers before the user timers: the harness clears the
    // state at the TTL's event time, not on arrival (all alerts were missing before).
    const { direct, onFlink } = await both('examples/suspicious-logins.ts', '--users=10', '--days=1', '--print=1000');
    expect(printed(onFlink)).toEqual(printed(direct));
    expect(printed(direct).filter((l) => /failed logins within the hour|impossible travel/.test(l)).length).toBe(7);
  });

  it("driving-score: a TestStream's watermark steps reach the stateful stage in order (EARLY panes)", { timeout: 420_000 }, async () => {
    // A TestStream runs one element per bundle at parallelism 1 on Flink: with Beam's 1,000 per
    // bundle every watermark step reached the trigger's stateful stage only at the end of input,
    // and this run gave 0 of the 6 EARLY panes.
    const { direct, onFlink } = await both('examples/driving-score.ts', '--users=3', '--trips=2', '--sampleSeconds=30');
    expect(printed(onFlink)).toEqual(printed(direct));
    expect(printed(direct).filter((l) => / EARLY /.test(l)).length).toBe(6);
  });
});

describe('the Kappa+ replay on Flink', () => {
  it('a splittable replay of a Parquet warehouse (2-hour sums over hourly partitions) writes the panes the direct runner writes', { timeout: 420_000 }, async () => {
    const table = await resumeTable();
    const work = tempDirForTest('flink-kappa-');
    const run = (runner: string[], out: string) => runCli(['run', 'test/fixtures/pipelines/kappa-resume.ts', ...runner, `--warehouse=${table}`, `--out=${out}`], {}, 300_000);
    const direct = await run(['--runner=direct'], join(work, 'direct'));
    expect(direct.code, direct.stderr).toBe(0);
    const onFlink = await run(['--runner=flink', `--jobEndpoint=${flink.endpoint}`], join(work, 'flink'));
    expect(onFlink.code, onFlink.stderr).toBe(0);
    const expected = paneFiles(join(work, 'direct'));
    expect(Object.keys(expected).length).toBeGreaterThan(0);
    expect(paneFiles(join(work, 'flink'))).toEqual(expected);
  });

  it('with checkpointing every 500 ms the replay reads every partition (it ended DONE after the first one)', { timeout: 420_000 }, async () => {
    const work = tempDirForTest('flink-kappa-checkpointed-');
    const table = await writeKillTable(work);
    const run = (runner: string[], out: string) => runCli(['run', KILL_FIXTURE, ...runner, `--warehouse=${table}`, `--out=${out}`], {}, 300_000);
    const direct = await run(['--runner=direct'], join(work, 'direct'));
    expect(direct.code, direct.stderr).toBe(0);
    const onFlink = await run(['--runner=flink', `--jobEndpoint=${flink.endpoint}`, '--checkpointingInterval=500', '--parallelism=1'], join(work, 'flink'));
    expect(onFlink.code, onFlink.stderr).toBe(0);
    expect(onFlink.stdout).toMatch(/kappa\/partitionsCompleted\s+\S+\s+6/);
    const expected = writtenPanes(join(work, 'direct'));
    expect(expected.split('\n')).toHaveLength(12);
    expect(writtenPanes(join(work, 'flink'))).toEqual(expected);
  });
});

describe('KafkaIO on Flink', () => {
  let broker: KafkaBroker;
  beforeAll(async () => {
    broker = await startTestBroker();
    await createTopic(broker, 'gps', 1);
    const trace = generateGpsTrace({ users: 3, tripsPerUser: 2, seed: 9, sampleSeconds: 10 }).sort((a, b) => a.arrival - b.arrival || a.timestamp - b.timestamp);
    await produce(broker, 'gps', trace.map((a) => ({ partition: 0, key: a.value.user, value: JSON.stringify(a.value), timestamp: String(a.arrival) })));
  }, KAFKA_START_TIMEOUT_MS);
  afterAll(async () => {
    await broker?.stop();
  });

  it("driving-score reading a topic to its end, one element per bundle at parallelism 1: the direct runner's panes, EARLY ones included", { timeout: 420_000 }, async () => {
    // Beam's Flink runner applies a watermark that reaches a stateful stage while a bundle is open
    // only when that bundle ends, merged with later steps. One element per bundle closes every
    // element's bundle before the next step arrives, and at parallelism 1 every step of the read
    // (each after at least one record) reaches the trigger's stage with an element between it and
    // the next (docs/runners.md, "KafkaIO on Flink"). At Beam's defaults (1,000 elements per
    // bundle, parallelism 2) some EARLY panes go missing, which ones depends on timing.
    const file = 'test/fixtures/pipelines/kafka-driving-score.ts';
    const flags = [`--brokers=${broker.bootstrap}`, '--topic=gps'];
    const direct = await runCli(['run', file, '--runner=direct', ...flags], {}, 120_000);
    expect(direct.code, direct.stderr).toBe(0);
    const onFlink = await runCli(['run', file, '--runner=flink', `--jobEndpoint=${flink.endpoint}`, '--maxBundleSize=1', '--parallelism=1', ...flags], {}, 300_000);
    expect(onFlink.code, onFlink.stderr).toBe(0);
    expect(printed(direct).filter((l) => / EARLY /.test(l))).toHaveLength(6);
    expect(printed(direct).filter((l) => / ON_TIME /.test(l))).toHaveLength(6);
    expect(printed(onFlink)).toEqual(printed(direct));
  });
});

describe('recovery on Flink', () => {
  it("a harness killed with SIGKILL mid-replay (checkpointing on, process workers): Flink restarts the job, new harnesses finish it, the pane files equal a clean run's", { timeout: 420_000 }, async () => {
    const table = await resumeTable();
    const work = tempDirForTest('flink-kill-harness-');
    const run = (runner: string[], out: string, more: string[] = []) =>
      runCli(['run', 'test/fixtures/pipelines/kappa-resume.ts', ...runner, `--warehouse=${table}`, `--out=${out}`, ...more], {}, 300_000);
    const clean = await run(['--runner=direct'], join(work, 'clean'));
    expect(clean.code, clean.stderr).toBe(0);
    // The fixture's DoFn SIGKILLs the harness process running it before the 6th file (once: a
    // marker file in --out), with files 1–5 read and the first 2-hour window already written.
    const killed = await run(
      ['--runner=flink', `--jobEndpoint=${flink.endpoint}`, '--environment=process', '--checkpointingInterval=500'],
      join(work, 'killed'),
      ['--fileDelayMs=300', '--crashAtFile=6'],
    );
    expect(killed.code, killed.stderr).toBe(0);
    expect(existsSync(join(work, 'killed', 'crashed.marker'))).toBe(true);
    const expected = paneFiles(join(work, 'clean'));
    expect(Object.keys(expected).length).toBe(6);
    expect(paneFiles(join(work, 'killed'))).toEqual(expected);
  });
});
