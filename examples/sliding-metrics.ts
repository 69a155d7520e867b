/**
 * Sliding metrics (seeds/003, "Scalable stream processing at Fairfax Media with Apache Flink"):
 * for every page view, how many distinct users read the same content item in the past week —
 * a week-long window sliding every hour — joined back onto the event, so that every input event
 * yields exactly one enriched output (not one per overlapping window). Events that arrive after
 * their hour has closed go to a late-data side output, like Flink's `sideOutputLateData`.
 *
 *   npx tributary run examples/sliding-metrics.ts --runner=direct [--events=3000] [--seed=2018]
 *     [--windowDays=7] [--slideMinutes=60]
 *
 * How the join works (the talk's interval join, in Beam's terms): each event at time t belongs to
 * the slide period [e − slide, e) that ends at e; the aggregate it gets is the one of the sliding
 * window [e − size, e) — the most recent one that contains it, which is emitted when the watermark
 * passes e. Both sides are brought to the same hourly window and joined by content item:
 *
 *   events ─ Window(Fixed 1h) ─ GroupByKey(content) ─┬──────────────────────────┐
 *            (late → side output)                     │                          ├ CoGroupByKey ─ one output per event
 *                      users per hour ─ Window(Sliding 7d every 1h) ─ Combine(distinct) ─ Window(Fixed 1h) ┘
 *
 * The sliding aggregate is computed from the on-time events only, so the counts and the late
 * output always agree: an event is either counted and enriched, or late.
 */
import {
  CoGroupByKey,
  Combine,
  Create,
  DoFn,
  Duration,
  FixedWindows,
  GroupByKey,
  Instant,
  IntervalWindow,
  KeyedPCollectionTuple,
  Map,
  Metrics,
  ParDo,
  PTransform,
  Pipeline,
  SlidingWindows,
  Values,
  Window,
  kv,
  type CoGbkResult,
  type CombineFn,
  type KV,
  type PCollection,
  type ProcessContext,
} from '../sdk/index.js';
import { defineOptions, type OptionsOf } from '../sdk/options/index.js';
import { contentEventDefaults, generateContentEvents, type ContentEvent } from './lib/content-events.js';
import { replayPlan, toTestStream } from './lib/replay.js';
import { InternalError } from '../sdk/errors.js';

export { generateContentEvents, contentEventDefaults, type ContentEvent, type ContentEventOptions } from './lib/content-events.js';

export const options = defineOptions({
  events: { type: 'number', integer: true, default: contentEventDefaults.events, describe: 'how many page views to generate' },
  users: { type: 'number', integer: true, default: contentEventDefaults.users, describe: 'how many distinct readers' },
  contents: { type: 'number', integer: true, default: contentEventDefaults.contents, describe: 'how many content items' },
  days: { type: 'number', default: contentEventDefaults.days, describe: 'days the generated events span' },
  seed: { type: 'number', integer: true, default: contentEventDefaults.seed, describe: 'seed of the generated events (same seed, same events)' },
  windowDays: { type: 'number', default: 7, describe: 'length of the sliding window, days' },
  slideMinutes: { type: 'number', default: 60, describe: 'how often the window slides, minutes' },
  maxOutOfOrdernessMinutes: { type: 'number', default: 5, describe: 'how far the watermark trails the newest event time' },
  print: { type: 'number', integer: true, default: 20, describe: 'how many enriched events to print (all are produced)' },
  source: {
    type: 'string',
    choices: ['stream', 'batch'],
    default: 'stream',
    describe: 'stream: replay the events in arrival order with a watermark (some arrive late); batch: all at once',
  },
});

export type SlidingMetricsOptions = OptionsOf<typeof options>;

/** An event with the metric of the window that covers it. */
export interface EnrichedEvent extends ContentEvent {
  /** Distinct users who read the content in the sliding window [windowStart, windowEnd). */
  readonly distinctUsers: number;
  readonly windowStart: number;
  readonly windowEnd: number;
}

/** Distinct users: the accumulator is the sorted list of users (JSON-friendly, mergeable). */
export const distinctUsersFn: CombineFn<readonly string[], string[], number> = {
  createAccumulator: () => [],
  addInput(acc, users) {
    return union([acc, users]);
  },
  mergeAccumulators(accs) {
    return union(accs);
  },
  extractOutput: (acc) => acc.length,
};

function union(lists: Iterable<readonly string[]>): string[] {
  const set = new Set<string>();
  for (const l of lists) for (const u of l) set.add(u);
  return [...set].sort();
}

/** Emits each event of a content item's slide period with the period's sliding aggregate. */
class EnrichFn extends DoFn<KV<string, CoGbkResult<{ events: ContentEvent[]; distinct: number }>>, EnrichedEvent> {
  private readonly enriched = Metrics.counter('sliding-metrics', 'enriched');
  constructor(readonly size: Duration) {
    super();
    // Outputs go back to each event's own timestamp, up to one slide before the period's end.
    this.allowedTimestampSkew = Infinity;
  }
  process(e: KV<string, CoGbkResult<{ events: ContentEvent[]; distinct: number }>>, ctx: ProcessContext<EnrichedEvent>): void {
    // One list of events per grouped period (one, unless the period fired more than once).
    const { events: batches, distinct } = e.value;
    if (batches.length === 0) return; // a window with no new events: nothing to enrich
    if (distinct.length !== 1) {
      // Cannot happen: the events themselves are in the window. Fail loudly rather than drop.
      throw new InternalError(`content ${e.key} in ${describe(ctx.window)}: expected one sliding aggregate, got ${distinct.length}`);
    }
    const end = (ctx.window as IntervalWindow).end;
    for (const batch of batches) {
      for (const ev of batch) {
        this.enriched.inc();
        ctx.outputWithTimestamp(
          { ...ev, distinctUsers: distinct[0]!, windowStart: end - this.size, windowEnd: end },
          Instant.ofEpochMillis(ev.time),
        );
      }
    }
  }
}

