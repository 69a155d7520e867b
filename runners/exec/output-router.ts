/**
 * Where a ParDo's outputs go, and Beam's rule on the timestamps user code picks. One place for
 * the stateless, stateful and splittable ParDo units (they had three drifting copies): an
 * undeclared tag and an output earlier than the input less the allowed skew fail the same way
 * everywhere, with the same words.
 */
import { Instant } from '../../sdk/time/instant.js';
import type { Receiver } from './unit.js';
import { OutputError } from './errors.js';

export class OutputRouter {
  constructor(
    readonly main: Receiver,
    private readonly byTag: ReadonlyMap<string, Receiver>,
    /** The DoFn's `allowedTimestampSkew`, in ms (Infinity: any timestamp). */
    readonly skew: number,
  ) {}

  tagged(tag: string): Receiver {
    const r = this.byTag.get(tag);
    if (!r) {
      const known = [...this.byTag.keys()];
      throw new OutputError(tag, `output tag "${tag}" was not declared; declared tags: ${known.length ? known.join(', ') : 'none'} (use ParDo.of(fn).withOutputTags(...))`);
    }
    return r;
  }

  checkOutputTimestamp(input: Instant, output: Instant): void {
    if (output < input - this.skew) {
      throw new OutputError(
        '',
        `cannot output with timestamp ${Instant.format(output)}: output timestamps must be no earlier than the input's ` +
          `(${Instant.format(input)}) minus the allowed skew (${this.skew} ms); set allowedTimestampSkew on the DoFn to allow it`,
      );
    }
  }
}
