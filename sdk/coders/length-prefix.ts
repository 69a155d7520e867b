/**
 * beam:coder:length_prefix:v1 — a varint byte length, then the component's encoding in the outer
 * context (the same in both contexts). Runners use it to carry values they cannot decode.
 */
import type { ByteReader, ByteWriter } from './bytes.js';
import { ByteReader as Reader } from './bytes.js';
import type { Coder } from './coder.js';
import { CoderUrns } from './urns.js';

export class LengthPrefixCoder<T> implements Coder<T> {
  readonly urn = CoderUrns.LENGTH_PREFIX;
  readonly components: readonly Coder<unknown>[];
  readonly deterministic: boolean;
  constructor(readonly valueCoder: Coder<T>) {
    this.components = [valueCoder as Coder<unknown>];
    this.deterministic = valueCoder.deterministic;
  }
  encode(value: T, out: ByteWriter): void {
    const mark = out.reserveLengthPrefix();
    this.valueCoder.encode(value, out, false);
    out.fillLengthPrefix(mark);
  }
  decode(input: ByteReader): T {
    const n = input.readVarInt('the length prefix of a length-prefixed value');
    const bytes = input.readBytesView(n, `a length-prefixed value of ${n} bytes`);
    const inner = new Reader(bytes);
    const value = this.valueCoder.decode(inner, false);
    if (inner.remaining !== 0) {
      throw new RangeError(
        `malformed length-prefixed value: its coder ${this.valueCoder.urn} left ${inner.remaining} of ${n} bytes unread`,
      );
    }
    return value;
  }
}
