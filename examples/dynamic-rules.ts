/**
 * Dynamic alerting rules (seeds/004, "dynamic processing": fraud rules updated while the job runs;
 * Flink's broadcast state): rules arrive on a stream and apply to account activity from the
 * moment they arrive — a threshold lowered, a rule added, a rule withdrawn — with no restart.
 *
 *   npx tributary run examples/dynamic-rules.ts --runner=direct [--accounts=30] [--hours=6] [--seed=13] [--print=20]
 *
 * A rule says "more than `threshold` events of `kind` by one account within `windowMinutes`".
 * The rules are a **side input that changes while the job runs** (Beam's slowly-updating side
 * input): windowed into the global window and re-fired at every rule, read as a map from rule id
 * to its latest version. The activity is keyed by account into a stateful DoFn: the account's
 * recent events in state, an event-time timer that clears them once the account has been quiet
 * for `retentionMinutes`. At each event it reads the rules as they are at that moment (processing
 * order: a rule applies to the events that arrive after it), counts the account's events of the
 * rule's kind within the window before the event, and alerts when the count passes the
 * threshold — at most once per rule and account within the rule's window.
 *
 * Until the first rule has arrived the activity waits (checkpointed, see docs/event-time.md, "Side
 * inputs"); the generated feed issues its first rules before any activity.
 */
import {
  Coders,
  Duration,
  Filter,
  GlobalWindows,
  Instant,
  Map,
  Metrics,
  ParDo,
  PTransform,
  Pipeline,
  Repeatedly,
  AfterCount,
  StateSpecs,
  StatefulDoFn,
  TimerSpecs,
  View,
  Window,
  kv,
  type FiredTimer,
  type KV,
  type OnTimerContext,
  type PCollection,
  type StatefulProcessContext,
} from '../sdk/index.js';
import { defineOptions, type OptionsOf } from '../sdk/options/index.js';
import { activityDefaults, generateActivity, type Activity, type FeedItem, type Rule } from './lib/activity.js';
import { replayPlan, toTestStream } from './lib/replay.js';

export { generateActivity, activityDefaults, ruleChanges, type Activity, type ActivityKind, type ActivityOptions, type FeedItem, type Rule } from './lib/activity.js';

export const options = defineOptions({
  accounts: { type: 'number', integer: true, default: activityDefaults.accounts, describe: 'how many accounts to generate activity for' },
  hours: { type: 'number', default: activityDefaults.hours, describe: 'hours the generated activity spans (rules change at a third, half and two thirds of it)' },
  seed: { type: 'number', integer: true, default: activityDefaults.seed, describe: 'seed of the generated feed (same seed, same feed)' },
  retentionMinutes: { type: 'number', default: 120, describe: "an account's events are kept this long after its latest one; a rule's window may not be longer" },
  print: { type: 'number', integer: true, default: 20, describe: 'how many alerts to print (all are produced)' },
});

export type DynamicRulesOptions = OptionsOf<typeof options>;

export interface RuleAlert {
  readonly rule: string;
  readonly account: string;
  /** The event that passed the threshold. */
  readonly time: number;
  readonly count: number;
  readonly threshold: number;
}

interface Seen {
  readonly kind: Activity['kind'];
  readonly time: number;
}

const state = {
  /** The account's events within the retention, in arrival order. */
  recent: StateSpecs.value<Seen[]>(),
  /** Per rule id, when it last alerted for the account. */
  lastAlert: StateSpecs.value<Record<string, number>>(),
  /** The latest event time seen. */
  newest: StateSpecs.value(Coders.double()),
};
const timers = { quiet: TimerSpecs.eventTime() };
type S = typeof state;
type T = typeof timers;
type Sides = { rules: ReadonlyMap<string, Rule> };

export class ApplyRulesFn extends StatefulDoFn<string, Activity, RuleAlert, S, T, {}, Sides> {
  private readonly alerts = Metrics.counter('dynamic-rules', 'alerts');
  private readonly tooLong = Metrics.counter('dynamic-rules', 'rulesIgnoredWindowTooLong');

