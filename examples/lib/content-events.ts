/**
 * Generated page views for the sliding-metrics example (seeds/003, Fairfax Media): users reading
 * content items over several days, popular items far more read than the rest, with the daily
 * rhythm of a news site. Delivery is out of order, and a few events reach the service hours late
 * (a phone that was offline), so some miss their window.
 *
 * Deterministic: the same options (and seed) give the same events, in every process.
 */
import { Instant } from '../../sdk/index.js';
import type { Arrival } from './replay.js';
import { seededRandom } from './random.js';

export interface ContentEvent {
  /** Unique per event. */
  readonly id: string;
  readonly user: string;
  readonly content: string;
  /** Event time, epoch milliseconds (also the element's timestamp). */
  readonly time: number;
}

export interface ContentEventOptions {
  readonly events: number;
  readonly users: number;
  readonly contents: number;
  readonly days: number;
  readonly seed: number;
  readonly start: Instant;
  /** Share of events that arrive hours late. */
  readonly lateShare: number;
}

export const contentEventDefaults: ContentEventOptions = {
  events: 3000,
  users: 150,
  contents: 25,
  days: 10,
  seed: 2018,
  start: Instant.parse('2018-10-01T00:00:00Z'),
  lateShare: 0.01,
};

const HOUR = 3_600_000;

export function generateContentEvents(options: Partial<ContentEventOptions> = {}): Arrival<ContentEvent>[] {
  const o = { ...contentEventDefaults, ...options };
  const rnd = seededRandom(o.seed);
  const span = o.days * 24 * HOUR;
  const out: Arrival<ContentEvent>[] = [];
  for (let i = 0; i < o.events; i++) {
    // More reading by day than by night: redraw night-time hours half of the time.
    let offset = Math.floor(rnd.next() * span);
    const hourOfDay = Math.floor(offset / HOUR) % 24;
    if ((hourOfDay < 6 || hourOfDay > 22) && rnd.chance(0.5)) offset = Math.floor(rnd.next() * span);
    // Popularity: content k is read about 1/(k+1) as often as content 0.
    const content = `article-${zipf(rnd.next(), o.contents) + 1}`;
    const user = `reader-${zipf(rnd.next(), o.users) + 1}`;
    const time = o.start + offset;
    const delay = rnd.chance(o.lateShare) ? rnd.int(2 * HOUR, 6 * HOUR) : rnd.int(0, 90_000);
    out.push({
      value: { id: `ev-${String(i + 1).padStart(6, '0')}`, user, content, time },
      timestamp: Instant.ofEpochMillis(time),
      arrival: Instant.ofEpochMillis(time + delay),
    });
  }
  return out;
}

/** Index in [0, n) with probability proportional to 1/(index+1), from a uniform u in [0, 1). */
function zipf(u: number, n: number): number {
  let total = 0;
  for (let k = 1; k <= n; k++) total += 1 / k;
  let acc = 0;
  for (let k = 1; k <= n; k++) {
    acc += 1 / k / total;
    if (u < acc) return k - 1;
  }
  return n - 1;
}
