/**
 * State declarations. A DoFn declares its state once, by name and kind, with the coders a runner
 * that stores state as bytes (a portable runner's state plane) needs; `ctx.state.<name>` is then
 * typed by the declaration, so reading a `value<number>` gives `number | undefined` and writing a
 * string to it does not compile.
 *
 *   const state = {
 *     seen: StateSpecs.value(Coders.bool()),
 *     clicks: StateSpecs.combining(SumFn),
 *     recent: StateSpecs.orderedList<Login>(),
 *   };
 */
import { Coders, type Coder } from '../coders/index.js';
import type { CombineFn } from '../transforms/combine-fn.js';
import type { BagState, CombiningState, MapState, OrderedListState, SetState, ValueState } from './state-types.js';

export type StateKind = 'value' | 'bag' | 'combining' | 'map' | 'set' | 'orderedList';

export class StateSpec<S> {
  /** Only carries the accessor type; there is no such property at run time. */
  declare readonly __state: S;
  constructor(
    readonly kind: StateKind,
    /** value/bag/set/orderedList: [element]; map: [key, value]; combining: [accumulator]. */
    readonly coders: readonly Coder<unknown>[],
    readonly combineFn?: CombineFn<unknown, unknown, unknown>,
  ) {}
}

/** A DoFn's state declarations, by name. */
export type StateDeclarations = { readonly [name: string]: StateSpec<unknown> };

/** The accessors `ctx.state` holds for the declarations `S`. */
export type StateAccessors<S extends StateDeclarations> = { readonly [N in keyof S]: S[N]['__state'] };

const json = <T>(): Coder<T> => Coders.json<T>();
const erase = <T>(c: Coder<T>): Coder<unknown> => c as Coder<unknown>;

export const StateSpecs = {
  value<T>(coder: Coder<T> = json<T>()): StateSpec<ValueState<T>> {
    return new StateSpec('value', [erase(coder)]);
  },
  bag<T>(elementCoder: Coder<T> = json<T>()): StateSpec<BagState<T>> {
    return new StateSpec('bag', [erase(elementCoder)]);
  },
  /** Folds added values with `fn`; the accumulator coder defaults to `fn.accumulatorCoder()`,
   *  else the JSON coder. */
  combining<I, A, O>(fn: CombineFn<I, A, O>, accumulatorCoder?: Coder<A>): StateSpec<CombiningState<I, A, O>> {
    const coder = accumulatorCoder ?? fn.accumulatorCoder?.() ?? json<A>();
    return new StateSpec('combining', [erase(coder)], fn as CombineFn<unknown, unknown, unknown>);
  },
  /** The key coder must be deterministic: keys are compared by their encodings. */
  map<K, V>(keyCoder: Coder<K> = json<K>(), valueCoder: Coder<V> = json<V>()): StateSpec<MapState<K, V>> {
    return new StateSpec('map', [erase(keyCoder), erase(valueCoder)]);
  },
  /** The element coder must be deterministic: elements are compared by their encodings. */
  set<T>(elementCoder: Coder<T> = json<T>()): StateSpec<SetState<T>> {
    return new StateSpec('set', [erase(elementCoder)]);
  },
  orderedList<T>(elementCoder: Coder<T> = json<T>()): StateSpec<OrderedListState<T>> {
    return new StateSpec('orderedList', [erase(elementCoder)]);
  },
};
