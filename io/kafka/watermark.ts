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

  add(key: string, now: number): void {
    if (!this.partitions.has(key)) this.partitions.set(key, { maxEventTime: -Infinity, lastRecordAt: now });
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
