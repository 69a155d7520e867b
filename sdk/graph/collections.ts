/**
 * Inputs made of several PCollections: a list (for Flatten) and a tuple of keyed collections
 * by name (for CoGroupByKey).
 */
import { PipelineConstructionError } from '../errors.js';
import type { KV } from '../values/kv.js';
import type { PCollection } from './pcollection.js';
import type { PTransform } from './ptransform.js';

export class PCollectionList<T> {
  private constructor(readonly all: readonly PCollection<T>[]) {}

  static of<T>(pcollections: readonly PCollection<T>[]): PCollectionList<T> {
    if (pcollections.length === 0) throw new PipelineConstructionError('PCollectionList.of needs at least one PCollection');
    return new PCollectionList(pcollections);
  }

  apply<O>(transform: PTransform<readonly PCollection<T>[], O>): O;
  apply<O>(name: string, transform: PTransform<readonly PCollection<T>[], O>): O;
  apply<O>(a: string | PTransform<readonly PCollection<T>[], O>, b?: PTransform<readonly PCollection<T>[], O>): O {
    const pipeline = this.all[0]!.pipeline;
    return typeof a === 'string' ? pipeline.applyTransform(this.all, b!, a) : pipeline.applyTransform(this.all, a, undefined);
  }
}

/** Keyed PCollections by name: `{ impressions: PCollection<KV<K, I>>, clicks: PCollection<KV<K, C>> }`. */
export type KeyedInputs<K, R extends Record<string, unknown>> = { readonly [T in keyof R]: PCollection<KV<K, R[T]>> };

export class KeyedPCollectionTuple<K, R extends Record<string, unknown>> {
  private constructor(readonly inputs: KeyedInputs<K, R>) {}

  static of<K, R extends Record<string, unknown>>(inputs: KeyedInputs<K, R>): KeyedPCollectionTuple<K, R> {
    const names = Object.keys(inputs);
    if (names.length === 0) throw new PipelineConstructionError('KeyedPCollectionTuple.of needs at least one PCollection');
    return new KeyedPCollectionTuple(inputs);
  }

  apply<O>(transform: PTransform<KeyedInputs<K, R>, O>): O;
  apply<O>(name: string, transform: PTransform<KeyedInputs<K, R>, O>): O;
  apply<O>(a: string | PTransform<KeyedInputs<K, R>, O>, b?: PTransform<KeyedInputs<K, R>, O>): O {
    const first = Object.values(this.inputs)[0] as PCollection<unknown>;
    return typeof a === 'string' ? first.pipeline.applyTransform(this.inputs, b!, a) : first.pipeline.applyTransform(this.inputs, a, undefined);
  }
}
