/**
 * A full garbage collection right after a watermark step released most of the job's state.
 *
 * Why: V8 sets its next heap limit to a multiple (up to about 4×) of the live data it found at its
 * last full collection, and left to itself it collects whenever the limit is reached — as often in
 * the middle of a partition, with a whole partition of grouped state live, as at a boundary. Each
 * mid-partition collection sizes the heap for state plus garbage, so the longer a replay runs the
 * likelier it samples a bad moment: peak RSS grew from 228 MB (4 partitions) to 316 MB (64) while
 * the state held stayed at one partition. Right after a release is the cheapest moment to collect
 * (least live data, most garbage) and the one that sizes the heap from what the job really keeps
 * — the same reasoning as V8's own idle-time collection between a browser's frames.
 *
 * It collects only when a step released at least half the elements held and at least
 * `minReleased` — every such step: skipping one because V8 had collected on its own since (in the
 * middle of a partition, the moment that sizes the heap wrong) is what let the peak creep up. The
 * cost is bounded: requested collections take at most `maxShare` of the run's wall time; past
 * that, V8 is left to its own schedule until the share is back under.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface HeapReleaseOptions {
  /** Most of the run's wall time spent in requested collections. Default 0.25. */
  readonly maxShare?: number;
  /** Fewest elements a step must release to be worth a collection. Default 10,000. */
  readonly minReleased?: number;
}

/** The clock the time share is measured on; replaceable in tests. */
export interface HeapProbes {
  readonly now: () => number;
}

const PROCESS: HeapProbes = { now: () => performance.now() };

export interface HeapReleaseStats {
  readonly collections: number;
  readonly millis: number;
}

export class HeapRelease {
  private readonly maxShare: number;
  private readonly minReleased: number;
  private readonly startedAt: number;
  /** Most elements held since the last requested collection. */
  private peak = 0;
  private spent = 0;
  private count = 0;

  constructor(
    private readonly collect: () => void,
    options: HeapReleaseOptions = {},
    private readonly probes: HeapProbes = PROCESS,
  ) {
    this.startedAt = probes.now();
    this.maxShare = options.maxShare ?? 0.25;
    this.minReleased = options.minReleased ?? 10_000;
  }

  /** Elements held before a watermark step fired what it made ready. */
  held(elements: number): void {
    if (elements > this.peak) this.peak = elements;
  }

  /** Elements held after the step: collects when it released at least half the peak, and says
   *  whether it did. */
  released(elements: number): boolean {
    if (this.peak - elements < this.minReleased || elements * 2 > this.peak) return false;
    const t0 = this.probes.now();
    if (this.spent > this.maxShare * (t0 - this.startedAt)) return false;
    this.collect();
    this.spent += this.probes.now() - t0;
    this.count++;
    this.peak = elements;
    return true;
  }

  stats(): HeapReleaseStats {
    return { collections: this.count, millis: Math.round(this.spent) };
  }
}

let exposed: (() => void) | undefined;

/**
 * V8's full collection: `globalThis.gc` when node runs with --expose-gc, otherwise the same
 * function taken from a fresh context after turning the flag on (it only adds that function).
 */
export function fullCollection(): () => void {
  const global = (globalThis as { gc?: () => void }).gc;
  if (global) return global;
  if (!exposed) {
    setFlagsFromString('--expose-gc');
    exposed = runInNewContext('gc') as () => void;
  }
  return exposed;
}
