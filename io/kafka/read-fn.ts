/**
 * The Kafka read as a splittable DoFn (the same construct as `LiveSource` and the Kappa replay),
 * so it runs on any runner that runs splittable DoFns. One restriction covers every partition of
 * the read's topics; the position claimed is (partition, offset). Per record: claim, decode,
 * output (or dead-letter), with no await in between, so a checkpoint holds a record's output
 * and its claim together or neither.
 *
 * The loop: resolve the start offsets (first run only), open a consumer session sought to the
 * positions, and every tick (a fraction of the idle timeout) move the watermark, look for new
 * partitions (a new session when some appeared) and replace a session that crashed (a broker
 * restart). Records below a partition's position are skipped, whatever a session re-delivers.
 *
 * Under a portable runner the read returns (`ProcessContinuation.resume`) once its watermark
 * moved and nothing is being claimed — a quiet topic, partitions gone idle — so the runner hands
 * the watermark downstream; the restriction carries each partition's offsets and watermark state
 * (largest event time, quiet time) to the call that resumes it. The consumer session stays open
 * between those calls in this worker (`OpenRead`): a resumed call whose positions are where the
 * last call left them carries on with it instead of joining a new consumer group.
 */
import { Kafka, logLevel, type Admin, type Batch } from 'kafkajs';
import { Coders, Duration, Instant, Metrics, ProcessContinuation, SplittableDoFn, type Coder, type RestrictionTracker, type SplittableProcessContext } from '../../sdk/index.js';
import { ConsumerSession, type SessionHandlers } from './consumer-session.js';
import { decodeMessage } from './decode.js';
import { systemKafkaClock, type KafkaReadOptions } from './options.js';
import { partitionKey, type KafkaDeadLetter, type KafkaRecord } from './record.js';
import { KafkaReadTracker, type KafkaClaim, type KafkaReadRestriction } from './restriction.js';
import { partitionOffsets, resolveStartPositions } from './start-offsets.js';
import { PartitionWatermarks } from './watermark.js';

/** The read's position after a batch: what a group commit may record once it is durable. */
export interface KafkaPositions {
  readonly partitions: ReadonlyArray<{ readonly topic: string; readonly partition: number; readonly next: number }>;
}

export type KafkaReadTags = { deadLetter: KafkaDeadLetter; positions: KafkaPositions };

/** A consumer session a call left open (paused) for the call that resumes the read in this
 *  worker, with its clients and the positions it stopped at. */
interface OpenRead {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly session: ConsumerSession;
  readonly positions: string;
}

/** Every partition's next offset: a resumed call may reuse an open session only from there. */
function positionsOf(tracker: KafkaReadTracker): string {
  return tracker
    .current()
    .map((p) => `${partitionKey(p.topic, p.partition)}@${p.next}`)
    .sort()
    .join(',');
}

export class KafkaReadFn<V> extends SplittableDoFn<Uint8Array, KafkaRecord<V>, KafkaReadRestriction, KafkaClaim, KafkaReadTags> {
  private readonly records = Metrics.counter('kafka', 'records');
  private readonly undecodable = Metrics.counter('kafka', 'undecodable');
  private readonly droppedBelowCut = Metrics.counter('kafka', 'droppedBelowCut');
  private readonly watermarkGauge = Metrics.gauge('kafka', 'watermark');
  /** Processing time at emission less the record's event time. */
  private readonly eventTimeLag = Metrics.distribution('kafka', 'eventTimeLagMs');
  /** Consumer sessions started (group joins): one per read, plus one per crash or new partition. */
  private readonly sessionsStarted = Metrics.counter('kafka', 'sessionsStarted');
  private open: OpenRead | undefined;

  constructor(private readonly options: KafkaReadOptions) {
    super();
  }

  initialRestriction(): KafkaReadRestriction {
    return { started: false, partitions: [] };
  }

  restrictionCoder(): Coder<KafkaReadRestriction> {
    return Coders.json<KafkaReadRestriction>();
  }

  newTracker(restriction: KafkaReadRestriction): RestrictionTracker<KafkaReadRestriction, KafkaClaim> {
    return new KafkaReadTracker(restriction);
  }

  async process(_: Uint8Array, rt: RestrictionTracker<KafkaReadRestriction, KafkaClaim>, ctx: SplittableProcessContext<KafkaRecord<V>, KafkaReadTags>): Promise<void | ProcessContinuation> {
    const tracker = rt as KafkaReadTracker;
    const o = this.options;
    const clock = o.clock ?? systemKafkaClock;
    const idleTimeout = o.idleTimeout ?? 10_000;
    const discoveryEvery = o.partitionDiscoveryInterval ?? 5_000;
    const tickMs = Math.max(20, Math.min(500, idleTimeout / 4, discoveryEvery / 2));
    const format = o.valueFormat ?? 'json';
    const eventTime = o.eventTime ?? 'recordTimestamp';
    const cut = o.cut;
    const reuse = await this.takeOpen(tracker);
    const kafka = reuse?.kafka ?? new Kafka({ clientId: o.clientId ?? 'tributary', brokers: [...o.brokers], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 200 } });
    const admin = reuse?.admin ?? kafka.admin();
    const marks = new PartitionWatermarks(o.maxOutOfOrderness, idleTimeout);

