/**
 * When input arrived, for the arrival-to-pane latency of groupings (`tributary/arrivalToPaneMs`):
 * the runner stamps the processing time at the start of every turn in which it hands input to
 * the graph (a source's bundle, a read's records, a watermark move), and a grouping notes, per
 * window, the stamp of the last turn that added to it. A pane's latency is the processing time
 * it is emitted at less that note: how long after the newest input it reflects the result
 * appeared. Queueing inside a source before the runner takes its records is not part of it (the
 * source's own lag metrics cover that).
 *
 * Times are milliseconds since the clock was made, so that a window's note stays a small
 * integer (V8 keeps it in the object, not in a boxed double) for the first 12 days of a run.
 */
export class ArrivalClock {
  private readonly origin: number;
  /** The current turn's stamp; −1: nothing stamped yet. */
  current = -1;

  /** `now`: processing time in ms (the runner's manual clock under test, else wall time). */
  constructor(private readonly now: () => number = Date.now) {
    this.origin = now();
  }

  /** A turn that hands input to the graph begins. */
  stamp(): void {
    this.current = this.now() - this.origin;
  }

  /** Processing time now, on the same scale as the stamps. */
  elapsed(): number {
    return this.now() - this.origin;
  }
}

/** A clock that never stamps: a grouping run without one records no latency. */
export const NO_ARRIVALS = new ArrivalClock(() => 0);
