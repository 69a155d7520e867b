import type { RangedReader } from '../storage/storage.js';
import type { ParquetReadStats } from './read.js';

/**
 * One row group's fetched byte ranges, shared by its slices: hyparquet asks for the same column
 * chunk ranges for every row range of a group, so each is fetched once, its pages' claims checked
 * (`check`, before anything decodes them), and counted in `bytesHeld` until the group's last
 * slice is consumed.
 */
export class GroupBytes implements RangedReader {
  private readonly fetched = new Map<string, Promise<ArrayBuffer>>();
  /** The fetched buffers themselves (`holds`). */
  private readonly buffers = new Set<ArrayBufferLike>();
  private held = 0;
  private released = false;

  constructor(
    private readonly file: RangedReader,
    private readonly stats: ParquetReadStats,
    private readonly check: (start: number, end: number, fetched: ArrayBuffer) => void,
  ) {}

  get byteLength(): number {
    return this.file.byteLength;
  }

  /** The first fetch or check that failed; the slice load throws it once hyparquet settles. */
  failure: unknown;

  /**
   * Never rejects: hyparquet prefetches every range of the group and derives promises from them
   * that it may stop awaiting once one column fails, and a rejection nobody awaits kills the
   * process. A failed range resolves empty and its error is kept in `failure` instead.
   */
  slice(start: number, end = this.file.byteLength): Promise<ArrayBuffer> {
    const key = `${start}:${end}`;
    let got = this.fetched.get(key);
    if (!got) {
      got = this.file.slice(start, end).then(
        (ab) => {
          this.check(start, start + ab.byteLength, ab);
          this.buffers.add(ab);
          if (!this.released) {
            this.held += ab.byteLength;
            this.stats.bytesHeld += ab.byteLength;
            if (this.stats.bytesHeld > this.stats.peakBytesHeld) this.stats.peakBytesHeld = this.stats.bytesHeld;
          }
          return ab;
        },
      ).catch((err: unknown) => {
        this.failure ??= err;
        return new ArrayBuffer(0);
      });
      this.fetched.set(key, got);
    }
    return got;
  }

  /**
   * Whether `buffer` is one of the fetched ranges: hyparquet may decode an uncompressed page's
   * values as a view of it, and every slice of the group decodes those bytes again, so such
   * values must not be written over.
   */
  holds(buffer: ArrayBufferLike): boolean {
    return this.buffers.has(buffer);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.fetched.clear();
    this.buffers.clear();
    this.stats.bytesHeld -= this.held;
    this.held = 0;
  }
}
