/**
 * Cluster bench: 30-minute sessions per key (Count.perKey under Sessions, not lifted: windows
 * merge first) over `--elements` events in one day over 10,000 keys. Checksum: counters
 * `bench/sessions` and `bench/counted`.
 *
 *   tributary run bench/flink/pipelines/sessions.ts [--elements=200000] [--runner=flink ...]
 */
import { Count, Duration, Instant, Map, Metrics, Sessions, Window, kv, type KV, type Pipeline } from '../../../sdk/index.js';
import { keyOf, timestampOf } from './events.js';
import { markEnd, shardedInput, type BenchOptions } from './shards.js';

export { options } from './shards.js';

const GAP = Duration.millis(30 * 60_000);
const sessions = Metrics.counter('bench', 'sessions');
const counted = Metrics.counter('bench', 'counted');

export default function build(p: Pipeline, o: BenchOptions): void {
  shardedInput<KV<string, number>>(p, o, (i, ctx) => ctx.outputWithTimestamp(kv(keyOf(i), 1), Instant.ofEpochMillis(timestampOf(i))))
    .apply(Window.into<KV<string, number>>(Sessions.withGapDuration(GAP)))
    .apply(Count.perKey<string, number>())
    .apply(
      'Collect',
      Map.of((e: KV<string, number>) => {
        sessions.inc();
        counted.inc(e.value);
        markEnd();
      }),
    );
}
