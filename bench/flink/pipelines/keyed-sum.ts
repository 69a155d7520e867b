/**
 * Cluster bench: a keyed sum (Sum.perKey, lifted: each worker precombines before the shuffle) of
 * `--elements` events over 10,000 keys. Counter `bench/total` is the checksum.
 *
 *   tributary run bench/flink/pipelines/keyed-sum.ts [--elements=200000] [--runner=flink ...]
 */
import { Map, Metrics, Sum, kv, type KV, type Pipeline } from '../../../sdk/index.js';
import { amountOf, keyOf } from './events.js';
import { markEnd, shardedInput, type BenchOptions } from './shards.js';

export { options } from './shards.js';

const total = Metrics.counter('bench', 'total');

export default function build(p: Pipeline, o: BenchOptions): void {
  shardedInput<KV<string, number>>(p, o, (i, ctx) => ctx.output(kv(keyOf(i), amountOf(i))))
    .apply('Sum', Sum.perKey<string>())
    .apply(
      'Collect',
      Map.of((e: KV<string, number>) => {
        total.inc(e.value);
        markEnd();
      }),
    );
}
