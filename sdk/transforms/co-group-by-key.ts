/**
 * CoGroupByKey: joins keyed PCollections by key (per window). Each input is tagged, flattened,
 * grouped once, and split back into one list per input.
 */
import type { KeyedInputs } from '../graph/collections.js';
import { PCollectionList } from '../graph/collections.js';
import type { PCollection } from '../graph/pcollection.js';
import { PTransform } from '../graph/ptransform.js';
import { kv, type KV } from '../values/kv.js';
import { Map } from './element-wise.js';
import { Flatten } from './flatten.js';
import { GroupByKey } from './group-by-key.js';

export type CoGbkResult<R extends Record<string, unknown>> = { readonly [T in keyof R]: R[T][] };

interface Tagged {
  readonly t: string;
  readonly v: unknown;
}

export class CoGroupByKey<K, R extends Record<string, unknown>> extends PTransform<KeyedInputs<K, R>, PCollection<KV<K, CoGbkResult<R>>>> {
  static create<K, R extends Record<string, unknown>>(): CoGroupByKey<K, R> {
    return new CoGroupByKey<K, R>('CoGroupByKey');
  }

  expand(inputs: KeyedInputs<K, R>): PCollection<KV<K, CoGbkResult<R>>> {
    const names = Object.keys(inputs).sort();
    const tagged = names.map((name) =>
      (inputs[name] as PCollection<KV<K, unknown>>).apply(`Tag[${name}]`, Map.of((e: KV<K, unknown>) => kv(e.key, { t: name, v: e.value } as Tagged))),
    );
    return PCollectionList.of(tagged)
      .apply('Flatten', Flatten.pCollections())
      .apply('GroupByKey', GroupByKey.create<K, Tagged>())
      .apply(
        'Collate',
        Map.of((e: KV<K, Tagged[]>) => {
          const result: Record<string, unknown[]> = {};
          for (const name of names) result[name] = [];
          for (const { t, v } of e.value) result[t]!.push(v);
          return kv(e.key, result as CoGbkResult<R>);
        }),
      );
  }
}
