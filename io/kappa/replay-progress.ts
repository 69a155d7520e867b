/**
 * The figures of a replay's progress events (`ReplayProgress`): per source and for the group,
 * partitions, files, rows and bytes done of the planned totals, the watermark, the share done and
 * the ETA. Pure bookkeeping: `ReplayRun` tells it what happened, it builds the events.
 */
import { Instant } from '../../sdk/index.js';
import type { ReplayProgress, SourceProgress } from './options.js';
import type { Step } from './steps.js';

type Counts = { -readonly [K in keyof SourceProgress]: SourceProgress[K] } & { bytesTotal: number; bytesDone: number };

export class ProgressBook {
  readonly sources = new Map<string, Counts>();
  watermark: Instant = Instant.MIN;
  /** Bytes of files finished by this run (not before a resume): the rate for the ETA. */
  private bytesThisRun = 0;

  constructor(sourceNames: readonly string[], steps: readonly Step[]) {
    for (const name of sourceNames) {
      this.sources.set(name, { partitionsCompleted: 0, partitionsTotal: 0, filesCompleted: 0, filesTotal: 0, rows: 0, outOfRange: 0, rowGroupsSkipped: 0, bytesFetched: 0, bytesTotal: 0, bytesDone: 0 });
    }
    for (const step of steps) {
      for (const [name, partitions] of step.partitions) {
        const c = this.sources.get(name)!;
        c.partitionsTotal += partitions.length;
        for (const p of partitions) {
          c.filesTotal += p.files.length;
          for (const f of p.files) c.bytesTotal += f.size;
        }
      }
    }
  }

  of(source: string): Counts {
    return this.sources.get(source)!;
  }

  /** A file read to its end (`thisRun`: by this run, not before a resume). */
  fileDone(source: string, size: number, thisRun = true): void {
    const c = this.of(source);
    c.filesCompleted++;
    c.bytesDone += size;
    if (thisRun) this.bytesThisRun += size;
  }

  partitionDone(source: string): void {
    this.of(source).partitionsCompleted++;
  }

  event(kind: ReplayProgress['event'], elapsedMs: number, where: { source?: string; partition?: string; file?: string } = {}): ReplayProgress {
    const all = [...this.sources.values()];
    const sum = (k: keyof Counts) => all.reduce((n, c) => n + c[k], 0);
    const done = kind === 'done';
    const bytesTotal = sum('bytesTotal');
    const bytesDone = sum('bytesDone');
    const partitionsTotal = sum('partitionsTotal');
    const partitionsCompleted = sum('partitionsCompleted');
    const fraction = done ? 1 : bytesTotal > 0 ? bytesDone / bytesTotal : partitionsTotal > 0 ? partitionsCompleted / partitionsTotal : 0;
    const rows = sum('rows');
    return {
      event: kind,
      ...where,
      partitionsCompleted,
      partitionsTotal,
      filesCompleted: sum('filesCompleted'),
      filesTotal: sum('filesTotal'),
      rows,
      rowsPerSecond: elapsedMs > 0 ? (rows * 1000) / elapsedMs : 0,
      watermark: done ? Instant.MAX : this.watermark,
      fractionComplete: fraction,
      etaMs: done ? 0 : this.bytesThisRun > 0 ? (elapsedMs * (bytesTotal - bytesDone)) / this.bytesThisRun : undefined,
      elapsedMs,
      done,
      sources: Object.fromEntries(
        [...this.sources].map(([name, c]) => [
          name,
          {
            partitionsCompleted: c.partitionsCompleted,
            partitionsTotal: c.partitionsTotal,
            filesCompleted: c.filesCompleted,
            filesTotal: c.filesTotal,
            rows: c.rows,
            outOfRange: c.outOfRange,
            rowGroupsSkipped: c.rowGroupsSkipped,
            bytesFetched: c.bytesFetched,
          },
        ]),
      ),
    };
  }
}
