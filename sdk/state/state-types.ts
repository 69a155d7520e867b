/**
 * The state a stateful DoFn reads and writes, scoped to the current key and window. What
 * `ctx.state.<name>` gives, by the kind of its declaration (see `StateSpecs`).
 */
import type { Instant } from '../time/instant.js';
import type { TimestampedValue } from '../transforms/create.js';

/** Every kind of state can be emptied and asked whether it is empty. */
export interface State {
  clear(): void;
  isEmpty(): boolean;
}

/** One value (Beam's ValueState / ReadModifyWriteState). */
export interface ValueState<T> extends State {
  /** The value, or `undefined` when none was written (or it was cleared). */
  read(): T | undefined;
  write(value: T): void;
  /** Read-modify-write in one call: writes and returns `f(current)`. */
  update(f: (current: T | undefined) => T): T;
}

/** An unordered collection that is cheap to append to. */
export interface BagState<T> extends State {
  add(value: T): void;
  /** A snapshot: adding while iterating it does not change it. */
  read(): readonly T[];
}

/** Values folded by a CombineFn as they are added: only the accumulator is kept. */
export interface CombiningState<I, A, O> extends State {
  add(value: I): void;
  /** The CombineFn's output for everything added (of an empty accumulator when nothing was). */
  read(): O;
  getAccumulator(): A;
  /** Merges another accumulator in (a partial result computed elsewhere). */
  addAccumulator(accumulator: A): void;
}

/** A map; keys are equal when their encodings under the key coder are equal. */
export interface MapState<K, V> extends State {
  get(key: K): V | undefined;
  has(key: K): boolean;
  put(key: K, value: V): void;
  /** Puts `value` if `key` is absent; returns the value now under `key`. */
  putIfAbsent(key: K, value: V): V;
  remove(key: K): void;
  keys(): K[];
  values(): V[];
  entries(): Array<[K, V]>;
  readonly size: number;
}

/** A set; elements are equal when their encodings under the element coder are equal. */
export interface SetState<T> extends State {
  /** Adds `value`; true if it was not there yet (Beam's addIfAbsent). */
  add(value: T): boolean;
  has(value: T): boolean;
  remove(value: T): void;
  read(): T[];
  readonly size: number;
}

/** Values kept sorted by a timestamp of their own (Beam's OrderedListState): event buffers that
 *  must be processed in event-time order whatever order they arrived in. */
export interface OrderedListState<T> extends State {
  /** Inserts after any value with the same timestamp (arrival order breaks ties). */
  add(value: TimestampedValue<T>): void;
  /** Everything, in timestamp order. */
  read(): Array<TimestampedValue<T>>;
  /** The values with `from <= timestamp < to`, in timestamp order. */
  readRange(from: Instant, to: Instant): Array<TimestampedValue<T>>;
  /** Removes the values with `from <= timestamp < to`. */
  clearRange(from: Instant, to: Instant): void;
  readonly size: number;
}
