/**
 * Generated email opens for the dedup example (seeds/001, Klaviyo: "how many unique individuals
 * opened emails from this campaign between 3:00am and 4:00am?"): recipients of a few campaigns
 * opening them, many more than once, over several days; every open delivered at least once (a
 * share twice: an at-least-once source), out of order by up to `maxDelay`.
 *
 * Deterministic: the same options (and seed) give the same opens, in every process.
 */
import { Instant } from '../../sdk/index.js';
import type { Arrival } from './replay.js';
import { seededRandom } from './random.js';

export interface EmailOpen {
  /** Unique per open (a redelivered open repeats it). */
  readonly id: string;
  readonly campaign: string;
  readonly user: string;
  /** Event time, epoch milliseconds (also the element's timestamp). */
  readonly time: number;
}

export interface EmailOpenOptions {
  readonly opens: number;
  readonly users: number;
  readonly campaigns: number;
  readonly days: number;
  readonly seed: number;
  readonly start: Instant;
  /** Share of opens delivered twice. */
  readonly duplicateShare: number;
  /** Longest delivery delay, ms. */
  readonly maxDelay: number;
}

export const emailOpenDefaults: EmailOpenOptions = {
  opens: 5000,
  users: 400,
  campaigns: 5,
  days: 3,
  seed: 8,
  start: Instant.parse('2018-12-07T00:00:00Z'),
  duplicateShare: 0.1,
  maxDelay: 45_000,
};

const HOUR = 3_600_000;

export function generateEmailOpens(options: Partial<EmailOpenOptions> = {}): Arrival<EmailOpen>[] {
  const o = { ...emailOpenDefaults, ...options };
  const rnd = seededRandom(o.seed);
  const out: Arrival<EmailOpen>[] = [];
  for (let i = 0; i < o.opens; i++) {
    const campaign = `campaign-${rnd.int(1, o.campaigns)}`;
    // A campaign's opens crowd into the hours after it is sent; a reader reopens it now and then.
    const sent = o.start + (Number(campaign.slice('campaign-'.length)) % o.days) * 24 * HOUR + 8 * HOUR;
    const time = sent + Math.floor(rnd.next() ** 2 * (o.days * 24 - 8) * HOUR);
    const user = `user-${rnd.int(1, o.users)}`;
    const open: EmailOpen = { id: `open-${i + 1}`, campaign, user, time };
    const copies = rnd.chance(o.duplicateShare) ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      out.push({ value: open, timestamp: Instant.ofEpochMillis(time), arrival: Instant.ofEpochMillis(time + rnd.int(0, o.maxDelay)) });
    }
  }
  return out;
}
