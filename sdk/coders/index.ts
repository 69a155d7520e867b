/**
 * Tributary's coders: Beam's standard coders byte for byte, a JSON-like value coder, and row
 * coders with schemas. `Coders.*` builds them; `coderFromSpec` rebuilds them from the proto.
 *
 *   const c = Coders.kv(Coders.string(), Coders.iterable(Coders.varint()));
 *   const bytes = encodeToBytes(c, kv('a', [1, 2]));
 *   decodeFromBytes(c, bytes); // { key: 'a', value: [1, 2] }
 */
import type { Coder } from './coder.js';
import type { BoundedWindow, GlobalWindow, IntervalWindow } from '../window/bounded-window.js';
import type { KV } from '../values/kv.js';
import type { WindowedValue } from '../values/windowed-value.js';
import { BoolCoder, BytesCoder, DoubleCoder, StringUtf8Coder, VarIntCoder } from './primitives.js';
import { KvCoder } from './kv.js';
import { IterableCoder } from './iterable.js';
import { NullableCoder } from './nullable.js';
import { LengthPrefixCoder } from './length-prefix.js';
import { GlobalWindowCoder, IntervalWindowCoder } from './windows.js';
import { ParamWindowedValueCoder, WindowedValueCoder, type WindowedValueParams } from './windowed-value.js';
import { TimerCoder, type Timer } from './timer.js';
import { RowCoder, type Row, type SchemaProto } from './row.js';
import { JsonCoder } from './json.js';

export type { Coder } from './coder.js';
export { ByteReader, ByteWriter, TruncatedInputError, varIntSize } from './bytes.js';
export { CoderUrns, type CoderUrn } from './urns.js';
export { BoolCoder, BytesCoder, DoubleCoder, StringUtf8Coder, VarIntCoder } from './primitives.js';
export { KvCoder } from './kv.js';
export { IterableCoder, decodeIterable } from './iterable.js';
export { NullableCoder } from './nullable.js';
export { LengthPrefixCoder } from './length-prefix.js';
export { GlobalWindowCoder, IntervalWindowCoder, readWindows, writeWindows } from './windows.js';
export { ParamWindowedValueCoder, WindowedValueCoder, type WindowedValueParams } from './windowed-value.js';
export { TimerCoder, type Timer } from './timer.js';
export { readTimestamp, readTimestampExact, toExactMillis, writeTimestamp } from './timestamp.js';
export { readPaneInfo, writePaneInfo } from './pane-info.js';
export { coderFromSpec, knownCoderUrns, registerCoder, type CoderFactory } from './registry.js';
export {
  decodeFromBytes,
  encodeToBytes,
  fromLatin1,
  latin1,
  structuralKey,
  type StructuralKey,
} from './helpers.js';
export { coderName, describeCoder } from './describe.js';
export { CoderSpecError, KeyCoderError, RowSchemaError } from './errors.js';

/** Factories for every coder Tributary has. */
export const Coders = {
  bytes: (): Coder<Uint8Array> => BytesCoder.INSTANCE,
  bool: (): Coder<boolean> => BoolCoder.INSTANCE,
  string: (): Coder<string> => StringUtf8Coder.INSTANCE,
  /** int64 varint; decodes to numbers (exact to ±2^53), encodes numbers or bigints. */
  varint: (): Coder<number> => VarIntCoder.INSTANCE,
  double: (): Coder<number> => DoubleCoder.INSTANCE,
  kv: <K, V>(key: Coder<K>, value: Coder<V>): Coder<KV<K, V>> => new KvCoder(key, value),
  iterable: <T>(element: Coder<T>): Coder<readonly T[]> => new IterableCoder(element),
  nullable: <T>(value: Coder<T>): Coder<T | null> => new NullableCoder(value),
  lengthPrefix: <T>(value: Coder<T>): Coder<T> => new LengthPrefixCoder(value),
  globalWindow: (): Coder<GlobalWindow> => GlobalWindowCoder.INSTANCE,
  intervalWindow: (): Coder<IntervalWindow> => IntervalWindowCoder.INSTANCE,
  windowedValue: <T>(value: Coder<T>, window: Coder<BoundedWindow>): Coder<WindowedValue<T>> =>
    new WindowedValueCoder(value, window),
  paramWindowedValue: <T>(
    value: Coder<T>,
    window: Coder<BoundedWindow>,
    params: WindowedValueParams,
  ): Coder<WindowedValue<T>> => new ParamWindowedValueCoder(value, window, params),
  timer: <K>(key: Coder<K>, window: Coder<BoundedWindow>): Coder<Timer<K>> => new TimerCoder(key, window),
  /** tributary:coder:json:v1: deterministic compact binary for JSON-like values (see json.ts). */
  json: <T = unknown>(): Coder<T> => JsonCoder.INSTANCE as Coder<T>,
  /** A beam:coder:row:v1 coder for a Schema proto (see `row(...)` for typed row declarations). */
  row: <R extends Row = Row>(schema: SchemaProto): RowCoder<R> => new RowCoder<R>(schema),
};
export { RowCoder, AtomicType, MILLIS_INSTANT_URN, type Row, type SchemaProto, type FieldProto, type FieldTypeProto } from './row.js';
export { field, row, type FieldDef, type RowDef, type RowOf, type RowValue } from './row-type.js';
export { JsonCoder, JsonEncodeError, decodeJsonValue, encodeJsonValue, type JsonValue } from './json.js';
