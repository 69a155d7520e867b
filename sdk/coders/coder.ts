/**
 * A coder turns values into Beam's wire bytes and back. `nested` is Beam's context: a nested
 * value is followed by other data in the same stream, so variable-length encodings carry their
 * length; an outer value runs to the end of the buffer.
 */
import type { ByteReader, ByteWriter } from './bytes.js';

export interface Coder<T> {
  /** The Beam URN (`beam:coder:...`) or a documented `tributary:coder:...` one. */
  readonly urn: string;
  /** Component coders, in the order of the proto's `component_coder_ids`. */
  readonly components: readonly Coder<unknown>[];
  /** The coder's `FunctionSpec.payload`, if any (row schema, windowed-value parameters...). */
  readonly payload?: Uint8Array;
  /** True when equal values always encode to equal bytes, so the bytes can identify a key. */
  readonly deterministic: boolean;
  encode(value: T, out: ByteWriter, nested: boolean): void;
  decode(input: ByteReader, nested: boolean): T;
}