    // A resumed read goes on from the estimate it left.
    let watermark: number = ctx.watermark.current;
    // Called after every batch and on every tick: even when the watermark stays, the call is
    // a consistent moment (nothing buffered) at which the runner may take a checkpoint.
    const advance = async (): Promise<void> => {
      const now = clock.now();
      tracker.noteTimes(marks.snapshot(now));
      let w = marks.current(now);
      if (cut !== undefined && w < cut) w = cut;
      if (w > watermark) {
        watermark = w;
        this.watermarkGauge.set(w);
      }
      await ctx.watermark.advance(watermark as Instant);
    };

    let maxEventTime = Math.max(-Infinity, ...tracker.current().map((p) => p.maxEventTime ?? -Infinity));
    // A claim refused: the runner checkpoints this read here (a portable runner does so at each
    // watermark step); what is left, from the refused record on, is its residual.
    let refused = false;
    let emitted = 0;
    let dead = 0;
    let dropped = 0;
    const countNow = () => {
      if (emitted) this.records.inc(emitted);
      if (dead) this.undecodable.inc(dead);
      if (dropped) this.droppedBelowCut.inc(dropped);
      emitted = dead = dropped = 0;
    };

    const onBatch = async (batch: Batch, pause: () => void, resolve: (offset: string) => void): Promise<void> => {
      const key = partitionKey(batch.topic, batch.partition);
      // Left unresolved: fetched again when the partition is resumed (a new partition: when the
      // session is replaced after its discovery).
      if (!tracker.has(key) || ctx.stopped || refused) return void pause();
      const now = clock.now();
      const every = o.watermarkEvery ?? 1000;
      let sinceAdvance = 0;
      for (const m of batch.messages) {
        // A fetched batch can span hours of event time: move the watermark inside it too, so
        // triggers see it pass in steps (as a record-at-a-time consumer would), not in one jump.
        if (sinceAdvance >= every) {
          sinceAdvance = 0;
          countNow();
          await advance();
          if (ctx.stopped) return;
        }
        sinceAdvance++;
        const offset = Number(m.offset);
        if (offset < tracker.next(key)) {
          resolve(m.offset); // re-delivered after a seek or a new session
          continue;
        }
        if (!tracker.tryClaim({ key, offset })) {
          // Unresolved from here: the session fetches this record again for the resumed call.
          refused = true;
          pause();
          countNow();
          return;
        }
        resolve(m.offset);
        const d = decodeMessage<V>(batch.topic, batch.partition, m, format, eventTime);
        if (!d.ok) {
          const letter: KafkaDeadLetter = { topic: batch.topic, partition: batch.partition, offset, key: m.key === null ? null : m.key.toString('utf8'), value: m.value === null ? null : new Uint8Array(m.value), timestamp: Number(m.timestamp), error: d.error };
          ctx.outputToWithTimestamp('deadLetter', letter, Math.max(watermark, cut ?? Instant.MIN, Number(m.timestamp) || 0) as Instant);
          dead++;
          continue;
        }
        if (cut !== undefined && d.eventTime < cut) {
          dropped++;
          continue;
        }
        ctx.outputWithTimestamp(d.record, d.eventTime as Instant);
        if (d.eventTime > maxEventTime) maxEventTime = d.eventTime;
        this.eventTimeLag.update(now - d.eventTime);
        marks.observe(key, d.eventTime, now);
        emitted++;
      }
      // Transaction markers and compacted offsets carry nothing: step over them.
      resolve(batch.lastOffset());
      if (!tracker.finished(key)) tracker.skipTo(key, Number(batch.lastOffset()) + 1);
      if (tracker.finished(key)) marks.remove(key);
      if (o.groupId !== undefined) {
        const partitions = tracker.current().map((p) => ({ topic: p.topic, partition: p.partition, next: p.next }));
        ctx.outputToWithTimestamp('positions', { partitions }, watermark as Instant);
      }
      countNow();
      await advance();
    };

    // Markers and aborted records only: nothing to emit, but the position moves past them.
    const onFilteredBatch = (topic: string, partition: number, lastOffset: number): void => {
      const key = partitionKey(topic, partition);
      if (!tracker.has(key) || tracker.finished(key) || refused) return;
      tracker.skipTo(key, lastOffset + 1);
      if (tracker.finished(key)) marks.remove(key);
    };

