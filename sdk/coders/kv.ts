/** beam:coder:kv:v1 — the key (always nested), then the value (in the outer context given). */
import type { ByteReader, ByteWriter } from './bytes.js';
import type { Coder } from './coder.js';
import { kv, type KV } from '../values/kv.js';
import { CoderUrns } from './urns.js';

export class KvCoder<K, V> implements Coder<KV<K, V>> {
  readonly urn = CoderUrns.KV;
  readonly components: readonly Coder<unknown>[];
  readonly deterministic: boolean;
  constructor(
    readonly keyCoder: Coder<K>,
    readonly valueCoder: Coder<V>,
  ) {
    this.components = [keyCoder as Coder<unknown>, valueCoder as Coder<unknown>];
    this.deterministic = keyCoder.deterministic && valueCoder.deterministic;
  }
  encode(value: KV<K, V>, out: ByteWriter, nested: boolean): void {
    if (value === null || typeof value !== 'object') {
      throw new TypeError(`kv coder cannot encode ${String(value)}: expected a {key, value} object`);
    }
    this.keyCoder.encode(value.key, out, true);
    this.valueCoder.encode(value.value, out, nested);
  }
  decode(input: ByteReader, nested: boolean): KV<K, V> {
    const key = this.keyCoder.decode(input, true);
    return kv(key, this.valueCoder.decode(input, nested));
  }
}
