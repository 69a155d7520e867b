/** A key-value pair, the element type GroupByKey and Combine.perKey work on. */
export interface KV<K, V> {
  readonly key: K;
  readonly value: V;
}

export function kv<K, V>(key: K, value: V): KV<K, V> {
  return { key, value };
}
