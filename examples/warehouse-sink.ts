/**
 * Streaming warehouse sink (seeds/001, talk 27: the streaming job writes the table the backfill
 * reads): a click stream written as an hourly-partitioned Parquet table, each partition committed
 * when the watermark passes its end — then replayed by Kappa+ with the same aggregation, closing
 * the loop: the counts computed live and the counts replayed from the table are the same.
 *
 *   npx tributary run examples/warehouse-sink.ts --mode=write  [--table=.demo-clicks] [--clicks=5000]
 *   npx tributary run examples/warehouse-sink.ts --mode=replay [--table=.demo-clicks]
 *
 * `--mode=write` generates the stream (out of order by up to a minute, the watermark trailing it),
 * counts views per page and hour live, and writes the table (`dt=YYYY-MM-DD/hr=HH/part-*.parquet`);
 * `--mode=replay` replays the table partition by partition and counts the same way.
 */
import { ParquetIO } from '../io/parquet/index.js';
import type { Row, RowSchema } from '../io/parquet/index.js';
import { KappaReplay } from '../io/kappa/index.js';
import { toStoragePath } from '../io/storage/index.js';
import { Count, DoFn, Duration, FixedWindows, IntervalWindow, Instant, Map, ParDo, PTransform, Pipeline, Window, kv, type KV, type PCollection, type ProcessContext } from '../sdk/index.js';
import { defineOptions, type OptionsOf } from '../sdk/options/index.js';
import { seededRandom } from './lib/random.js';
import { replayPlan, toTestStream, type Arrival } from './lib/replay.js';

export const options = defineOptions({
  mode: { type: 'string', choices: ['write', 'replay'], default: 'write', describe: 'write the table from the stream, or replay it' },
  table: { type: 'string', default: '.demo-clicks', describe: 'the table: a local folder or s3://bucket/prefix' },
  clicks: { type: 'number', integer: true, default: 5000, describe: 'clicks in the generated stream' },
  pages: { type: 'number', integer: true, default: 12, describe: 'pages clicked' },
  hours: { type: 'number', integer: true, default: 6, describe: 'hours the stream spans' },
  seed: { type: 'number', integer: true, default: 27, describe: 'seed of the generated stream' },
  print: { type: 'number', integer: true, default: 8, describe: 'how many hourly counts to print (all are produced)' },
});

export type WarehouseSinkOptions = OptionsOf<typeof options>;

export interface Click {
  readonly page: string;
  readonly user: string;
  /** Event time, epoch ms. */
  readonly ts: number;
}

export const CLICK_SCHEMA: RowSchema = { page: 'string', user: 'string', ts: 'timestamp' };

const START = Date.UTC(2024, 5, 1);

/** The click stream in arrival order: each click delivered up to a minute after it happened. */
export function generateClicks(o: { clicks: number; pages: number; hours: number; seed: number }): Arrival<Click>[] {
  const random = seededRandom(o.seed);
  const out: Arrival<Click>[] = [];
  for (let i = 0; i < o.clicks; i++) {
    const ts = START + Math.floor(random.next() * o.hours * 3_600_000);
    const click = { page: `/page/${random.int(1, o.pages)}`, user: `u${random.int(1, 500)}`, ts };
    out.push({ value: click, timestamp: Instant.ofEpochMillis(ts), arrival: Instant.ofEpochMillis(ts + random.int(0, 60_000)) });
  }
  return out;
}

export interface PageHour {
  readonly page: string;
  readonly hourStart: number;
  readonly views: number;
}

class ToPageHour extends DoFn<KV<string, number>, PageHour> {
  process(e: KV<string, number>, ctx: ProcessContext<PageHour>): void {
    ctx.output({ page: e.key, hourStart: (ctx.window as IntervalWindow).start, views: e.value });
  }
}

/** Views per page and hour: the same transform over the live stream and over the replayed table. */
export class ViewsPerPageHour extends PTransform<PCollection<Click>, PCollection<PageHour>> {
  constructor() {
    super('ViewsPerPageHour');
  }
  expand(clicks: PCollection<Click>): PCollection<PageHour> {
    return clicks
      .apply('Pages', Map.of((c: Click) => c.page))
      .apply('Hourly', Window.into<string>(FixedWindows.of(Duration.hours(1))))
      .apply('Count', Count.perElement<string>())
      .apply('ToPageHour', ParDo.of(new ToPageHour()));
  }
}

/** Writes the stream to `table` and counts it live; returns the live counts. */
export function writeFromStream(p: Pipeline, table: string, arrivals: readonly Arrival<Click>[]): PCollection<PageHour> {
  const clicks = p.apply('Clicks', toTestStream(replayPlan(arrivals, { maxOutOfOrderness: Duration.minutes(1), batch: Duration.seconds(30), idle: true })));
  clicks.apply('ToRows', Map.of((c: Click): Row => ({ ...c }))).apply('WriteTable', ParquetIO.writePartitioned({ table, layout: 'hourly', schema: CLICK_SCHEMA, timestampColumn: 'ts' }));
  return clicks.apply('LiveViews', new ViewsPerPageHour());
}

/** Replays `table` (Kappa+, partition by partition) and counts it the same way. */
export function replayTable(p: Pipeline, table: string): PCollection<PageHour> {
  return p
    .apply('ReplayClicks', KappaReplay.read<Row>({ table, timestampColumn: 'ts', columns: ['page', 'user', 'ts'] }))
    .apply('ToClicks', Map.of((r: Row): Click => ({ page: r.page as string, user: r.user as string, ts: r.ts as number })))
    .apply('ReplayedViews', new ViewsPerPageHour());
}

export default function warehouseSink(p: Pipeline, opts: WarehouseSinkOptions): void {
  const table = toStoragePath(opts.table);
  const views = opts.mode === 'write' ? writeFromStream(p, table, generateClicks(opts)) : replayTable(p, table);
  let printed = 0;
  views.apply(
    'Print',
    Map.of((v: PageHour) => {
      if (printed++ < opts.print) console.log(`${opts.mode === 'write' ? 'live    ' : 'replayed'} ${new Date(v.hourStart).toISOString().slice(0, 13)}h ${v.page.padEnd(10)} ${v.views} views`);
    }),
  );
}
