/**
 * A data source (`beam:runner:source:v1`): decodes the bytes the runner sends for one input of
 * the bundle into windowed values, with the port's coder, and hands them to its consumers.
 * Elements may straddle chunk boundaries: the tail of a chunk that does not decode whole waits
 * for the next chunk.
 */
import { ByteReader, TruncatedInputError, type Coder } from '../../../sdk/coders/index.js';
import type { WindowedValue } from '../../../sdk/values/windowed-value.js';
import { isThenable, type Receiver } from '../../exec/unit.js';
import { concat } from '../state.js';
import { PlanError } from '../../exec/errors.js';

export class DataSourceUnit {
  private leftover: Uint8Array | undefined;
  /** Elements decoded in the current bundle (progress, element counts). */
  elements = 0;

  constructor(
    readonly transformId: string,
    private readonly coder: Coder<WindowedValue<unknown>>,
    private readonly output: Receiver,
  ) {}

  start(): void {
    this.leftover = undefined;
    this.elements = 0;
  }

  async accept(bytes: Uint8Array, isLast: boolean): Promise<void> {
    const buf = this.leftover ? concat([this.leftover, bytes]) : bytes;
    this.leftover = undefined;
    const reader = new ByteReader(buf);
    while (!reader.atEnd()) {
      const at = reader.position;
      let wv: WindowedValue<unknown>;
      try {
        wv = this.coder.decode(reader, true);
      } catch (e) {
        if (e instanceof TruncatedInputError && !isLast) {
          this.leftover = buf.slice(at);
          return;
        }
        throw new PlanError(this.transformId, `data source "${this.transformId}" cannot decode element ${this.elements + 1} with ${this.coder.urn}: ${(e as Error).message}`, { cause: e });
      }
      this.elements++;
      const d = this.output.receive(wv);
      if (isThenable(d)) await d;
    }
  }
}
