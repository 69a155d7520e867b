/**
 * The sessionizer example (examples/sessionizer.ts: gap 30 min, maximum 2 h) at scale: 3,000,000
 * events of 1,000,000 users in time order over 6 hours, so about a million sessions are open at
 * once, against a plain loop applying the same rules to a Map of open sessions. Reports
 * throughput, sessions, and bytes per open session (RSS above an idle baseline) for both.
 */
import { Coders, DoFn, Impulse, Instant, Metrics, ParDo, Pipeline, Map, kv, type KV, type ProcessContext } from '../../sdk/index.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { SessionizeFn, type Session } from '../../examples/sessionizer.js';
import { benchCase, prng } from '../harness.js';

const USERS = 1_000_000;
const EVENTS = 3_000_000;
const SPAN = 6 * 3_600_000;
const GAP = 30 * 60_000;
const MAX = 2 * 3_600_000;

/** Events in time order: user drawn at random, time rising evenly over the span. */
function* activity(): Generator<{ user: number; ts: number }> {
  const random = prng(18);
  for (let i = 0; i < EVENTS; i++) yield { user: Math.floor(random() * USERS), ts: Math.floor((i / EVENTS) * SPAN) };
}

const names = Array.from({ length: USERS }, (_, i) => `u${i}`);

class ActivityFn extends DoFn<Uint8Array, KV<string, number>> {
  override allowedTimestampSkew = Infinity;
  process(_: Uint8Array, ctx: ProcessContext<KV<string, number>>): void {
    for (const e of activity()) ctx.outputWithTimestamp(kv(names[e.user]!, e.ts), Instant.ofEpochMillis(e.ts));
  }
}

const baseline = process.resourceUsage().maxRSS;

await benchCase(import.meta.url, {
  name: 'sessionizer-1m-users',
  plain() {
    const open = new globalThis.Map<string, { start: number; last: number; events: number }>();
    let sessions = 0;
    let events = 0;
    for (const e of activity()) {
      const user = names[e.user]!;
      const s = open.get(user);
      if (s && e.ts - s.last < GAP && e.ts - s.start < MAX) {
        s.last = e.ts;
        s.events++;
        continue;
      }
      if (s) (sessions++, (events += s.events));
      open.set(user, { start: e.ts, last: e.ts, events: 1 });
    }
    for (const s of open.values()) (sessions++, (events += s.events));
    return { elements: EVENTS, checksum: sessions * 1e7 + events };
  },
  async tributary() {
    const p = new Pipeline();
    const sessions = Metrics.counter('bench', 'sessions');
    const events = Metrics.counter('bench', 'events');
    p.apply(Impulse.create())
      .apply('Activity', ParDo.of(new ActivityFn()))
      .withCoder(Coders.kv(Coders.string(), Coders.double()))
      .apply('Sessions', ParDo.of(new SessionizeFn(GAP, MAX)))
      .apply(
        'Collect',
        Map.of((s: Session) => {
          sessions.inc();
          events.inc(s.events);
        }),
      );
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    return { elements: EVENTS, checksum: result.metrics().counter('sessions') * 1e7 + result.metrics().counter('events') };
  },
  report(plain, tributary) {
    const baselineMb = baseline / 1024;
    return {
      users: USERS,
      bytesPerOpenSession: Math.round(((tributary.peakRssMb - baselineMb) * 1024 * 1024) / USERS),
      plainBytesPerOpenSession: Math.round(((plain.peakRssMb - baselineMb) * 1024 * 1024) / USERS),
    };
  },
});
