/** Fixed 60-second windows summed per key over 1,000,000 events: Tributary vs a plain loop. */
import { DoFn, Duration, FixedWindows, Impulse, Instant, Map, Metrics, ParDo, Pipeline, Sum, Window, kv, type KV, type ProcessContext } from '../../sdk/index.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { benchCase } from '../harness.js';
import { EVENTS, timedEvents } from './workload.js';

class EventsFn extends DoFn<Uint8Array, KV<string, number>> {
  override allowedTimestampSkew = Infinity;
  process(_: Uint8Array, ctx: ProcessContext<KV<string, number>>): void {
    for (const e of timedEvents()) ctx.outputWithTimestamp(kv(e.key, e.value), Instant.ofEpochMillis(e.ts));
  }
}

await benchCase(import.meta.url, {
  name: 'fixed-windows-sum',
  plain() {
    const sums = new globalThis.Map<string, number>();
    for (const e of timedEvents()) {
      const k = `${e.key}|${e.ts - (e.ts % 60_000)}`;
      sums.set(k, (sums.get(k) ?? 0) + e.value);
    }
    let checksum = 0;
    for (const s of sums.values()) checksum += s;
    return { elements: EVENTS, checksum: checksum * 1e7 + sums.size };
  },
  async tributary() {
    const p = new Pipeline();
    const total = Metrics.counter('bench', 'total');
    const panes = Metrics.counter('bench', 'panes');
    p.apply(Impulse.create())
      .apply('Events', ParDo.of(new EventsFn()))
      .apply(Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(60))))
      .apply(Sum.perKey<string>())
      .apply(
        'Collect',
        Map.of((e: KV<string, number>) => {
          total.inc(e.value);
          panes.inc();
        }),
      );
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    const m = result.metrics();
    return { elements: EVENTS, checksum: m.counter('total') * 1e7 + m.counter('panes') };
  },
});
