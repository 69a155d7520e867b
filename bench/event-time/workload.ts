/** Timestamped events for the event-time benchmarks: 1,000,000 over 10,000 keys in 24 hours. */
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
