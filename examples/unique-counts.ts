/**
 * Unique counts (seeds/001, talk 08, Klaviyo: unique openers per campaign and hour over billions
 * of events): the exact count and a HyperLogLog estimate side by side, per campaign and hour, with
 * the estimate's error — what a fixed 4 KiB per window buys against a set of every user.
 *
 *   npx tributary run examples/unique-counts.ts [--opens=200000] [--users=60000] [--precision=12]
 *
 * Exact: each window's distinct (campaign, user) pairs, counted per campaign — state grows with
 * the users. Approximate: `ApproximateCountDistinct.perKey` — one sketch per campaign and window,
 * merged across bundles before the shuffle. The two meet in a CoGroupByKey per campaign and hour.
 */
import {
  ApproximateCountDistinct,
  CoGroupByKey,
  type CoGbkResult,
  Count,
  Distinct,
  DoFn,
  Duration,
  FixedWindows,
  IntervalWindow,
  Keys,
  KeyedPCollectionTuple,
  Map,
  Metrics,
  ParDo,
  PTransform,
  Pipeline,
  Window,
  kv,
  type KV,
  type PCollection,
  type ProcessContext,
} from '../sdk/index.js';
import { defineOptions, type OptionsOf } from '../sdk/options/index.js';
import { generateEmailOpens, type EmailOpen } from './lib/email-opens.js';
import { replayPlan, toTestStream } from './lib/replay.js';

export const options = defineOptions({
  opens: { type: 'number', integer: true, default: 40_000, describe: 'how many email opens to generate' },
  users: { type: 'number', integer: true, default: 20_000, describe: 'how many recipients' },
  campaigns: { type: 'number', integer: true, default: 3, describe: 'how many campaigns' },
  days: { type: 'number', integer: true, default: 1, describe: 'days the generated opens span' },
  seed: { type: 'number', integer: true, default: 8, describe: 'seed of the generated opens (same seed, same opens)' },
  precision: { type: 'number', integer: true, default: 12, describe: 'HyperLogLog precision, 4..18 (error ≈ 1.04/√2^p)' },
  print: { type: 'number', integer: true, default: 12, describe: 'how many hourly rows to print (all are produced)' },
});

export type UniqueCountsOptions = OptionsOf<typeof options>;

/** One campaign's hour: the exact count of its distinct openers and the sketch's estimate. */
export interface UniqueCount {
  readonly campaign: string;
  readonly hourStart: number;
  readonly exact: number;
  readonly approximate: number;
  /** (approximate − exact) / exact. */
  readonly error: number;
}

type Sides = { exact: number; approximate: number };

class CompareFn extends DoFn<KV<string, CoGbkResult<Sides>>, UniqueCount> {
  private readonly worst = Metrics.distribution('uniqueCounts', 'errorPerMille');
  process(e: KV<string, CoGbkResult<Sides>>, ctx: ProcessContext<UniqueCount>): void {
    const exact = e.value.exact[0] ?? 0;
    const approximate = e.value.approximate[0] ?? 0;
    const error = exact === 0 ? 0 : (approximate - exact) / exact;
    this.worst.update(Math.round(Math.abs(error) * 1000));
    ctx.output({ campaign: e.key, hourStart: (ctx.window as IntervalWindow).start, exact, approximate, error });
  }
}

/** Unique openers per campaign and hour, counted exactly and estimated by a sketch. */
export class UniqueOpenersBothWays extends PTransform<PCollection<EmailOpen>, PCollection<UniqueCount>> {
  constructor(readonly precision: number) {
    super('UniqueOpenersBothWays');
  }
  expand(opens: PCollection<EmailOpen>): PCollection<UniqueCount> {
    const hourly = opens
      .apply('ByCampaign', Map.of((o: EmailOpen) => kv(o.campaign, o.user)))
      .apply('Hourly', Window.into<KV<string, string>>(FixedWindows.of(Duration.hours(1))));
    const exact = hourly
      .apply('DistinctOpeners', Distinct.create<KV<string, string>>())
      .apply('Campaigns', Keys.create<string>())
      .apply('CountExact', Count.perElement<string>());
    const approximate = hourly.apply('Estimate', ApproximateCountDistinct.perKey<string, string>({ precision: this.precision }));
    return KeyedPCollectionTuple.of<string, Sides>({ exact, approximate })
      .apply('Join', CoGroupByKey.create<string, Sides>())
      .apply('Compare', ParDo.of(new CompareFn()));
  }
}

export default function uniqueCounts(p: Pipeline, opts: UniqueCountsOptions): void {
  const arrivals = generateEmailOpens({ opens: opts.opens, users: opts.users, campaigns: opts.campaigns, days: opts.days, seed: opts.seed });
  let printed = 0;
  p.apply('OpenFeed', toTestStream(replayPlan(arrivals, { maxOutOfOrderness: Duration.minutes(1), batch: Duration.minutes(5), idle: true })))
    .apply('Uniques', new UniqueOpenersBothWays(opts.precision))
    .apply(
      'Print',
      Map.of((u: UniqueCount) => {
        if (printed++ < opts.print) {
          const pct = `${u.error >= 0 ? '+' : ''}${(u.error * 100).toFixed(2)}%`;
          console.log(`${u.campaign.padEnd(12)} ${new Date(u.hourStart).toISOString().slice(0, 13)}h  exact ${String(u.exact).padStart(6)}  approximate ${String(u.approximate).padStart(6)}  ${pct}`);
        }
      }),
    );
}
