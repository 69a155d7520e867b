/** 30-minute session windows counted per key over 1,000,000 events: Tributary vs a plain loop
 *  (group by key, sort, sweep). */
import { DoFn, Impulse, Instant, ParDo, Pipeline, type KV, type ProcessContext } from '../../sdk/index.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { benchCase } from '../harness.js';
import { countSessions, EVENTS, plainSessionsChecksum, timedEvents } from './workload.js';

const GAP = 30 * 60_000;

class EventsFn extends DoFn<Uint8Array, KV<string, number>> {
  override allowedTimestampSkew = Infinity;
  process(_: Uint8Array, ctx: ProcessContext<KV<string, number>>): void {
    for (const e of timedEvents()) ctx.outputWithTimestamp({ key: e.key, value: 1 }, Instant.ofEpochMillis(e.ts));
  }
}

await benchCase(import.meta.url, {
  name: 'sessions-count',
  plain() {
    return { elements: EVENTS, checksum: plainSessionsChecksum(EVENTS, GAP) };
  },
  async tributary() {
    const p = new Pipeline();
    countSessions(p.apply(Impulse.create()).apply('Events', ParDo.of(new EventsFn())), GAP);
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    const m = result.metrics();
    return { elements: EVENTS, checksum: m.counter('sessions') * 1e7 + m.counter('counted') };
  },
});
