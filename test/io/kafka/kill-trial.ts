/**
 * One kill -9 trial of an exactly-once Kafka job, shared by the test (one trial, in
 * exactly-once.test.ts) and the bench (`npm run bench -- kafka-faults`, at least ten): the job
 * (test/fixtures/pipelines/kafka-exactly-once.ts) reads a topic of events and writes each event
 * and per-user 10-second counts exactly-once to an output topic; it is killed with SIGKILL at a
 * given moment after its first checkpoint, run again with the same flags (it resumes from its
 * checkpoint), and the output topic is read by a plain kafkajs read_committed consumer (not the
 * project's own read) and compared with what the input alone says it must hold: every event once, every count once.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHECKPOINT_FILE, CheckpointStore } from '../../../runners/direct/checkpoint-store.js';
import { WINDOW_MS, type TrialEvent } from '../../fixtures/pipelines/kafka-exactly-once.js';
import { createTopic, kafkaClient } from '../../servers/kafka/broker.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin/tributary.mjs');
const PIPELINE = 'test/fixtures/pipelines/kafka-exactly-once.ts';

const client = (bootstrap: string) => kafkaClient({ bootstrap });

export function createTrialTopic(bootstrap: string, topic: string, partitions = 2): Promise<void> {
  return createTopic({ bootstrap }, topic, partitions);
}

/** Creates `topic` with `partitions` and fills it with `count` events (1 s apart, 7 users). */
export async function produceTrialInput(bootstrap: string, topic: string, count: number, partitions = 2): Promise<TrialEvent[]> {
  const kafka = client(bootstrap);
  await createTrialTopic(bootstrap, topic, partitions);
  const events: TrialEvent[] = Array.from({ length: count }, (_, id) => ({ id, user: `u${id % 7}`, ts: Date.UTC(2024, 0, 1) + id * 1000 }));
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let i = 0; i < events.length; i += 1000) {
    const messages = events.slice(i, i + 1000).map((e) => ({ value: JSON.stringify(e), partition: e.id % partitions }));
    await producer.send({ topic, messages, acks: -1 });
  }
  await producer.disconnect();
  return events;
}