    // The cut first, before any I/O: until this read's first advance it holds the pipeline's
    // watermark at −∞, which would hold back the backfill it is flattened with.
    if (cut !== undefined) await advance();
    const handlers: SessionHandlers = { onBatch, onFilteredBatch };
    let session = reuse?.session;
    session?.attach(handlers);
    // Left open for the call that resumes this read (a refused claim or a resume).
    let keepOpen = false;
    if (!reuse) await admin.connect();
    try {
      if (!tracker.isStarted()) tracker.start(await resolveStartPositions(admin, o));
      const now0 = clock.now();
      for (const p of tracker.current()) {
        const key = partitionKey(p.topic, p.partition);
        if (!tracker.finished(key)) marks.add(key, now0, p);
      }
      if (cut !== undefined) await advance();
      if (o.startOnly) {
        // The backfill job of a two-job handoff: the start offsets are in the restriction, the
        // watermark holds at the cut; wait (offering checkpoints) until the job is stopped.
        while (!ctx.stopped) {
          // A portable runner gets the cut when this call returns.
          if (ctx.resumeRequested) return ProcessContinuation.resume(Duration.millis(tickMs));
          await delay(tickMs);
          await advance();
        }
        return;
      }
      let lastDiscovery = clock.now();
      let restartBackoff = 0;
      let resume = false;
      while (!ctx.stopped && !refused && !resume && !tracker.allFinished()) {
        if (!session) {
          session = new ConsumerSession(kafka, o.topics, tracker.current(), handlers);
          this.sessionsStarted.inc();
          try {
            await session.start();
            restartBackoff = 0;
          } catch {
            await session.stop();
            session = undefined;
            restartBackoff = Math.min(5_000, restartBackoff * 2 + 200);
            await delay(restartBackoff);
            continue;
          }
        }
        const crashed = await Promise.race([session.ended.then(() => true), delay(tickMs).then(() => false)]);
        if (crashed) {
          await session.stop();
          session = undefined;
          continue;
        }
        if (clock.now() - lastDiscovery >= discoveryEvery && !o.stopAtEnd) {
          lastDiscovery = clock.now();
          if (await this.discover(admin, tracker, marks, clock.now())) {
            await session.stop();
            session = undefined;
          }
        }
        if (refused) break;
        await advance();
        // Nothing claimed since the watermark moved: the runner wants it now (a portable runner
        // sees it only when this call returns).
        resume = ctx.resumeRequested;
      }
      keepOpen = (resume || refused) && !ctx.stopped;
      if (resume) return ProcessContinuation.resume();
      // A bounded read that reached its end: nothing more can follow, so the watermark may
      // step just past the newest event time before it ends at +∞ — an early firing waiting for
      // the newest events (a trip's end message that is the last record) then still happens
      // before the final pane, as in a backfill, whose last step is its last partition's end.
      if (tracker.allFinished() && maxEventTime >= watermark) await ctx.watermark.advance((maxEventTime + 1) as Instant);
      await ctx.flush();
    } finally {
      countNow();
      // What a residual or checkpoint of this read carries on from.
      tracker.noteTimes(marks.snapshot(clock.now()));
      if (keepOpen && session?.alive) {
        session.detach();
        this.open = { kafka, admin, session, positions: positionsOf(tracker) };
      } else {
        await session?.stop();
        await admin.disconnect().catch(() => undefined);
      }
    }
  }

  /** The session the last call left open, if this call starts where that one stopped (and the
   *  session is still up); any other is closed. */
  private async takeOpen(tracker: KafkaReadTracker): Promise<OpenRead | undefined> {
    const open = this.open;
    this.open = undefined;
    if (!open) return undefined;
    if (open.session.alive && tracker.isStarted() && open.positions === positionsOf(tracker)) return open;
    await closeRead(open);
    return undefined;
  }

  /** A session left open for a resume that never came (the job ended): close it. */
  override async teardown(): Promise<void> {
    const open = this.open;
    this.open = undefined;
    if (open) await closeRead(open);
  }

  /** Adds partitions that appeared since the last look (read from their beginning); true when some did. */
  private async discover(admin: Admin, tracker: KafkaReadTracker, marks: PartitionWatermarks, now: number): Promise<boolean> {
    let added = false;
    for (const topic of this.options.topics) {
      let offsets;
      try {
        offsets = await partitionOffsets(admin, topic);
      } catch {
        return false; // broker unreachable right now: look again next time
      }
      for (const p of offsets) {
        const key = partitionKey(topic, p.partition);
        if (tracker.has(key)) continue;
        tracker.add({ topic, partition: p.partition, next: p.low });
        marks.add(key, now);
        added = true;
      }
    }
    return added;
  }
}

async function closeRead(open: OpenRead): Promise<void> {
  await open.session.stop();
  await open.admin.disconnect().catch(() => undefined);
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