function describe(w: unknown): string {
  const iw = w as IntervalWindow;
  return `[${Instant.format(iw.start)}, ${Instant.format(iw.end)})`;
}

export interface SlidingMetricsConfig {
  /** Length of the sliding window (a week in the talk). */
  readonly size: Duration;
  /** How often it slides (an hour). `size` must be a multiple of it. */
  readonly slide: Duration;
}

export interface SlidingMetricsOutput {
  /** Exactly one per on-time input event. */
  readonly enriched: PCollection<EnrichedEvent>;
  /** The input events that arrived after their slide period closed. */
  readonly late: PCollection<ContentEvent>;
}

/** Distinct users per content item over a sliding window, joined back onto each event. */
export class DistinctUsersPerContent extends PTransform<PCollection<ContentEvent>, SlidingMetricsOutput> {
  constructor(readonly config: SlidingMetricsConfig) {
    super('DistinctUsersPerContent');
    if (config.size % config.slide !== 0) throw new RangeError('the window size must be a multiple of the slide');
  }

  expand(events: PCollection<ContentEvent>): SlidingMetricsOutput {
    const { size, slide } = this.config;
    // 1. Events by content item and slide period; late events leave here, once.
    const perPeriod = events
      .apply('ByContent', Map.of((e: ContentEvent) => kv(e.content, e)))
      .apply('SlidePeriods', Window.into<KV<string, ContentEvent>>(FixedWindows.of(slide)))
      .apply('GroupPeriod', GroupByKey.create<string, ContentEvent>().withLateDataOutput());

    // 2. The sliding aggregate, from each period's users (output at the end of each window).
    const distinct = perPeriod.main
      .apply('PeriodUsers', Map.of((g: KV<string, ContentEvent[]>) => kv(g.key, union([g.value.map((e) => e.user)]))))
      .apply('SlidingWindows', Window.into<KV<string, string[]>>(SlidingWindows.of(size).every(slide)))
      .apply('DistinctUsers', Combine.perKey<string, readonly string[], number>(distinctUsersFn))
      // A window [e − size, e) emits at e − 1: into the slide period [e − slide, e) it covers last.
      .apply('ToPeriod', Window.into<KV<string, number>>(FixedWindows.of(slide)));

    // 3. Join each period's events with that aggregate: one output per event.
    const enriched = KeyedPCollectionTuple.of<string, { events: ContentEvent[]; distinct: number }>({ events: perPeriod.main, distinct })
      .apply('Join', CoGroupByKey.create<string, { events: ContentEvent[]; distinct: number }>())
      .apply('Enrich', ParDo.of(new EnrichFn(size)));
    return { enriched, late: perPeriod.late.apply('LateEvents', Values.create<ContentEvent>()) };
  }
}

// --- the pipeline -----------------------------------------------------------------------

export type ContentSource = (p: Pipeline) => PCollection<ContentEvent>;

export function generatedContentSource(opts: SlidingMetricsOptions): ContentSource {
  const events = generateContentEvents({ events: opts.events, users: opts.users, contents: opts.contents, days: opts.days, seed: opts.seed });
  return (p) =>
    opts.source === 'batch'
      ? p.apply('PageViews', Create.timestamped(events.map(({ value, timestamp }) => ({ value, timestamp }))))
      : p.apply(
          'PageViewFeed',
          toTestStream(replayPlan(events, { maxOutOfOrderness: Duration.minutes(opts.maxOutOfOrdernessMinutes), batch: Duration.minutes(1), idle: true })),
        );
}

export function buildSlidingMetrics(p: Pipeline, opts: SlidingMetricsOptions, source: ContentSource): SlidingMetricsOutput {
  const out = source(p).apply(
    'DistinctUsersPerContent',
    new DistinctUsersPerContent({ size: Duration.days(opts.windowDays), slide: Duration.minutes(opts.slideMinutes) }),
  );
  let printed = 0;
  out.enriched.apply(
    'Print',
    Map.of((e: EnrichedEvent) => {
      if (printed++ < opts.print) {
        console.log(`${e.id}  ${new Date(e.time).toISOString()}  ${e.user.padEnd(10)} ${e.content.padEnd(11)} distinct users in the week to ${new Date(e.windowEnd).toISOString()}: ${e.distinctUsers}`);
      }
    }),
  );
  out.late.apply('PrintLate', Map.of((e: ContentEvent) => void console.log(`late: ${e.id} ${e.content} at ${new Date(e.time).toISOString()}`)));
  return out;
}

export default function slidingMetrics(p: Pipeline, opts: SlidingMetricsOptions): void {
  buildSlidingMetrics(p, opts, generatedContentSource(opts));
}
