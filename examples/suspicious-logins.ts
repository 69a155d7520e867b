/**
 * Suspicious logins (seeds/004): per user, alert when
 *
 * - **failed logins**: more than 10 failed logins fall within one hour — at a failed login that
 *   makes it the 11th (or more) within the hour ending at it, `(t − 1h, t]`; after an alert the
 *   user gets no other one for an hour;
 * - **impossible travel**: two consecutive successful logins are farther apart than a plane
 *   flies (1000 km/h) in the time between them.
 *
 *   npx tributary run examples/suspicious-logins.ts --runner=direct [--users=40] [--days=3] [--seed=4]
 *
 * Attempts arrive out of order, so they are judged in event-time order: each attempt is kept in
 * the user's ordered-list state and sets an event-time timer at its own timestamp (a timer family,
 * tagged by timestamp). The timer fires once the watermark has passed it — every earlier attempt
 * has arrived — and sees the last hour in the list. Older attempts are pruned as timers pass;
 * a user idle for a day loses the rest of its state by TTL, which loses nothing: no trip is
 * impossible after a day (half the Earth's circumference is 20,000 km).
 */
import {
  Coders,
  Duration,
  Instant,
  Map,
  ParDo,
  PTransform,
  Pipeline,
  StateSpecs,
  StatefulDoFn,
  TimerSpecs,
  kv,
  type FiredTimer,
  type KV,
  type OnTimerContext,
  type PCollection,
  type StatefulProcessContext,
} from '../sdk/index.js';
import { defineOptions, type OptionsOf } from '../sdk/options/index.js';
import { distanceKm, generateLogins, loginDefaults, type Login } from './lib/logins.js';
import { replayPlan, toTestStream } from './lib/replay.js';

export { generateLogins, distanceKm, loginDefaults, type Login, type LoginOptions } from './lib/logins.js';

export const options = defineOptions({
  users: { type: 'number', integer: true, default: loginDefaults.users, describe: 'how many users to generate logins for' },
  days: { type: 'number', integer: true, default: loginDefaults.days, describe: 'days the generated logins span' },
  seed: { type: 'number', integer: true, default: loginDefaults.seed, describe: 'seed of the generated logins (same seed, same logins)' },
  maxFailures: { type: 'number', integer: true, default: 10, describe: 'alert when more failed logins than this fall within the span' },
  spanMinutes: { type: 'number', default: 60, describe: 'the span the failures are counted in, minutes' },
  maxSpeedKmh: { type: 'number', default: 1000, describe: 'faster travel between two logins is impossible' },
  print: { type: 'number', integer: true, default: 20, describe: 'how many alerts to print (all are produced)' },
});

export type SuspiciousLoginsOptions = OptionsOf<typeof options>;

export type Alert =
  | { readonly kind: 'failed-logins'; readonly user: string; readonly time: number; readonly failures: number }
  | {
      readonly kind: 'impossible-travel';
      readonly user: string;
      readonly time: number;
      readonly from: string;
      readonly to: string;
      readonly km: number;
      readonly hours: number;
    };

export interface SuspiciousLoginsConfig {
  readonly maxFailures: number;
  readonly span: Duration;
  readonly maxSpeedKmh: number;
}

const state = {
  /** Attempts not yet judged, and the last span of judged ones. */
  attempts: StateSpecs.orderedList<Login>(),
  /** The latest successful login judged: where the user was. */
  lastLogin: StateSpecs.value<Login>(),
  lastAlert: StateSpecs.value(Coders.varint()),
};
const timers = { judge: TimerSpecs.eventTimeFamily() };
type S = typeof state;
type T = typeof timers;

export class SuspiciousLoginsFn extends StatefulDoFn<string, Login, Alert, S, T> {
  constructor(readonly config: SuspiciousLoginsConfig) {
    super({ state, timers, stateTimeToLive: Duration.days(1) });
  }

  process(e: KV<string, Login>, ctx: StatefulProcessContext<string, Alert, S, T>): void {
    ctx.state.attempts.add({ value: e.value, timestamp: ctx.timestamp });
    // One timer per distinct timestamp: attempts at the same millisecond are judged together.
    ctx.timers.judge.get(String(ctx.timestamp)).set(ctx.timestamp);
  }

  override onTimer(timer: FiredTimer<T>, ctx: OnTimerContext<string, Alert, S, T>): void {
    const t = timer.fireTimestamp;
    const { attempts, lastLogin, lastAlert } = ctx.state;
    const now = attempts.readRange(t, Instant.plus(t, Duration.millis(1))).map((a) => a.value);
    now.sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const login of now) {
      if (!login.ok) continue;
      const prev = lastLogin.read();
      if (prev) {
        const km = distanceKm(prev, login);
        const hours = (login.time - prev.time) / 3_600_000;
        if (km > this.config.maxSpeedKmh * hours) {
          ctx.output({ kind: 'impossible-travel', user: ctx.key, time: login.time, from: prev.city, to: login.city, km: Math.round(km), hours: Math.round(hours * 100) / 100 });
        }
      }
      lastLogin.write(login);
    }
    const spanStart = Instant.plus(Instant.minus(t, this.config.span), Duration.millis(1));
    if (now.some((l) => !l.ok)) {
      const failures = attempts.readRange(spanStart, Instant.plus(t, Duration.millis(1))).filter((a) => !a.value.ok).length;
      const last = lastAlert.read();
      if (failures > this.config.maxFailures && (last === undefined || t - last >= this.config.span)) {
        ctx.output({ kind: 'failed-logins', user: ctx.key, time: t, failures });
        lastAlert.write(t);
      }
    }
    // Later timers look back no further than the span before them.
    attempts.clearRange(Instant.MIN, spanStart);
  }
}

/** Alerts for a stream of login attempts. */
export class DetectSuspiciousLogins extends PTransform<PCollection<Login>, PCollection<Alert>> {
  constructor(readonly config: SuspiciousLoginsConfig) {
    super('DetectSuspiciousLogins');
  }
  expand(logins: PCollection<Login>): PCollection<Alert> {
    return logins.apply('ByUser', Map.of((l: Login) => kv(l.user, l))).apply('Judge', ParDo.of(new SuspiciousLoginsFn(this.config)));
  }
}

export function describeAlert(a: Alert): string {
  const when = new Date(a.time).toISOString();
  return a.kind === 'failed-logins'
    ? `${when}  ${a.user.padEnd(8)} ${a.failures} failed logins within the hour`
    : `${when}  ${a.user.padEnd(8)} impossible travel ${a.from} → ${a.to}: ${a.km} km in ${a.hours} h`;
}

export default function suspiciousLogins(p: Pipeline, opts: SuspiciousLoginsOptions): void {
  const arrivals = generateLogins({ users: opts.users, days: opts.days, seed: opts.seed });
  let printed = 0;
  p.apply('LoginFeed', toTestStream(replayPlan(arrivals, { maxOutOfOrderness: Duration.minutes(1), batch: Duration.seconds(10), idle: true })))
    .apply('Detect', new DetectSuspiciousLogins({ maxFailures: opts.maxFailures, span: Duration.minutes(opts.spanMinutes), maxSpeedKmh: opts.maxSpeedKmh }))
    .apply(
      'Print',
      Map.of((a: Alert) => {
        if (printed++ < opts.print) console.log(describeAlert(a));
      }),
    );
}