  constructor(readonly retention: Duration) {
    super({ state, timers });
  }

  process(e: KV<string, Activity>, ctx: StatefulProcessContext<string, RuleAlert, S, T, {}, Sides>): void {
    const event = e.value;
    const newest = Math.max(ctx.state.newest.read() ?? -Infinity, event.time);
    ctx.state.newest.write(newest);
    // Older than the retention before the newest event: no rule's window reaches them.
    const recent = (ctx.state.recent.read() ?? []).filter((s) => s.time > newest - this.retention);
    recent.push({ kind: event.kind, time: event.time });
    ctx.state.recent.write(recent);
    ctx.timers.quiet.set(Instant.ofEpochMillis(newest + this.retention));

    const lastAlert = ctx.state.lastAlert.read() ?? {};
    let alerted = false;
    for (const rule of ctx.sideInput('rules').values()) {
      if (!rule.active || rule.kind !== event.kind) continue;
      const window = rule.windowMinutes * 60_000;
      if (window > this.retention) {
        this.tooLong.inc();
        continue;
      }
      const count = recent.filter((s) => s.kind === rule.kind && s.time > event.time - window && s.time <= event.time).length;
      const last = lastAlert[rule.id];
      if (count > rule.threshold && (last === undefined || event.time - last >= window)) {
        ctx.output({ rule: rule.id, account: ctx.key, time: event.time, count, threshold: rule.threshold });
        this.alerts.inc();
        lastAlert[rule.id] = event.time;
        alerted = true;
      }
    }
    if (alerted) ctx.state.lastAlert.write(lastAlert);
  }

  /** The account has been quiet for the retention: nothing it kept can matter again. */
  override onTimer(_timer: FiredTimer<T>, ctx: OnTimerContext<string, RuleAlert, S, T>): void {
    ctx.state.recent.clear();
    ctx.state.lastAlert.clear();
    ctx.state.newest.clear();
  }
}

/** Alerts for a feed of activity and rule changes. */
export class ApplyDynamicRules extends PTransform<PCollection<FeedItem>, PCollection<RuleAlert>> {
  constructor(readonly retention: Duration) {
    super('ApplyDynamicRules');
  }
  expand(feed: PCollection<FeedItem>): PCollection<RuleAlert> {
    const rules = feed
      .apply('Rules', Filter.by((i: FeedItem) => i.type === 'rule'))
      .apply('ById', Map.of((i: FeedItem) => kv((i as Rule).id, i as Rule)))
      // Re-fired at every rule: the side input changes while the job runs.
      .apply('EveryRule', Window.into<KV<string, Rule>>(GlobalWindows.of()).triggering(Repeatedly.forever(AfterCount.of(1))).discardingFiredPanes());
    return feed
      .apply('Activity', Filter.by((i: FeedItem) => i.type === 'activity'))
      .apply('ByAccount', Map.of((i: FeedItem) => kv((i as Activity).account, i as Activity)))
      .apply('Apply', ParDo.of(new ApplyRulesFn(this.retention)).withSideInputs({ rules: View.asMap(rules) }));
  }
}

export function describeRuleAlert(a: RuleAlert): string {
  return `${new Date(a.time).toISOString()}  ${a.account}  ${a.rule}: ${a.count} > ${a.threshold}`;
}

export default function dynamicRules(p: Pipeline, opts: DynamicRulesOptions): void {
  const feed = generateActivity({ accounts: opts.accounts, hours: opts.hours, seed: opts.seed });
  let printed = 0;
  p.apply('Feed', toTestStream(replayPlan(feed, { maxOutOfOrderness: Duration.millis(activityDefaults.maxDelayMillis), batch: Duration.seconds(30), idle: true })))
    .apply('Rules', new ApplyDynamicRules(Duration.minutes(opts.retentionMinutes)))
    .apply(
      'Print',
      Map.of((a: RuleAlert) => {
        if (printed++ < opts.print) console.log(describeRuleAlert(a));
      }),
    );
}
