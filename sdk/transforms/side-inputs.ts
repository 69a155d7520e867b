/**
 * Side inputs: a PCollection viewed as one value that a ParDo reads for each element's window.
 * The view kinds are Beam's: singleton, iterable, list, map and multimap.
 */
import { PipelineConstructionError } from '../errors.js';
import type { PCollection } from '../graph/pcollection.js';
import type { KV } from '../values/kv.js';

export type ViewKind = 'singleton' | 'iterable' | 'list' | 'map' | 'multimap';

export class PCollectionView<T> {
  /** Phantom: the type a DoFn reads, so a view of the wrong type fails to compile. */
  declare readonly __viewType: T;
  constructor(
    readonly pcollection: PCollection<unknown>,
    readonly kind: ViewKind,
    /** For singletons: the value when the window holds no element; absent means "error". */
    readonly defaultValue?: { value: unknown },
  ) {}
}

export const View = {
  /** The one element of the collection in the window (a clear error if there are several). */
  asSingleton<T>(pc: PCollection<T>, options?: { defaultValue: T }): PCollectionView<T> {
    return new PCollectionView<T>(pc, 'singleton', options ? { value: options.defaultValue } : undefined);
  },
  asIterable<T>(pc: PCollection<T>): PCollectionView<Iterable<T>> {
    return new PCollectionView<Iterable<T>>(pc, 'iterable');
  },
  asList<T>(pc: PCollection<T>): PCollectionView<readonly T[]> {
    return new PCollectionView<readonly T[]>(pc, 'list');
  },
  /** A map from key to value; a key present twice is a clear error (use asMultimap). */
  asMap<K, V>(pc: PCollection<KV<K, V>>): PCollectionView<ReadonlyMap<K, V>> {
    markKeyed(pc, 'View.asMap');
    return new PCollectionView<ReadonlyMap<K, V>>(pc, 'map');
  },
  asMultimap<K, V>(pc: PCollection<KV<K, V>>): PCollectionView<ReadonlyMap<K, readonly V[]>> {
    markKeyed(pc, 'View.asMultimap');
    return new PCollectionView<ReadonlyMap<K, readonly V[]>>(pc, 'multimap');
  },
};

function markKeyed(pc: PCollection<unknown>, by: string): void {
  if (!pc || typeof pc.apply !== 'function') throw new PipelineConstructionError(`${by} needs a PCollection`);
  pc.keyedConsumer ??= by;
}
