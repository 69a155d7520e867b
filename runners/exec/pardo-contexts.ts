/**
 * The contexts a ParDo hands to `process` (pardo.ts): the plain one, and a generator DoFn's, which
 * gathers the outputs its body makes into runs in order with the values it yields.
 */
import type { Instant } from '../../sdk/time/instant.js';
import { ElementOutputContext } from './output-contexts.js';
import type { ParDoOperator } from './pardo.js';

/** The context handed to `process`; reused across synchronous calls. */
export class Context extends ElementOutputContext {
  constructor(private readonly op: ParDoOperator) {
    super(op);
  }
  sideInput(name: string): unknown {
    return this.op.sideInput(name, this.windows[0]!);
  }
}

/**
 * The context of a generator DoFn (`pullRuns` pulls a synchronous generator in runs). While
 * `gathering`, main outputs at the element's timestamp are gathered (the first `gatheredCount` of
 * `gathered`) rather than handed on one by one, in order with the values the generator yields,
 * until `handOnGathered` hands them on as one run. Any other output hands the gathered ones on
 * first, so downstream sees every output in the order it was made. The array is kept from run to
 * run (what it still holds past the count is overwritten by the next run). A subclass, not a flag
 * of every context: the never-taken check in every DoFn's outputWithTimestamp cost the sessions
 * bench about 10% in cold runs (a JIT effect, measured in alternating pairs; none in one process).
 */
export class GatheringContext extends Context {
  gathering = false;
  gatheredCount = 0;
  private gathered: unknown[] = [];

  override output(value: unknown): void {
    if (this.gathering) this.gathered[this.gatheredCount++] = value;
    else super.output(value);
  }
  override outputTo(tag: string, value: unknown): void {
    if (this.gathering) this.handOnGathered();
    super.outputTo(tag, value);
  }
  override outputWithTimestamp(value: unknown, timestamp: Instant): void {
    if (this.gathering) this.handOnGathered();
    super.outputWithTimestamp(value, timestamp);
  }
  override outputToWithTimestamp(tag: string, value: unknown, timestamp: Instant): void {
    if (this.gathering) this.handOnGathered();
    super.outputToWithTimestamp(tag, value, timestamp);
  }

  /** Hands on what was gathered (see `gathering`) as one run. */
  handOnGathered(): void {
    const count = this.gatheredCount;
    if (count === 0) return;
    const values = this.gathered;
    this.gatheredCount = 0;
    let reusable = false;
    try {
      this.outputAll(values, count);
      // A receiver that asked to wait may read the rest of the run later: the array is its now.
      reusable = !this.waiting;
    } finally {
      if (!reusable) this.gathered = [];
    }
  }
}
