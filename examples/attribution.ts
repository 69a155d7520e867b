/**
 * Synchronised inputs (seeds/001, talk 03, The Trade Desk: joining streams of very different
 * volume in event time): ad clicks attributed to the user's latest impression in the half hour
 * before the click, from two warehouse tables — `impressions` (many rows) and `clicks` (few).
 *
 *   npx tributary run examples/attribution.ts [--warehouse=.demo-ads] [--users=300] [--hours=6]
 *
 * `KappaReplay.group` replays both tables in lockstep, one hour at a time, with a watermark at
 * each step: the join can wait for the watermark (each click is matched once the watermark is
 * past it, when every impression before it has been seen) and forget impressions the watermark
 * has left behind by more than the attribution window — so its state holds about one window of
 * impressions, not the backlog of the faster table. In realtime the same join runs on live
 * sources' watermarks.
 */
import { KappaReplay } from '../io/kappa/index.js';
import type { Row, RowSchema } from '../io/parquet/index.js';
import { isNotFound, joinPath, storageFor, toStoragePath } from '../io/storage/index.js';
import { PartitionedParquetWriter, hive } from '../io/warehouse/index.js';
import {
  Coders,
  Count,
  Duration,
  Flatten,
  Instant,
  Map,
  Metrics,
  ParDo,
  PCollectionList,
  Pipeline,
  StateSpecs,
  StatefulDoFn,
  TimerSpecs,
  kv,
  type FiredTimer,
  type KV,
  type OnTimerContext,
  type StatefulProcessContext,
} from '../sdk/index.js';
import { defineOptions, type OptionsOf } from '../sdk/options/index.js';
import { seededRandom } from './lib/random.js';

export const options = defineOptions({
  warehouse: { type: 'string', default: '.demo-ads', describe: 'where the impressions and clicks tables are (generated when absent)' },
  users: { type: 'number', integer: true, default: 300, describe: 'users in the generated tables' },
  hours: { type: 'number', integer: true, default: 6, describe: 'hours the generated tables span' },
  seed: { type: 'number', integer: true, default: 3, describe: 'seed of the generated tables' },
  windowMinutes: { type: 'number', integer: true, default: 30, describe: 'attribution window: an impression counts for a click this long after it' },
});

export type AttributionOptions = OptionsOf<typeof options>;

export interface Impression {
  readonly user: string;
  readonly campaign: string;
  readonly ts: number;
}
export interface Click {
  readonly user: string;
  readonly clickId: string;
  readonly ts: number;
}
/** A click and the campaign of the impression it is attributed to (null: none in the window). */
export interface Attribution {
  readonly clickId: string;
  readonly campaign: string | null;
}

const IMPRESSION_SCHEMA: RowSchema = { user: 'string', campaign: 'string', ts: 'timestamp' };
const CLICK_SCHEMA: RowSchema = { user: 'string', clickId: 'string', ts: 'timestamp' };
const START = Date.UTC(2024, 8, 2);

/** Impressions every 5 to 90 minutes per user; a click after some of them, within 45 minutes (so some clicks have no impression in the window). */
export function generateAds(o: { users: number; hours: number; seed: number }): { impressions: Impression[]; clicks: Click[] } {
  const random = seededRandom(o.seed);
  const impressions: Impression[] = [];
  const clicks: Click[] = [];
  const end = START + o.hours * 3_600_000;
  for (let u = 0; u < o.users; u++) {
    const user = `user-${u}`;
    for (let t = START + random.int(0, 600_000); t < end; t += random.int(300_000, 5_400_000)) {
      const campaign = `campaign-${random.int(1, 6)}`;
      impressions.push({ user, campaign, ts: t });
      if (random.chance(0.15)) clicks.push({ user, clickId: `c${clicks.length}`, ts: Math.min(end - 1, t + random.int(0, 2_700_000)) });
    }
  }
  return { impressions, clicks };
}

