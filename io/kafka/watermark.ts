/**
 * The event-time watermark of a Kafka read: per partition, the largest event time seen less the
 * out-of-orderness bound; the read's watermark is the least of the partitions that are not idle.
 * A partition is idle once it received no record for `idleTimeout` of processing time (Flink's
 * idleness rule); it stops holding the watermark back until its next record. When every partition is idle the watermark stays where the busiest one put it (it never
 * moves on processing time alone). A plain class with no I/O: `now` comes from the caller.
 */
import { Instant } from '../../sdk/index.js';

interface PartitionTime {
  /** Largest event time seen (−∞ before the first record). */
  maxEventTime: number;
  /** Processing time of the last record (or of the partition's start). */
  lastRecordAt: number;
}

export class PartitionWatermarks {
  private readonly partitions = new Map<string, PartitionTime>();

  constructor(
    private readonly maxOutOfOrderness: number,
    private readonly idleTimeout: number,
  ) {}

  /** A partition to watch from `now`; with `was`, from where a previous read left it (its
   *  quiet time goes on from there). */
  add(key: string, now: number, was?: { readonly maxEventTime?: number; readonly quietMs?: number }): void {
    if (this.partitions.has(key)) return;
    this.partitions.set(key, { maxEventTime: was?.maxEventTime ?? -Infinity, lastRecordAt: now - (was?.quietMs ?? 0) });
  }

  /** Each partition's state at `now`, for a restriction to carry (`add`'s `was`). */
  snapshot(now: number): Map<string, { maxEventTime: number; quietMs: number }> {
    const out = new Map<string, { maxEventTime: number; quietMs: number }>();
    for (const [key, p] of this.partitions) out.set(key, { maxEventTime: p.maxEventTime, quietMs: Math.max(0, now - p.lastRecordAt) });
    return out;
  }

  /** The largest event time seen on any partition (−∞ before the first record). */
  maxEventTime(): number {
    let max = -Infinity;
    for (const p of this.partitions.values()) if (p.maxEventTime > max) max = p.maxEventTime;
    return max;
  }

  observe(key: string, eventTime: number, now: number): void {
    const p = this.partitions.get(key);
    if (!p) return;
    if (eventTime > p.maxEventTime) p.maxEventTime = eventTime;
    p.lastRecordAt = now;
  }

  /** A finished partition (bounded read) holds nothing back. */
  remove(key: string): void {
    this.partitions.delete(key);
  }

  isIdle(key: string, now: number): boolean {
    const p = this.partitions.get(key);
    return p !== undefined && now - p.lastRecordAt >= this.idleTimeout;
  }

  /** The read's watermark now (Instant.MIN until every active partition has seen a record). */
  current(now: number): number {
    let least = Infinity;
    let busiest = -Infinity;
    for (const [key, p] of this.partitions) {
      const w = p.maxEventTime - this.maxOutOfOrderness;
      if (w > busiest) busiest = w;
      if (this.isIdle(key, now)) continue;
      if (w < least) least = w;
    }
    const w = least === Infinity ? busiest : least;
    return Number.isFinite(w) ? w : Instant.MIN;
  }
}
