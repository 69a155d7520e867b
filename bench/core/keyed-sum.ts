/** A keyed sum over 1,000,000 events (10,000 keys): Tributary vs a plain loop. Both report the
 *  grand total of the per-key sums as a checksum. */
import { DoFn, Impulse, Map, Metrics, ParDo, Pipeline, Sum, kv, type KV } from '../../sdk/index.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { benchCase } from '../harness.js';
import { EVENTS, events, type Event } from './workloads.js';

class EventsFn extends DoFn<Uint8Array, Event> {
  *process(): Generator<Event> {
    yield* events();
  }
}

await benchCase(import.meta.url, {
  name: 'keyed-sum',
  plain() {
    const sums = new globalThis.Map<string, number>();
    for (const e of events()) sums.set(e.user, (sums.get(e.user) ?? 0) + e.amount);
    let checksum = 0;
    for (const s of sums.values()) checksum += s;
    return { elements: EVENTS, checksum };
  },
  async tributary() {
    const p = new Pipeline();
    const total = Metrics.counter('bench', 'total');
    p.apply(Impulse.create())
      .apply('Events', ParDo.of(new EventsFn()))
      .apply('Key', Map.of((e: Event) => kv(e.user, e.amount)))
      .apply('Sum', Sum.perKey<string>())
      .apply('Collect', Map.of((e: KV<string, number>) => total.inc(e.value)));
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    return { elements: EVENTS, checksum: result.metrics().counter('total') };
  },
});
