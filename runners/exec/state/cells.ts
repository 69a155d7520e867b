/**
 * State accessors: one per declared state per operator (a flyweight), acting on the operator's
 * current scope. The data lives in one dense column per declared state, indexed by scope id —
 * the value itself for value state, an array for a bag, a Map for map and set state, a box with
 * the accumulator for combining state — so reading a key's state is the lookup of its id and
 * one array read, not a chain of objects scattered over the heap (what a key-heavy job, like
 * dedup over 100,000 keys, spends its time on).
 * Values are kept as objects, not bytes: the coders in the proto are for runners that store
 * state remotely. Map and set keys are compared by their encodings (like grouping keys), so
 * structurally equal objects are one key.
 */
import type { Coder } from '../../../sdk/coders/index.js';
import type { BagState, CombiningState, MapState, OrderedListState, SetState, ValueState } from '../../../sdk/state/index.js';
import type { CombineFn } from '../../../sdk/transforms/combine-fn.js';
import type { TimestampedValue } from '../../../sdk/transforms/create.js';
import type { Instant } from '../../../sdk/time/instant.js';
import { groupingKeyFn, type GroupingKeyFn } from '../grouping-key.js';

/** Whose current scope the accessors act on. */
export interface SlotHost {
  /** The id of the current scope. */
  readonly currentId: number;
}

abstract class Accessor<D> {
  constructor(
    protected readonly host: SlotHost,
    /** This state's column: data by scope id. */
    protected readonly col: unknown[],
  ) {}
  protected data(): D | undefined {
    return this.col[this.host.currentId] as D | undefined;
  }
  protected setData(d: D | undefined): void {
    this.col[this.host.currentId] = d;
  }
  clear(): void {
    this.setData(undefined);
  }
  isEmpty(): boolean {
    return this.data() === undefined;
  }
}

export type Cell = Accessor<unknown>;

class ValueCell<T> extends Accessor<T> implements ValueState<T> {
  read(): T | undefined {
    return this.data();
  }
  write(value: T): void {
    this.setData(value);
  }
  update(f: (current: T | undefined) => T): T {
    const v = f(this.data());
    this.setData(v);
    return v;
  }
}

class BagCell<T> extends Accessor<T[]> implements BagState<T> {
  add(value: T): void {
    const items = this.data();
    if (items) items.push(value);
    else this.setData([value]);
  }
  read(): readonly T[] {
    return this.data()?.slice() ?? [];
  }
}

class CombiningCell<I, A, O> extends Accessor<{ acc: A }> implements CombiningState<I, A, O> {
  constructor(host: SlotHost, col: unknown[], private readonly fn: CombineFn<I, A, O>) {
    super(host, col);
  }
  private box(): { acc: A } {
    let b = this.data();
    if (!b) this.setData((b = { acc: this.fn.createAccumulator() }));
    return b;
  }
  add(value: I): void {
    const b = this.box();
    b.acc = this.fn.addInput(b.acc, value);
  }
  read(): O {
    return this.fn.extractOutput(this.data()?.acc ?? this.fn.createAccumulator());
  }
  getAccumulator(): A {
    return this.data()?.acc ?? this.fn.createAccumulator();
  }
  addAccumulator(accumulator: A): void {
    const b = this.data();
    if (b) b.acc = this.fn.mergeAccumulators([b.acc, accumulator]);
    else this.setData({ acc: accumulator });
  }
}

/** Map and set data: structural key → [key, value]. Emptied maps are dropped from the slot. */
abstract class KeyedCell<D> extends Accessor<Map<unknown, D>> {
  constructor(host: SlotHost, col: unknown[], protected readonly keyOf: GroupingKeyFn) {
    super(host, col);
  }
  protected map(): Map<unknown, D> {
    let m = this.data();
    if (!m) this.setData((m = new Map()));
    return m;
  }
  protected delete(k: unknown): void {
    const m = this.data();
    if (m?.delete(k) && m.size === 0) this.setData(undefined);
  }
  get size(): number {
    return this.data()?.size ?? 0;
  }
}