/** Writes the two tables (hourly partitions by event time) unless they are there already. */
export async function ensureTables(root: string, o: { users: number; hours: number; seed: number }): Promise<void> {
  const marker = joinPath(root, '_generated.json');
  const wanted = JSON.stringify(o);
  const storage = storageFor(root);
  try {
    if (new TextDecoder().decode(await storage.read(marker)) === wanted) return;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  await storage.deleteAll(root);
  const { impressions, clicks } = generateAds(o);
  for (const [name, rows, schema] of [['impressions', impressions, IMPRESSION_SCHEMA], ['clicks', clicks, CLICK_SCHEMA]] as const) {
    const w = new PartitionedParquetWriter<Row & { ts: number }>({ table: joinPath(root, name), layout: hive({ granularity: 'hour' }), timestamp: 'ts', schema });
    for (const r of rows) await w.write({ ...r });
    await w.close();
  }
  await storage.write(marker, new TextEncoder().encode(wanted));
}

type Event = { readonly kind: 'impression'; readonly campaign: string; readonly ts: number } | { readonly kind: 'click'; readonly clickId: string; readonly ts: number };

const state = {
  impressions: StateSpecs.bag<{ campaign: string; ts: number }>(Coders.json()),
  clicks: StateSpecs.bag<{ clickId: string; ts: number }>(Coders.json()),
};
const timers = { match: TimerSpecs.eventTime() };
type S = typeof state;
type T = typeof timers;

/** Per user: clicks wait until the watermark is past them, then take the latest impression in the window. */
export class AttributeFn extends StatefulDoFn<string, Event, Attribution, S, T> {
  private readonly held = Metrics.distribution('attribution', 'impressionsHeld');
  constructor(readonly windowMs: number) {
    super({ state, timers });
  }
  process(e: KV<string, Event>, ctx: StatefulProcessContext<string, Attribution, S, T>): void {
    const ev = e.value;
    if (ev.kind === 'impression') ctx.state.impressions.add({ campaign: ev.campaign, ts: ev.ts });
    else {
      ctx.state.clicks.add({ clickId: ev.clickId, ts: ev.ts });
      this.scheduleMatch(ctx.state.clicks.read(), ctx.timers.match, ctx.timestamp);
    }
  }
  override onTimer(_t: FiredTimer<T>, ctx: OnTimerContext<string, Attribution, S, T>): void {
    const watermark = ctx.timestamp;
    const impressions = [...ctx.state.impressions.read()];
    const waiting: { clickId: string; ts: number }[] = [];
    for (const c of ctx.state.clicks.read()) {
      if (c.ts >= watermark) {
        waiting.push(c);
        continue;
      }
      let best: { campaign: string; ts: number } | undefined;
      for (const i of impressions) if (i.ts <= c.ts && i.ts > c.ts - this.windowMs && (!best || i.ts > best.ts)) best = i;
      ctx.output({ clickId: c.clickId, campaign: best?.campaign ?? null });
    }
    ctx.state.clicks.clear();
    for (const c of waiting) ctx.state.clicks.add(c);
    // impressions the watermark left a window behind can no longer be the latest before a click to come
    const horizon = Math.min(watermark, ...waiting.map((c) => c.ts)) - this.windowMs;
    const kept = impressions.filter((i) => i.ts > horizon);
    ctx.state.impressions.clear();
    for (const i of kept) ctx.state.impressions.add(i);
    this.held.update(kept.length);
    this.scheduleMatch(waiting, ctx.timers.match, ctx.timestamp);
  }
  /** The next match runs once the watermark is past the earliest waiting click (and never before
   *  the element at hand: a timer may not be set behind it). */
  private scheduleMatch(clicks: Iterable<{ ts: number }>, timer: { set(t: Instant): void }, now: Instant): void {
    let earliest = Infinity;
    for (const c of clicks) earliest = Math.min(earliest, c.ts);
    if (earliest !== Infinity) timer.set(Instant.ofEpochMillis(Math.max(earliest + 1, now)));
  }
}

export function attribute(p: Pipeline, root: string, windowMs: number) {
  const { impressions, clicks } = p.apply(
    'Replay',
    KappaReplay.group<{ impressions: Row; clicks: Row }>({
      impressions: { table: joinPath(root, 'impressions'), timestampColumn: 'ts' },
      clicks: { table: joinPath(root, 'clicks'), timestampColumn: 'ts' },
    }),
  );
  const events = PCollectionList.of([
    impressions.apply('ImpressionEvents', Map.of((r: Row) => kv<string, Event>(r.user as string, { kind: 'impression', campaign: r.campaign as string, ts: r.ts as number }))),
    clicks.apply('ClickEvents', Map.of((r: Row) => kv<string, Event>(r.user as string, { kind: 'click', clickId: r.clickId as string, ts: r.ts as number }))),
  ]).apply('Events', Flatten.pCollections<KV<string, Event>>());
  return events.withCoder(Coders.kv(Coders.string(), Coders.json<Event>())).apply('Attribute', ParDo.of(new AttributeFn(windowMs)));
}

export default async function attribution(p: Pipeline, opts: AttributionOptions): Promise<void> {
  const root = toStoragePath(opts.warehouse);
  await ensureTables(root, opts);
  const attributed = attribute(p, root, Duration.minutes(opts.windowMinutes));
  attributed
    .apply('Campaigns', Map.of((a: Attribution) => a.campaign ?? '(none)'))
    .apply('PerCampaign', Count.perElement<string>())
    .apply('Print', Map.of((e: KV<string, number>) => console.log(`${e.key.padEnd(12)} ${e.value} clicks`)));
}
