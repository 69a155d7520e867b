/**
 * Cluster bench: 30-minute sessions per key (Count.perKey under Sessions; on Flink the workers
 * pre-merge and merge the sessions, runners/portable/sessions-in-workers.ts) over `--elements`
 * events in one day over 10,000 keys (1,000,000 events: 130,839 sessions). Checksum: counters
 * `bench/sessions` and `bench/counted`.
 *
 *   tributary run bench/flink/pipelines/sessions.ts [--elements=50000] [--runner=flink ...]
 */
import { Instant, kv, type KV, type Pipeline } from '../../../sdk/index.js';
import { countSessions } from '../../event-time/workload.js';
import { keyOf, timestampOf } from './events.js';
import { markEnd, shardedInput, type BenchOptions } from './shards.js';

export { options } from './shards.js';

export default function build(p: Pipeline, o: BenchOptions): void {
  countSessions(
    shardedInput<KV<string, number>>(p, o, (i, ctx) => ctx.outputWithTimestamp(kv(keyOf(i), 1), Instant.ofEpochMillis(timestampOf(i)))),
    30 * 60_000,
    markEnd,
  );
}
