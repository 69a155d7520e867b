/**
 * How each kind of state cell's data (the layouts of cells.ts) is written to a checkpoint with
 * the coders its StateSpec declared. Map and set entries are re-keyed by the key coder when read
 * back, exactly as the cells key them.
 */
import type { Coder } from '../../../sdk/coders/index.js';
import type { TimestampedValue } from '../../../sdk/transforms/create.js';
import { groupingKeyFn, type GroupingKey } from '../grouping-key.js';
import { ByteReader, ByteWriter, CheckpointError, readNumber, readValue, writeValue } from '../snapshot-bytes.js';
import type { CellSpec } from './cells.js';

/** Writes and reads one scope's data of one declared state (never undefined: empty is absent). */
export interface CellCodec {
  write(data: unknown, out: ByteWriter): void;
  read(input: ByteReader): unknown;
}

export function cellCodec(spec: CellSpec, what: string): CellCodec {
  const coders = spec.coders;
  if (coders === undefined || coders.length === 0) return unavailable(what);
  const c = coders[0]!;
  const one = () => `a value of ${what}`;
  switch (spec.kind) {
    case 'value':
      return { write: (d, out) => writeValue(c, d, out, one), read: (input) => readValue(c, input, one) };
    case 'bag':
      return {
        write: (d, out) => writeList(d as unknown[], out, (v) => writeValue(c, v, out, one)),
        read: (input) => readList(input, () => readValue(c, input, one)),
      };
    case 'combining': {
      const acc = () => `the accumulator of ${what}`;
      return {
        write: (d, out) => writeValue(c, (d as { acc: unknown }).acc, out, acc),
        read: (input) => ({ acc: readValue(c, input, acc) }),
      };
    }
    case 'map': {
      const v = coders[1];
      if (v === undefined) return unavailable(what);
      const keyOf = groupingKeyFn(c, what);
      const key = () => `a map key of ${what}`;
      return {
        write: (d, out) =>
          writeList([...(d as Map<GroupingKey, [unknown, unknown]>).values()], out, (e) => {
            writeValue(c, e[0], out, key);
            writeValue(v, e[1], out, one);
          }),
        read: (input) => {
          const m = new Map<GroupingKey, [unknown, unknown]>();
          for (let n = input.readVarInt(); n > 0; n--) {
            const k = readValue(c, input, key);
            m.set(keyOf(k), [k, readValue(v, input, one)]);
          }
          return m;
        },
      };
    }
    case 'set': {
      const keyOf = groupingKeyFn(c, what);
      return {
        write: (d, out) => writeList([...(d as Map<GroupingKey, unknown>).values()], out, (e) => writeValue(c, e, out, one)),
        read: (input) => {
          const m = new Map<GroupingKey, unknown>();
          for (let n = input.readVarInt(); n > 0; n--) {
            const e = readValue(c, input, one);
            m.set(keyOf(e), e);
          }
          return m;
        },
      };
    }
    case 'orderedList':
      return {
        write: (d, out) =>
          writeList(d as TimestampedValue<unknown>[], out, (e) => {
            out.writeDouble(e.timestamp);
            writeValue(c, e.value, out, one);
          }),
        read: (input) =>
          readList(input, () => {
            const timestamp = readNumber(input);
            return { value: readValue(c, input, one), timestamp };
          }),
      };
  }
}

function writeList<T>(items: readonly T[], out: ByteWriter, each: (item: T) => void): void {
  out.writeVarInt(items.length);
  for (const item of items) each(item);
}

function readList<T>(input: ByteReader, each: () => T): T[] {
  const out: T[] = [];
  for (let n = input.readVarInt(); n > 0; n--) out.push(each());
  return out;
}

function unavailable(what: string): CellCodec {
  const fail = (): never => {
    throw new CheckpointError(`${what} declares no coder: it cannot be checkpointed; give it a coder`);
  };
  return { write: fail, read: fail };
}
