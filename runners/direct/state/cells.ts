/**
 * In-memory state cells: one per declared state of one key and window, created on first access.
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

export type Cell =
  | ValueCell<unknown>
  | BagCell<unknown>
  | CombiningCell<unknown, unknown, unknown>
  | MapCell<unknown, unknown>
  | SetCell<unknown>
  | OrderedListCell<unknown>;

export class ValueCell<T> implements ValueState<T> {
  private v: T | undefined = undefined;
  read(): T | undefined {
    return this.v;
  }
  write(value: T): void {
    this.v = value;
  }
  update(f: (current: T | undefined) => T): T {
    return (this.v = f(this.v));
  }
  clear(): void {
    this.v = undefined;
  }
  isEmpty(): boolean {
    return this.v === undefined;
  }
}

export class BagCell<T> implements BagState<T> {
  private items: T[] = [];
  add(value: T): void {
    this.items.push(value);
  }
  read(): readonly T[] {
    return this.items.slice();
  }
  clear(): void {
    this.items = [];
  }
  isEmpty(): boolean {
    return this.items.length === 0;
  }
}

export class CombiningCell<I, A, O> implements CombiningState<I, A, O> {
  private acc: A | undefined = undefined;
  constructor(private readonly fn: CombineFn<I, A, O>) {}
  private accumulator(): A {
    return (this.acc ??= this.fn.createAccumulator());
  }
  add(value: I): void {
    this.acc = this.fn.addInput(this.accumulator(), value);
  }
  read(): O {
    return this.fn.extractOutput(this.accumulator());
  }
  getAccumulator(): A {
    return this.accumulator();
  }
  addAccumulator(accumulator: A): void {
    this.acc = this.acc === undefined ? accumulator : this.fn.mergeAccumulators([this.acc, accumulator]);
  }
  clear(): void {
    this.acc = undefined;
  }
  isEmpty(): boolean {
    return this.acc === undefined;
  }
}

export class MapCell<K, V> implements MapState<K, V> {
  private readonly m = new Map<unknown, [K, V]>();
  constructor(private readonly keyOf: GroupingKeyFn) {}
  get(key: K): V | undefined {
    return this.m.get(this.keyOf(key))?.[1];
  }
  has(key: K): boolean {
    return this.m.has(this.keyOf(key));
  }
  put(key: K, value: V): void {
    this.m.set(this.keyOf(key), [key, value]);
  }
  putIfAbsent(key: K, value: V): V {
    const k = this.keyOf(key);
    const e = this.m.get(k);
    if (e) return e[1];
    this.m.set(k, [key, value]);
    return value;
  }
  remove(key: K): void {
    this.m.delete(this.keyOf(key));
  }
  keys(): K[] {
    return [...this.m.values()].map((e) => e[0]);
  }
  values(): V[] {
    return [...this.m.values()].map((e) => e[1]);
  }
  entries(): Array<[K, V]> {
    return [...this.m.values()].map((e) => [e[0], e[1]]);
  }
  get size(): number {
    return this.m.size;
  }
  clear(): void {
    this.m.clear();
  }
  isEmpty(): boolean {
    return this.m.size === 0;
  }
}

export class SetCell<T> implements SetState<T> {
  private readonly m = new Map<unknown, T>();
  constructor(private readonly keyOf: GroupingKeyFn) {}
  add(value: T): boolean {
    const k = this.keyOf(value);
    if (this.m.has(k)) return false;
    this.m.set(k, value);
    return true;
  }
  has(value: T): boolean {
    return this.m.has(this.keyOf(value));
  }
  remove(value: T): void {
    this.m.delete(this.keyOf(value));
  }
  read(): T[] {
    return [...this.m.values()];
  }
  get size(): number {
    return this.m.size;
  }
  clear(): void {
    this.m.clear();
  }
  isEmpty(): boolean {
    return this.m.size === 0;
  }
}

/** A sorted array: appends in timestamp order (the common case) are O(1); others binary-search. */
export class OrderedListCell<T> implements OrderedListState<T> {
  private items: Array<TimestampedValue<T>> = [];
  add(value: TimestampedValue<T>): void {
    const items = this.items;
    const t = value.timestamp;
    const n = items.length;
    if (n === 0 || items[n - 1]!.timestamp <= t) items.push({ value: value.value, timestamp: t });
    else items.splice(this.upperBound(t), 0, { value: value.value, timestamp: t });
  }
  read(): Array<TimestampedValue<T>> {
    return this.items.slice();
  }
  readRange(from: Instant, to: Instant): Array<TimestampedValue<T>> {
    return this.items.slice(this.lowerBound(from), this.lowerBound(to));
  }
  clearRange(from: Instant, to: Instant): void {
    const lo = this.lowerBound(from);
    const hi = this.lowerBound(to);
    if (hi > lo) this.items.splice(lo, hi - lo);
  }
  get size(): number {
    return this.items.length;
  }
  clear(): void {
    this.items = [];
  }
  isEmpty(): boolean {
    return this.items.length === 0;
  }
  /** First index with timestamp >= t. */
  private lowerBound(t: number): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid]!.timestamp < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  /** First index with timestamp > t. */
  private upperBound(t: number): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid]!.timestamp <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** How to create each declared state's cell, from the state spec in the proto. */
export type CellFactory = () => Cell;

export interface CellSpec {
  readonly kind: 'value' | 'bag' | 'combining' | 'map' | 'set' | 'orderedList';
  /** map: the key coder; set: the element coder. */
  readonly keyCoder?: Coder<unknown>;
  readonly combineFn?: CombineFn<unknown, unknown, unknown>;
}

export function cellFactory(spec: CellSpec, what: string): CellFactory {
  switch (spec.kind) {
    case 'value':
      return () => new ValueCell();
    case 'bag':
      return () => new BagCell();
    case 'combining': {
      const fn = spec.combineFn!;
      return () => new CombiningCell(fn);
    }
    case 'map': {
      const keyOf = groupingKeyFn(spec.keyCoder!, what);
      return () => new MapCell(keyOf);
    }
    case 'set': {
      const keyOf = groupingKeyFn(spec.keyCoder!, what);
      return () => new SetCell(keyOf);
    }
    case 'orderedList':
      return () => new OrderedListCell();
  }
}
