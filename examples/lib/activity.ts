/**
 * Generated input for the dynamic-rules example (seeds/004, "dynamic processing": fraud rules
 * updated while the job runs): account activity — failed logins, file shares, withdrawals, with
 * bursts of each — and a stream of rule changes interleaved with it: the initial rules at the
 * start, then a threshold lowered, a rule added, a rule switched off. One feed carries both, in
 * arrival order; activity arrives up to `maxDelayMillis` after its event time (out of order),
 * rules as they are issued.
 *
 * Deterministic: the same options (and seed) give the same feed, in every process.
 */
import { Instant } from '../../sdk/index.js';
import type { Arrival } from './replay.js';
import { seededRandom } from './random.js';

export type ActivityKind = 'login_failed' | 'share' | 'withdrawal';
export const ACTIVITY_KINDS: readonly ActivityKind[] = ['login_failed', 'share', 'withdrawal'];

export interface Activity {
  readonly type: 'activity';
  /** Unique per event. */
  readonly id: string;
  readonly account: string;
  readonly kind: ActivityKind;
  /** Event time, epoch milliseconds (also the element's timestamp). */
  readonly time: number;
}

/** "More than `threshold` events of `kind` by one account within `windowMinutes`." */
export interface Rule {
  readonly type: 'rule';
  readonly id: string;
  readonly kind: ActivityKind;
  readonly threshold: number;
  readonly windowMinutes: number;
  /** False: the rule is withdrawn from now on. */
  readonly active: boolean;
  /** When it was issued, epoch milliseconds (also the element's timestamp). */
  readonly time: number;
}

export type FeedItem = Activity | Rule;

export interface ActivityOptions {
  readonly accounts: number;
  readonly hours: number;
  readonly seed: number;
  /** Activity arrives up to this late (rules arrive as issued). */
  readonly maxDelayMillis: number;
}

export const activityDefaults: ActivityOptions = { accounts: 30, hours: 6, seed: 13, maxDelayMillis: 60_000 };

const START = Date.UTC(2024, 2, 1);
const HOUR = 3_600_000;

/** The rules as issued: `hoursIn` after the start (0: before any activity). */
export function ruleChanges(hours: number): Array<{ readonly hoursIn: number; readonly rule: Omit<Rule, 'type' | 'time'> }> {
  return [
    { hoursIn: 0, rule: { id: 'failed-logins', kind: 'login_failed', threshold: 5, windowMinutes: 10, active: true } },
    { hoursIn: 0, rule: { id: 'mass-sharing', kind: 'share', threshold: 12, windowMinutes: 60, active: true } },
    { hoursIn: hours / 3, rule: { id: 'failed-logins', kind: 'login_failed', threshold: 3, windowMinutes: 10, active: true } },
    { hoursIn: hours / 2, rule: { id: 'many-withdrawals', kind: 'withdrawal', threshold: 4, windowMinutes: 30, active: true } },
    { hoursIn: (2 * hours) / 3, rule: { id: 'mass-sharing', kind: 'share', threshold: 12, windowMinutes: 60, active: false } },
  ];
}

/** The feed: every rule change and activity event, with its arrival time (unique per item). */
export function generateActivity(options: Partial<ActivityOptions> = {}): Arrival<FeedItem>[] {
  const o = { ...activityDefaults, ...options };
  const rnd = seededRandom(o.seed);
  const end = START + o.hours * HOUR;
  const out: Arrival<FeedItem>[] = [];
  const used = new Set<number>();
  // Arrival times are unique, so "arrival order" is one order whatever sorts the feed.
  const arrive = (t: number): Instant => {
    let a = t;
    while (used.has(a)) a++;
    used.add(a);
    return Instant.ofEpochMillis(a);
  };
  for (const { hoursIn, rule } of ruleChanges(o.hours)) {
    const time = START + Math.round(hoursIn * HOUR);
    out.push({ value: { type: 'rule', ...rule, time }, timestamp: Instant.ofEpochMillis(time), arrival: arrive(time) });
  }
  let n = 0;
  const emit = (account: string, kind: ActivityKind, time: number) => {
    if (time < START + 1000 || time >= end) return;
    const value: Activity = { type: 'activity', id: `e${n++}`, account, kind, time };
    out.push({ value, timestamp: Instant.ofEpochMillis(time), arrival: arrive(time + rnd.int(0, o.maxDelayMillis)) });
  };
  for (let a = 0; a < o.accounts; a++) {
    const account = `acct-${String(a).padStart(3, '0')}`;
    // Background activity: a few events of each kind an hour.
    for (let t = START + rnd.int(1000, 20 * 60_000); t < end; t += rnd.int(5, 40) * 60_000) emit(account, rnd.pick(ACTIVITY_KINDS), t);
    // Bursts: many events of one kind within minutes.
    for (let b = rnd.int(0, 3); b > 0; b--) {
      const kind = rnd.pick(ACTIVITY_KINDS);
      const at = START + rnd.int(0, o.hours * 60 - 1) * 60_000;
      const count = rnd.int(3, 16);
      const spread = rnd.int(2, 40) * 60_000;
      for (let i = 0; i < count; i++) emit(account, kind, at + rnd.int(0, spread));
    }
  }
  return out;
}
