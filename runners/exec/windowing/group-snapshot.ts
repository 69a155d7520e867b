/**
 * A grouping's checkpoint: its keys, accumulators and windows as bytes written with the coders
 * the pipeline declared (the input's key coder; the CombineFn's accumulator coder, or for
 * GroupByKey an iterable of the input's value coder; the window fn's window coder).
 */
import type { Coder } from '../../../sdk/coders/index.js';
import type { BoundedWindow } from '../../../sdk/window/bounded-window.js';
import type { GroupingKeyFn } from '../grouping-key.js';
import type { ReducerCodec } from './reducer-snapshot.js';
import { ByteReader, ByteWriter, CheckpointError, readValue, snapshotReader, writeValue, type SnapshotBytes } from '../snapshot-bytes.js';

/** The coders a grouping checkpoints its state with. */
export interface GroupCoders {
  /** The input's key coder (absent for Combine.globally: one group, no key). */
  readonly key?: Coder<unknown>;
  /** The accumulator's: the CombineFn's, or for GroupByKey an iterable of the value coder. */
  readonly accumulator: Coder<unknown>;
  /** True for GroupByKey: an accumulator is the list of the key's values. */
  readonly values?: boolean;
}

export const GROUP_FORMAT = 'tributary.group.v1';
const GLOBAL_FORMAT = 'tributary.group.global.v1';

/** What a grouping saves: its input flag, and the reducer's state or the global groups. */
export interface GroupSnapshot {
  readonly format: typeof GROUP_FORMAT;
  readonly sawInput: boolean;
  readonly state: SnapshotBytes;
}

export function groupCodec(name: string, coders: GroupCoders | undefined, windowCoder: Coder<BoundedWindow>, keyId: GroupingKeyFn | undefined): ReducerCodec<unknown, unknown> {
  if (coders === undefined) throw new CheckpointError(`the grouping "${name}" was built without coders: it cannot be checkpointed`);
  const keyCoder = coders.key;
  const acc = coders.accumulator;
  const accWhat = () =>
    coders.values
      ? `a value held by "${name}" (give its input PCollection a coder that can encode it)`
      : `an accumulator of "${name}" (give the CombineFn an accumulatorCoder() that can encode it)`;
  const keyWhat = () => `a key held by "${name}"`;
  const windowWhat = () => `a window held by "${name}"`;
  return {
    writeKey: keyCoder ? (k, out) => writeValue(keyCoder, k, out, keyWhat) : () => undefined,
    readKey: keyCoder ? (input) => readValue(keyCoder, input, keyWhat) : () => null,
    keyId: (k) => (keyId ? keyId(k) : null) as string | number,
    writeAcc: (a, out) => writeValue(acc, a, out, accWhat),
    readAcc: (input) => readValue(acc, input, accWhat),
    writeWindow: (w, out) => writeValue(windowCoder, w, out, windowWhat),
    readWindow: (input) => readValue(windowCoder, input, windowWhat),
  };
}

/** The global window's groups (the fast path): whether they fired, then each key and accumulator. */
export function writeGlobalGroups(groups: Iterable<{ readonly key: unknown; readonly acc: unknown }>, fired: boolean, codec: ReducerCodec<unknown, unknown>): SnapshotBytes {
  const out = new ByteWriter();
  out.writeByte(fired ? 1 : 0);
  const all = [...groups];
  out.writeVarInt(all.length);
  for (const g of all) {
    codec.writeKey(g.key, out);
    codec.writeAcc(g.acc, out);
  }
  return { format: GLOBAL_FORMAT, bytes: out.finish() };
}

export function readGlobalGroups(state: SnapshotBytes, codec: ReducerCodec<unknown, unknown>, owner: string, put: (key: unknown, acc: unknown) => void): boolean {
  const input: ByteReader = snapshotReader(state, GLOBAL_FORMAT, owner);
  const fired = input.readByte() === 1;
  for (let n = input.readVarInt(); n > 0; n--) {
    const key = codec.readKey(input);
    put(key, codec.readAcc(input));
  }
  return fired;
}
