/**
 * beam:coder:nullable:v1 — one byte, 0 for null (undefined is written as null too), or 1 followed
 * by the value in the same context.
 */
import type { ByteReader, ByteWriter } from './bytes.js';
import type { Coder } from './coder.js';
import { CoderUrns } from './urns.js';

export class NullableCoder<T> implements Coder<T | null> {
  readonly urn = CoderUrns.NULLABLE;
  readonly components: readonly Coder<unknown>[];
  readonly deterministic: boolean;
  constructor(readonly valueCoder: Coder<T>) {
    this.components = [valueCoder as Coder<unknown>];
    this.deterministic = valueCoder.deterministic;
  }
  encode(value: T | null | undefined, out: ByteWriter, nested: boolean): void {
    if (value === null || value === undefined) {
      out.writeByte(0);
      return;
    }
    out.writeByte(1);
    this.valueCoder.encode(value, out, nested);
  }
  decode(input: ByteReader, nested: boolean): T | null {
    const b = input.readByte('the null marker of a nullable value');
    if (b === 0) return null;
    if (b === 1) return this.valueCoder.decode(input, nested);
    throw new RangeError(`malformed nullable value: marker byte ${b} at offset ${input.position - 1} is neither 0 nor 1`);
  }
}