/** What the output topic must hold: each value once. */
export function expectedOutput(events: readonly TrialEvent[]): Map<string, number> {
  const out = new Map<string, number>();
  const counts = new Map<string, number>();
  for (const e of events) {
    out.set(`e:${e.id}`, 1);
    const k = `c:${e.user}:${e.ts - (e.ts % WINDOW_MS)}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  for (const [k, n] of counts) out.set(`${k}:${n}`, 1);
  return out;
}

export interface JobRun {
  readonly code: number | null;
  readonly stderr: string;
  readonly killed: boolean;
  /** ms from the first checkpoint on disk to the end (undefined: none was seen). */
  readonly afterFirstCheckpoint?: number;
}

export interface JobFlags {
  readonly bootstrap: string;
  readonly input: string;
  readonly output: string;
  readonly sinkGroup: string;
  readonly checkpointDir: string;
}

/** Runs the job in a child process; with `killAfterMs`, SIGKILLs it that long after its first checkpoint. */
export function runTrialJob(f: JobFlags, killAfterMs?: number): Promise<JobRun> {
  const args = [BIN, 'run', PIPELINE, `--brokers=${f.bootstrap}`, `--input=${f.input}`, `--output=${f.output}`, `--sinkGroup=${f.sinkGroup}`, `--checkpointDir=${f.checkpointDir}`];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let first: number | undefined;
    let killed = false;
    let timer: NodeJS.Timeout | undefined;
    const poll = setInterval(() => {
      if (first !== undefined || !existsSync(join(f.checkpointDir, CHECKPOINT_FILE))) return;
      first = performance.now();
      if (killAfterMs === undefined) return;
      timer = setTimeout(() => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        killed = true;
        child.kill('SIGKILL');
      }, killAfterMs);
    }, 5);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, stderr, killed, afterFirstCheckpoint: first === undefined ? undefined : performance.now() - first });
    });
  });
}

/**
 * Every value in `topic` as a plain kafkajs read_committed consumer sees it: what an
 * exactly-once reader gets. Where to stop: first a read_uncommitted pass reads to the log's end
 * (the high watermark the fetches report), then the read_committed pass reads until it got that
 * far — which it cannot before every transaction in that range is resolved (a committed one's
 * records are readable only once its markers are written, a moment after the commit returned).
 * Also returns how many records only the uncommitted pass saw (aborted transactions).
 */
export async function topicValues(bootstrap: string, topic: string): Promise<{ values: Map<string, number>; aborted: number }> {
  const all = await consume(bootstrap, topic, false, new Map());
  const committed = await consume(bootstrap, topic, true, all.reached);
  const count = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return { values: committed.values, aborted: count(all.values) - count(committed.values) };
}

/** Reads `topic` from the beginning until every partition got to `ends` (at least: the
 *  partition's end offset as listed now, and the high watermark its fetches report). */
async function consume(bootstrap: string, topic: string, readCommitted: boolean, ends: Map<number, number>): Promise<{ values: Map<string, number>; reached: Map<number, number> }> {
  const kafka = client(bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  const end = new Map(ends);
  for (const p of await admin.fetchTopicOffsets(topic)) end.set(p.partition, Math.max(end.get(p.partition) ?? 0, Number(p.high)));
  await admin.disconnect();
  const reached = new Map<number, number>();
  const done = () => [...end].every(([p, e]) => (reached.get(p) ?? 0) >= e);
  const values = new Map<string, number>();
  if (done()) return { values, reached };
  const consumer = kafka.consumer({ groupId: `kill-trial-check-${Math.random().toString(36).slice(2)}`, readUncommitted: !readCommitted, maxWaitTimeInMs: 100 });
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => (finish = r));
  // Fired for every fetched batch, also those of only markers or aborted records.
  consumer.on(consumer.events.START_BATCH_PROCESS, (e) => {
    const b = e.payload as { partition: number; lastOffset: string; highWatermark: string };
    reached.set(b.partition, Math.max(reached.get(b.partition) ?? 0, Number(b.lastOffset) + 1));
    if (!readCommitted) end.set(b.partition, Math.max(end.get(b.partition) ?? 0, Number(b.highWatermark)));
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, () => done() && finish());
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ message }) => {
      const v = message.value?.toString('utf8') ?? '';
      values.set(v, (values.get(v) ?? 0) + 1);
    },
  });
  const limit = setTimeout(() => finish(), 120_000);
  await finished;
  clearTimeout(limit);
  await consumer.disconnect();
  if (!done()) throw new Error(`reading ${topic} (${readCommitted ? 'read_committed' : 'read_uncommitted'}) did not get to ${JSON.stringify([...end])} in 120 s (got to ${JSON.stringify([...reached])})`);
  return { values, reached };
}

export function compareOutput(expected: Map<string, number>, got: Map<string, number>): { duplicates: number; lost: number; examples: string[] } {
  let duplicates = 0;
  let lost = 0;
  const examples: string[] = [];
  for (const [k, n] of got) {
    const extra = n - (expected.get(k) ?? 0);
    if (extra > 0) {
      duplicates += extra;
      if (examples.length < 5) examples.push(`+${extra} ${k}`);
    }
  }
  for (const [k, n] of expected) {
    const missing = n - (got.get(k) ?? 0);
    if (missing > 0) {
      lost += missing;
      if (examples.length < 10) examples.push(`-${missing} ${k}`);
    }
  }
  return { duplicates, lost, examples };
}

export interface TrialResult {
  readonly killAfterMs: number;
  /** The kill came before the job ended. */
  readonly killed: boolean;
  /** The second run said it resumed from a checkpoint. */
  readonly resumed: boolean;
  readonly duplicates: number;
  readonly lost: number;
  /** Records in the topic that read_committed readers never see (aborted transactions). */
  readonly abortedRecords: number;
  readonly identical: boolean;
  readonly examples: string[];
  readonly stderr: string;
}

/** Kills the job `killAfterMs` after its first checkpoint, resumes it, checks the output topic. */
export async function killTrial(f: JobFlags, expected: Map<string, number>, killAfterMs: number): Promise<TrialResult> {
  await createTrialTopic(f.bootstrap, f.output);
  const first = await runTrialJob(f, killAfterMs);
  const finished = (await new CheckpointStore(f.checkpointDir).load())?.finished === true;
  // A kill that came after the job ended (or after it marked its checkpoint finished) is no trial.
  const second = !first.killed || finished ? first : await runTrialJob(f);
  if (second.code !== 0 && !first.killed) throw new Error(`the job failed (exit ${second.code}):\n${second.stderr}`);
  if (second.code !== 0) throw new Error(`the resumed job failed (exit ${second.code}):\n${second.stderr}`);
  const got = await topicValues(f.bootstrap, f.output);
  const { duplicates, lost, examples } = compareOutput(expected, got.values);
  return {
    killAfterMs,
    killed: first.killed && !finished,
    resumed: /checkpoint: resumed from/.test(second.stderr),
    duplicates,
    lost,
    abortedRecords: got.aborted,
    identical: duplicates === 0 && lost === 0,
    examples,
    stderr: second.stderr,
  };
}
