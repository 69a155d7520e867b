/**
 * Kill -9 trials of an exactly-once Kafka job (issue #14): a job reading a Kafka topic and
 * writing every event and per-user 10-second counts exactly-once to another topic
 * (test/fixtures/pipelines/kafka-exactly-once.ts) is run once cleanly to measure how long it
 * processes, then, per trial, killed with SIGKILL at a random moment of that span after its
 * first checkpoint, resumed from its checkpoint, and its output read by a plain kafkajs
 * read_committed consumer and compared with what the input says it must hold.
 *
 *   npm run bench -- kafka-faults     (also part of npm run bench -- kafka)
 *   npx tsx bench/kafka/kafka-faults.ts [--trials=10] [--seed=1] [--events=20000] [--killAfterMs=N]
 *
 * One JSON line per trial, then the summary: trials, killed (before the job ended; moments
 * after the end are drawn again, counted in missed), resumed, identical (no duplicate, nothing
 * lost), duplicates, lost, abortedRecords (records of killed transactions, in the topic but
 * never seen by read_committed readers). Exits 1 unless every trial is identical.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg } from '../args.js';
import { prng } from '../harness.js';
import { startBenchBroker } from './broker.js';
import { createTrialTopic, expectedOutput, killTrial, produceTrialInput, runTrialJob, topicValues, compareOutput } from '../../test/io/kafka/kill-trial.js';

const trials = Number(arg('trials') ?? 10);
const seed = Number(arg('seed') ?? 1);
const eventCount = Number(arg('events') ?? 20_000);
const fixedKill = arg('killAfterMs');
const work = mkdtempSync(join(tmpdir(), 'kafka-faults-'));
const broker = await startBenchBroker();
try {
  const events = await produceTrialInput(broker.bootstrap, 'events', eventCount);
  const expected = expectedOutput(events);
  const flags = (name: string) => ({ bootstrap: broker.bootstrap, input: 'events', output: `out-${name}`, sinkGroup: `sink-${name}`, checkpointDir: join(work, `cp-${name}`) });

  await createTrialTopic(broker.bootstrap, 'out-clean');
  const clean = await runTrialJob(flags('clean'));
  if (clean.code !== 0) throw new Error(`the clean run failed (exit ${clean.code}):\n${clean.stderr}`);
  const cleanCheck = compareOutput(expected, (await topicValues(broker.bootstrap, 'out-clean')).values);
  const span = clean.afterFirstCheckpoint ?? 1000;
  console.log(JSON.stringify({ case: 'kafka-faults.clean', events: eventCount, outputRecords: expected.size, processingMs: Math.round(span), duplicates: cleanCheck.duplicates, lost: cleanCheck.lost }));

  const rnd = prng(seed);
  const totals = { trials: 0, killed: 0, missed: 0, resumed: 0, identical: 0, duplicates: 0, lost: 0, abortedRecords: 0 };
  for (let t = 0; t < trials; t++) {
    let result;
    for (let attempt = 0; attempt < 3; attempt++) {
      const name = `t${t}-${attempt}`;
      const killAfter = fixedKill !== undefined ? Number(fixedKill) : Math.floor(rnd() * span);
      result = await killTrial(flags(name), expected, killAfter);
      if (result.killed) break;
      totals.missed++;
    }
    const r = result!;
    totals.trials++;
    if (r.killed) totals.killed++;
    if (r.resumed) totals.resumed++;
    if (r.identical) totals.identical++;
    totals.duplicates += r.duplicates;
    totals.lost += r.lost;
    totals.abortedRecords += r.abortedRecords;
    console.log(JSON.stringify({ case: 'kafka-faults.trial', trial: t, killAfterMs: r.killAfterMs, killed: r.killed, resumed: r.resumed, identical: r.identical, duplicates: r.duplicates, lost: r.lost, abortedRecords: r.abortedRecords }));
    if (!r.identical) console.error(`trial ${t} differs, e.g.:\n  ${r.examples.join('\n  ')}\n${r.stderr}`);
  }
  console.log(JSON.stringify({ case: 'kafka-faults', seed, events: eventCount, outputRecords: expected.size, ...totals }));
  process.exitCode = totals.identical === totals.trials && cleanCheck.duplicates + cleanCheck.lost === 0 ? 0 : 1;
} finally {
  await broker.stop();
  rmSync(work, { recursive: true, force: true });
}
