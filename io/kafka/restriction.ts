/**
 * The read position of `KafkaIO.read`, as its restriction: for each partition, the offset of the
 * next record to read (and, for a bounded read, the offset to stop before). A checkpoint stores
 * it; a restored read seeks every partition to its `next` and skips anything below it, so a
 * record is emitted once across any number of restarts (of the job or of the broker).
 *
 * `started` is false until the read has turned its `startAt` into offsets (that needs the
 * broker, which `initialRestriction` may not call); from then on the offsets alone say where to go.
 */
import type { RestrictionTracker } from '../../sdk/index.js';
import { partitionKey } from './record.js';
import { InternalError } from '../../sdk/errors.js';

export interface PartitionPosition {
  readonly topic: string;
  readonly partition: number;
  /** Offset of the next record to read. */
  readonly next: number;
  /** Stop before this offset (bounded reads); absent = endless. */
  readonly end?: number;
  /** The partition's watermark state where the read left it (absent before its first record):
   *  the largest event time seen, and how long it had been quiet (ms of processing time). A
   *  read resumed from the restriction (a portable runner's residual, a checkpoint) goes on
   *  from them: an idle partition stays idle instead of holding the watermark for another
   *  idle timeout. Time while no read ran does not count as quiet. */
  readonly maxEventTime?: number;
  readonly quietMs?: number;
}

/** One partition's watermark state, as `PartitionWatermarks.snapshot` gives it. */
export interface PartitionTimes {
  readonly maxEventTime: number;
  readonly quietMs: number;
}

export interface KafkaReadRestriction {
  readonly started: boolean;
  readonly partitions: readonly PartitionPosition[];
}

/** What `tryClaim` is given: one record's place. */
export interface KafkaClaim {
  readonly key: string;
  readonly offset: number;
}

interface Mutable {
  topic: string;
  partition: number;
  next: number;
  end?: number;
  maxEventTime?: number;
  quietMs?: number;
}

export class KafkaReadTracker implements RestrictionTracker<KafkaReadRestriction, KafkaClaim> {
  private started: boolean;
  private readonly positions = new Map<string, Mutable>();

  constructor(restriction: KafkaReadRestriction) {
    this.started = restriction.started;
    for (const p of restriction.partitions) this.positions.set(partitionKey(p.topic, p.partition), { ...p });
  }

  isStarted(): boolean {
    return this.started;
  }

  /** The start offsets are known: from now on a checkpoint holds them. */
  start(positions: readonly PartitionPosition[]): void {
    for (const p of positions) this.add(p);
    this.started = true;
  }

  /** A partition the read now covers (discovered while running). */
  add(p: PartitionPosition): void {
    const key = partitionKey(p.topic, p.partition);
    if (!this.positions.has(key)) this.positions.set(key, { ...p });
  }

  has(key: string): boolean {
    return this.positions.has(key);
  }

  next(key: string): number {
    return this.positions.get(key)?.next ?? 0;
  }

  /** Claims `offset` of a partition; false when it is at or past the partition's end (stop
   *  reading that partition). Offsets below `next` are never claimed twice: callers skip them. */
  tryClaim(claim: KafkaClaim): boolean {
    const p = this.positions.get(claim.key);
    if (!p) throw new InternalError(`Kafka read: claim on partition ${claim.key}, which the read does not cover`);
    if (claim.offset < p.next) throw new InternalError(`Kafka read: offset ${claim.offset} of ${claim.key} claimed again (next is ${p.next})`);
    if (p.end !== undefined && claim.offset >= p.end) {
      p.next = Math.max(p.next, p.end);
      return false;
    }
    p.next = claim.offset + 1;
    return true;
  }

  /** Offsets up to `offset` hold nothing to emit (transaction markers, compacted records). */
  skipTo(key: string, offset: number): void {
    const p = this.positions.get(key);
    if (p && offset > p.next) p.next = p.end === undefined ? offset : Math.min(offset, p.end);
  }

  /** True for a partition that reached its end (bounded reads). */
  finished(key: string): boolean {
    const p = this.positions.get(key);
    return p?.end !== undefined && p.next >= p.end;
  }

  /** Every partition reached its end (never true for an endless read or before the start). */
  allFinished(): boolean {
    if (!this.started) return false;
    for (const key of this.positions.keys()) if (!this.finished(key)) return false;
    return true;
  }

  /** Records each partition's watermark state, so the restriction carries it. */
  noteTimes(times: ReadonlyMap<string, PartitionTimes>): void {
    for (const [key, t] of times) {
      const p = this.positions.get(key);
      if (!p) continue;
      if (Number.isFinite(t.maxEventTime)) p.maxEventTime = t.maxEventTime;
      p.quietMs = t.quietMs;
    }
  }

  current(): PartitionPosition[] {
    return [...this.positions.values()].map((p) => ({ ...p }));
  }

  currentRestriction(): KafkaReadRestriction {
    return { started: this.started, partitions: this.current() };
  }
}
