/**
 * Dedup (seeds/001, Klaviyo, "High cardinality data stream processing with large states"): how
 * many unique individuals opened each campaign's email, per hour — from a stream in which people
 * open the same email many times and the source delivers some opens twice.
 *
 *   npx tributary run examples/dedup.ts --runner=direct [--opens=5000] [--users=400] [--seed=8]
 *
 * Per (campaign, user) key, the set of hours in which the user already opened the campaign
 * (set state): the first open of an hour passes, the rest are duplicates. Then an hourly window
 * counts what passed, per campaign. The dedup state lives a day — the talk's Flink state TTL —
 * in event time: hours older than a day are pruned as new ones come in, and a key idle for a day
 * is dropped whole, so state stays bounded by the last day's active users however long the
 * stream runs. An open arriving more than a day late would be counted again: the feed here is
 * late by at most minutes.
 */
import {
  Coders,
  Count,
  DoFn,
  Duration,
  FixedWindows,
  IntervalWindow,
  Map,
  Metrics,
  ParDo,
  PTransform,
  Pipeline,
  StateSpecs,
  StatefulDoFn,
  Window,
  kv,
  type KV,
  type PCollection,
  type ProcessContext,
  type StatefulProcessContext,
} from '../sdk/index.js';
import { defineOptions, type OptionsOf } from '../sdk/options/index.js';
import { emailOpenDefaults, generateEmailOpens, type EmailOpen } from './lib/email-opens.js';
import { replayPlan, toTestStream } from './lib/replay.js';

export { generateEmailOpens, emailOpenDefaults, type EmailOpen, type EmailOpenOptions } from './lib/email-opens.js';

export const options = defineOptions({
  opens: { type: 'number', integer: true, default: emailOpenDefaults.opens, describe: 'how many email opens to generate' },
  users: { type: 'number', integer: true, default: emailOpenDefaults.users, describe: 'how many recipients' },
  campaigns: { type: 'number', integer: true, default: emailOpenDefaults.campaigns, describe: 'how many campaigns' },
  days: { type: 'number', integer: true, default: emailOpenDefaults.days, describe: 'days the generated opens span' },
  seed: { type: 'number', integer: true, default: emailOpenDefaults.seed, describe: 'seed of the generated opens (same seed, same opens)' },
  dedupHours: { type: 'number', default: 24, describe: 'how long the dedup state lives, hours' },
  print: { type: 'number', integer: true, default: 20, describe: 'how many hourly counts to print (all are produced)' },
});

export type DedupOptions = OptionsOf<typeof options>;

/** Unique openers of a campaign in the hour starting at `hourStart`. */
export interface HourlyUniques {
  readonly campaign: string;
  readonly hourStart: number;
  readonly users: number;
}

const HOUR = 3_600_000;

const state = { hours: StateSpecs.set(Coders.varint()) };
type S = typeof state;

/** Passes the first open of each (campaign, user) per hour, as its campaign. */
export class FirstOpenPerHourFn extends StatefulDoFn<string, EmailOpen, string, S> {
  private readonly keysStarted = Metrics.counter('dedup', 'keysStarted');
  private readonly duplicates = Metrics.counter('dedup', 'duplicates');
  constructor(readonly ttl: Duration) {
    super({ state, stateTimeToLive: ttl });
  }
  process(e: KV<string, EmailOpen>, ctx: StatefulProcessContext<string, string, S>): void {
    const hours = ctx.state.hours;
    if (hours.isEmpty()) this.keysStarted.inc();
    const hour = Math.floor(e.value.time / HOUR);
    if (!hours.add(hour)) {
      this.duplicates.inc();
      return;
    }
    // A day-long memory: an hour that ended a day before this open is over for good.
    for (const h of hours.read()) if ((h + 1) * HOUR + this.ttl <= e.value.time) hours.remove(h);
    ctx.output(e.value.campaign);
  }
}

class ToHourly extends DoFn<KV<string, number>, HourlyUniques> {
  process(e: KV<string, number>, ctx: ProcessContext<HourlyUniques>): void {
    ctx.output({ campaign: e.key, hourStart: (ctx.window as IntervalWindow).start, users: e.value });
  }
}

/** Unique openers per campaign and hour, with a dedup state that lives `ttl`. */
export class UniqueOpenersPerHour extends PTransform<PCollection<EmailOpen>, PCollection<HourlyUniques>> {
  constructor(readonly ttl: Duration) {
    super('UniqueOpenersPerHour');
  }
  expand(opens: PCollection<EmailOpen>): PCollection<HourlyUniques> {
    return opens
      .apply('ByCampaignAndUser', Map.of((o: EmailOpen) => kv(`${o.campaign}|${o.user}`, o)))
      .apply('FirstPerHour', ParDo.of(new FirstOpenPerHourFn(this.ttl)))
      .apply('Hourly', Window.into<string>(FixedWindows.of(Duration.hours(1))))
      .apply('CountPerCampaign', Count.perElement<string>())
      .apply('ToHourly', ParDo.of(new ToHourly()));
  }
}

export default function dedup(p: Pipeline, opts: DedupOptions): void {
  const arrivals = generateEmailOpens({ opens: opts.opens, users: opts.users, campaigns: opts.campaigns, days: opts.days, seed: opts.seed });
  let printed = 0;
  p.apply('OpenFeed', toTestStream(replayPlan(arrivals, { maxOutOfOrderness: Duration.minutes(1), batch: Duration.seconds(30), idle: true })))
    .apply('Uniques', new UniqueOpenersPerHour(Duration.hours(opts.dedupHours)))
    .apply(
      'Print',
      Map.of((h: HourlyUniques) => {
        if (printed++ < opts.print) console.log(`${h.campaign.padEnd(12)} ${new Date(h.hourStart).toISOString().slice(0, 13)}h  ${h.users} unique openers`);
      }),
    );
}
