/** Timestamped events for the event-time benchmarks: 1,000,000 over 10,000 keys in 24 hours. */
import { Count, Duration, Map, Metrics, Sessions, Window, type KV, type PCollection } from '../../sdk/index.js';
import { prng } from '../harness.js';

export const EVENTS = 1_000_000;
export const KEYS = 10_000;
export const DAY_MS = 86_400_000;

export interface TimedEvent {
  readonly key: string;
  readonly value: number;
  readonly ts: number;
}

const keys = Array.from({ length: KEYS }, (_, i) => `key${i}`);

export function* timedEvents(count = EVENTS, keyCount = KEYS): Generator<TimedEvent> {
  const random = prng(11);
  const names = keyCount === KEYS ? keys : null;
  for (let i = 0; i < count; i++) {
    const k = Math.floor(random() * keyCount);
    yield { key: names ? names[k]! : `key${k}`, value: Math.floor(random() * 10), ts: Math.floor(random() * DAY_MS) };
  }
}

/** Sessions (gap `gapMs`) per key over the first `count` events, by a plain loop: sessions × 1e7
 *  + events counted, the checksum the sessions benchmarks compare with. */
export function plainSessionsChecksum(count: number, gapMs: number): number {
  const byKey = new globalThis.Map<string, number[]>();
  for (const e of timedEvents(count)) {
    const list = byKey.get(e.key);
    if (list) list.push(e.ts);
    else byKey.set(e.key, [e.ts]);
  }
  let sessions = 0;
  let counted = 0;
  for (const ts of byKey.values()) {
    ts.sort((a, b) => a - b);
    let end = -Infinity;
    for (const t of ts) {
      if (t >= end) sessions++;
      end = Math.max(end, t + gapMs);
      counted++;
    }
  }
  return sessions * 1e7 + counted;
}

/** The sessions benchmarks' pipeline tail: `input` in sessions of `gapMs` per key, counted into
 *  the counters `bench/sessions` (sessions) and `bench/counted` (elements); `onSession` runs once
 *  per session (the Flink cluster bench marks the time there). */
export function countSessions(input: PCollection<KV<string, number>>, gapMs: number, onSession: () => void = () => undefined): void {
  const sessions = Metrics.counter('bench', 'sessions');
  const counted = Metrics.counter('bench', 'counted');
  input
    .apply(Window.into<KV<string, number>>(Sessions.withGapDuration(Duration.millis(gapMs))))
    .apply(Count.perKey<string, number>())
    .apply(
      'Collect',
      Map.of((e: KV<string, number>) => {
        sessions.inc();
        counted.inc(e.value);
        onSession();
      }),
    );
}
