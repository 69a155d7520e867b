/**
 * What operator snapshots are made of: user values (keys, elements, accumulators, windows)
 * encoded with the pipeline's own coders, never cloned as objects — a structured clone would
 * turn a class instance into a plain object, while a coder gives back what the pipeline reads.
 * Everything an operator saves goes into one byte stream per operator, numbers included.
 */
import { ByteReader, ByteWriter, describeCoder, type Coder } from '../../sdk/coders/index.js';
import { TributaryError } from '../../sdk/errors.js';

/** State that cannot be written to (or read from) a checkpoint; names the operator and the value. */
export class CheckpointError extends TributaryError {}

/** Saved state that does not fit the operator asked to restore it. */
export class CheckpointRestoreError extends CheckpointError {
  private constructor(
    /** The operator (a transform's unique name) being restored. */
    readonly operator: string,
    message: string,
  ) {
    super(message);
  }

  /** The operator saw elements before the restore: the runner restores first (a runner bug). */
  static notEmpty(operator: string): CheckpointRestoreError {
    return new CheckpointRestoreError(operator, `"${operator}" has state already: a checkpoint is restored before any element`);
  }

  /** The checkpoint's state for the operator is of another kind than the operator keeps. */
  static otherStrategy(operator: string): CheckpointRestoreError {
    return new CheckpointRestoreError(
      operator,
      `the checkpoint of "${operator}" was taken with another windowing strategy: resume it with the pipeline that wrote it, or start over with another --checkpointDir`,
    );
  }

  /** The checkpoint holds state for an operator that keeps none. */
  static cannotRestore(operator: string): CheckpointRestoreError {
    return new CheckpointRestoreError(
      operator,
      `the checkpoint holds state for "${operator}", which cannot restore state: resume it with the pipeline that wrote it, or start over with another --checkpointDir`,
    );
  }
}

/** Writes `value` nested with `coder`; `what` names it if the coder refuses it. */
export function writeValue<T>(coder: Coder<T>, value: T, out: ByteWriter, what: () => string): void {
  try {
    coder.encode(value, out, true);
  } catch (e) {
    throw new CheckpointError(`cannot checkpoint ${what()}: its coder ${describeCoder(coder as Coder<unknown>)} cannot encode it (${(e as Error).message})`, { cause: e });
  }
}

export function readValue<T>(coder: Coder<T>, input: ByteReader, what: () => string): T {
  try {
    return coder.decode(input, true);
  } catch (e) {
    throw new CheckpointError(`cannot restore ${what()} from the checkpoint with coder ${describeCoder(coder as Coder<unknown>)} (${(e as Error).message}); was it written by another version of the pipeline?`, { cause: e });
  }
}

/**
 * A number read back as the small integer it was, when it is one: fields of window and timer
 * objects that have only held small integers keep that representation (a double read from
 * bytes would change it for every object of the class, and throw away optimized code).
 */
export function readNumber(input: ByteReader): number {
  const x = input.readDouble();
  const i = x | 0;
  return i === x && !Object.is(x, -0) ? i : x;
}

export function writeString(out: ByteWriter, s: string): void {
  out.writeLengthPrefixedUtf8(s);
}

export function readString(input: ByteReader): string {
  return input.readUtf8(input.readVarInt());
}

/** The bytes of a snapshot, with a tag saying which format they are in. */
export interface SnapshotBytes {
  readonly format: string;
  readonly bytes: Uint8Array;
}

export function snapshotReader(state: unknown, format: string, owner: string): ByteReader {
  const s = state as Partial<SnapshotBytes> | undefined;
  if (s?.format !== format || !(s.bytes instanceof Uint8Array)) {
    throw new CheckpointError(`the checkpoint's state for "${owner}" is not in format ${format} (found ${String(s?.format)}): was it written by another version? Delete the checkpoint to start over`);
  }
  return new ByteReader(s.bytes);
}

export { ByteReader, ByteWriter };
