/**
 * Scale: 1,000,000 session windows open at once (1,000,000 keys, one event each, the watermark
 * held until the end). Reports bytes per open session for Tributary (RSS above an idle baseline)
 * against a plain loop keeping a Map of sessions, and timer work per element.
 */
import { Count, DoFn, Duration, Impulse, Instant, Map, Metrics, ParDo, Pipeline, Sessions, Window, type KV, type ProcessContext } from '../../sdk/index.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { benchCase } from '../harness.js';
import { timedEvents } from './workload.js';

const SESSIONS = 1_000_000;
const GAP = 30 * 60_000;

class EventsFn extends DoFn<Uint8Array, KV<string, number>> {
  override allowedTimestampSkew = Infinity;
  process(_: Uint8Array, ctx: ProcessContext<KV<string, number>>): void {
    let i = 0;
    for (const e of timedEvents(SESSIONS, SESSIONS)) ctx.outputWithTimestamp({ key: `user${i++}`, value: 1 }, Instant.ofEpochMillis(e.ts));
  }
}

const baseline = process.resourceUsage().maxRSS;

await benchCase(import.meta.url, {
  name: 'open-sessions-1m',
  plain() {
    const open = new globalThis.Map<string, { start: number; end: number; count: number }>();
    let i = 0;
    for (const e of timedEvents(SESSIONS, SESSIONS)) open.set(`user${i++}`, { start: e.ts, end: e.ts + GAP, count: 1 });
    let n = 0;
    for (const s of open.values()) n += s.count;
    return { elements: SESSIONS, checksum: n };
  },
  async tributary() {
    const p = new Pipeline();
    const counted = Metrics.counter('bench', 'counted');
    p.apply(Impulse.create())
      .apply('Events', ParDo.of(new EventsFn()))
      .apply(Window.into<KV<string, number>>(Sessions.withGapDuration(Duration.millis(GAP))))
      .apply(Count.perKey<string, number>())
      .apply('Collect', Map.of((e: KV<string, number>) => counted.inc(e.value)));
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    return { elements: SESSIONS, checksum: result.metrics().counter('counted') };
  },
  report(plain, tributary) {
    const baselineMb = baseline / 1024;
    return {
      sessions: SESSIONS,
      bytesPerOpenSession: Math.round(((tributary.peakRssMb - baselineMb) * 1024 * 1024) / SESSIONS),
      plainBytesPerOpenSession: Math.round(((plain.peakRssMb - baselineMb) * 1024 * 1024) / SESSIONS),
    };
  },
});
