/**
 * The portable benchmarks' pipelines: a keyed sum and 30-minute sessions counted per key over
 * the same generated events as bench/core and bench/event-time (the first N of them), run on
 * the direct runner (the baseline) and on the portable runner against Prism with one in-process
 * harness (loopback). Checksums come from user metrics, which both runners report.
 */
import { DoFn, Impulse, Instant, Map, Metrics, ParDo, Pipeline, Sum, kv, type KV, type PipelineRunner, type ProcessContext } from '../../sdk/index.js';
import { events } from '../core/workloads.js';
import { countSessions, timedEvents } from '../event-time/workload.js';

/** Elements per run: a loopback harness behind Prism moves far fewer per second than the direct runner. */
export const N = 200_000;
const GAP = 30 * 60_000;

class KeyedEventsFn extends DoFn<Uint8Array, KV<string, number>> {
  *process(): Generator<KV<string, number>> {
    let i = 0;
    for (const e of events()) {
      if (i++ >= N) return;
      yield kv(e.user, e.amount);
    }
  }
}

class TimedEventsFn extends DoFn<Uint8Array, KV<string, number>> {
  override allowedTimestampSkew = Infinity;
  constructor(private readonly n: number) {
    super();
  }
  process(_: Uint8Array, ctx: ProcessContext<KV<string, number>>): void {
    for (const e of timedEvents(this.n)) ctx.outputWithTimestamp({ key: e.key, value: 1 }, Instant.ofEpochMillis(e.ts));
  }
}

export async function keyedSum(runner: PipelineRunner): Promise<{ elements: number; checksum: number }> {
  const p = new Pipeline();
  const total = Metrics.counter('bench', 'total');
  p.apply(Impulse.create())
    .apply('Events', ParDo.of(new KeyedEventsFn()))
    .apply('Sum', Sum.perKey<string>())
    .apply('Collect', Map.of((e: KV<string, number>) => total.inc(e.value)));
  const result = runner.run(p);
  await result.waitUntilFinish();
  return { elements: N, checksum: result.metrics().counter('total') };
}

export async function sessionsCount(runner: PipelineRunner, n = N): Promise<{ elements: number; checksum: number }> {
  const p = new Pipeline();
  countSessions(p.apply(Impulse.create()).apply('Events', ParDo.of(new TimedEventsFn(n))), GAP);
  const result = runner.run(p);
  await result.waitUntilFinish();
  const m = result.metrics();
  return { elements: n, checksum: m.counter('sessions') * 1e7 + m.counter('counted') };
}