class MapCell<K, V> extends KeyedCell<[K, V]> implements MapState<K, V> {
  get(key: K): V | undefined {
    return this.data()?.get(this.keyOf(key))?.[1];
  }
  has(key: K): boolean {
    return this.data()?.has(this.keyOf(key)) ?? false;
  }
  put(key: K, value: V): void {
    this.map().set(this.keyOf(key), [key, value]);
  }
  putIfAbsent(key: K, value: V): V {
    const m = this.map();
    const k = this.keyOf(key);
    const e = m.get(k);
    if (e) return e[1];
    m.set(k, [key, value]);
    return value;
  }
  remove(key: K): void {
    this.delete(this.keyOf(key));
  }
  keys(): K[] {
    return [...(this.data()?.values() ?? [])].map((e) => e[0]);
  }
  values(): V[] {
    return [...(this.data()?.values() ?? [])].map((e) => e[1]);
  }
  entries(): Array<[K, V]> {
    return [...(this.data()?.values() ?? [])].map((e) => [e[0], e[1]]);
  }
}

class SetCell<T> extends KeyedCell<T> implements SetState<T> {
  add(value: T): boolean {
    const m = this.map();
    const k = this.keyOf(value);
    if (m.has(k)) return false;
    m.set(k, value);
    return true;
  }
  has(value: T): boolean {
    return this.data()?.has(this.keyOf(value)) ?? false;
  }
  remove(value: T): void {
    this.delete(this.keyOf(value));
  }
  read(): T[] {
    return [...(this.data()?.values() ?? [])];
  }
}

/** A sorted array: appends in timestamp order (the common case) are O(1); others binary-search. */
class OrderedListCell<T> extends Accessor<Array<TimestampedValue<T>>> implements OrderedListState<T> {
  private items(): Array<TimestampedValue<T>> {
    return this.data() ?? [];
  }
  add(value: TimestampedValue<T>): void {
    const entry = { value: value.value, timestamp: value.timestamp };
    const items = this.data();
    if (!items) return this.setData([entry]);
    const n = items.length;
    if (items[n - 1]!.timestamp <= entry.timestamp) items.push(entry);
    else items.splice(upperBound(items, entry.timestamp), 0, entry);
  }
  read(): Array<TimestampedValue<T>> {
    return this.items().slice();
  }
  readRange(from: Instant, to: Instant): Array<TimestampedValue<T>> {
    const items = this.items();
    return items.slice(lowerBound(items, from), lowerBound(items, to));
  }
  clearRange(from: Instant, to: Instant): void {
    const items = this.data();
    if (!items) return;
    const lo = lowerBound(items, from);
    const hi = lowerBound(items, to);
    if (hi > lo) items.splice(lo, hi - lo);
    if (items.length === 0) this.setData(undefined);
  }
  get size(): number {
    return this.items().length;
  }
}

/** First index with timestamp >= t. */
function lowerBound(items: ReadonlyArray<{ timestamp: number }>, t: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid]!.timestamp < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with timestamp > t. */
function upperBound(items: ReadonlyArray<{ timestamp: number }>, t: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid]!.timestamp <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface CellSpec {
  readonly kind: 'value' | 'bag' | 'combining' | 'map' | 'set' | 'orderedList';
  /** map: the key coder; set: the element coder. */
  readonly keyCoder?: Coder<unknown>;
  readonly combineFn?: CombineFn<unknown, unknown, unknown>;
  /** The StateSpec's coders (map: key and value; combining: the accumulator's), for checkpoints. */
  readonly coders?: readonly Coder<unknown>[];
}

/** Makes the accessor of a declared state whose data is in `col`. */
export type CellFactory = (host: SlotHost, col: unknown[]) => Cell;

export function cellFactory(spec: CellSpec, what: string): CellFactory {
  switch (spec.kind) {
    case 'value':
      return (h, i) => new ValueCell(h, i);
    case 'bag':
      return (h, i) => new BagCell(h, i);
    case 'combining': {
      const fn = spec.combineFn!;
      return (h, i) => new CombiningCell(h, i, fn);
    }
    case 'map': {
      const keyOf = groupingKeyFn(spec.keyCoder!, what);
      return (h, i) => new MapCell(h, i, keyOf);
    }
    case 'set': {
      const keyOf = groupingKeyFn(spec.keyCoder!, what);
      return (h, i) => new SetCell(h, i, keyOf);
    }
    case 'orderedList':
      return (h, i) => new OrderedListCell(h, i);
  }
}
