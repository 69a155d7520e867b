/**
 * Driving score (seeds/000, "Real-time driving score service using Flink", SK telecom's T map):
 * per user, GPS messages are grouped into driving sessions (session windows, 1-hour gap) and each
 * session is scored by three factors — speeding, rapid acceleration and rapid deceleration.
 * The app sends an `end` message when a trip ends; the service returns the score right after it,
 * without waiting an hour for the session to close: the window fires EARLY once the watermark
 * passes the `end` message's timestamp (the talk's EarlyResultEventTimeTrigger), then ON_TIME
 * when the session closes (correcting the early result if stragglers arrived after it), then
 * LATE for each straggler within the allowed lateness. Messages later than that go to a
 * late-data output, counted, never silently lost.
 *
 *   npx tributary run examples/driving-score.ts --runner=direct [--users=4] [--trips=3] [--seed=42]
 *     [--speedLimit=100] [--accelThreshold=10] [--decelThreshold=12] [--source=stream|batch]
 *   npx tributary run examples/driving-score.ts --mode=backfill [--warehouse=.demo-warehouse] [--days=3]
 *   npx tributary run examples/driving-score.ts --mode=realtime --maxOutOfOrdernessMillis=4000 [--days=3]
 *
 * The scoring is the `DrivingScore` transform over a `PCollection<GpsEvent>`; the input comes
 * from a pluggable source (`buildDrivingScore(p, opts, source)`), picked by `--mode` in one line
 * (`gpsSource`): a generated trace (`generated`, the default, delivered as `--source` says), a
 * Kappa+ replay of a warehouse of several days (`backfill`: two tables, `gps` and `trip_events`,
 * replayed in lockstep), or a live feed of the same days (`realtime`: `LiveSource`). Backfill and
 * realtime give the same panes when the live watermark's bound covers the feed's largest delay
 * (`--maxOutOfOrdernessMillis` ≥ `--maxDelayMillis`) — see test/kappa/backfill-equals-realtime.test.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AfterCount,
  AfterElementMatches,
  AfterWatermark,
  Combine,
  Create,
  DoFn,
  Duration,
  Flatten,
  IntervalWindow,
  Map,
  Metrics,
  ParDo,
  PCollectionList,
  PTransform,
  Pipeline,
  Sessions,
  Values,
  Window,
  kv,
  type CombineFn,
  type KV,
  type PCollection,
  type PaneTiming,
  type ProcessContext,
} from '../sdk/index.js';
import { defineOptions, type OptionsOf } from '../sdk/options/index.js';
import { KappaReplay, LiveSource, type KappaReplayOptions } from '../io/kappa/index.js';
import { joinPath, toStoragePath } from '../io/storage/index.js';
import { generateGpsTrace, gpsTraceDefaults, type GpsEvent } from './lib/gps-trace.js';
import { replayPlan, toTestStream } from './lib/replay.js';
import { GPS_TABLE, TRIP_EVENTS_TABLE, generateTelemetry, liveFeed, rowToGpsEvent, telemetryEnd, writeTelemetryWarehouse, type TelemetryOptions } from './lib/telemetry.js';

export { generateGpsTrace, gpsTraceDefaults, type GpsEvent, type GpsTraceOptions } from './lib/gps-trace.js';

export const options = defineOptions({
  users: { type: 'number', integer: true, default: gpsTraceDefaults.users, describe: 'how many users the generated trace has' },
  trips: { type: 'number', integer: true, default: gpsTraceDefaults.tripsPerUser, describe: 'trips per user in the generated trace' },
  seed: { type: 'number', integer: true, default: gpsTraceDefaults.seed, describe: 'seed of the generated trace (same seed, same trace)' },
  sampleSeconds: { type: 'number', default: gpsTraceDefaults.sampleSeconds, describe: 'seconds between two GPS samples of a trip' },
  speedLimit: { type: 'number', default: 100, describe: 'speeding: a sample faster than this many km/h' },
  accelThreshold: { type: 'number', default: 10, describe: 'rapid acceleration: speed rising by at least this many km/h per second' },
  decelThreshold: { type: 'number', default: 12, describe: 'rapid deceleration: speed falling by at least this many km/h per second' },
  gapMinutes: { type: 'number', default: 60, describe: 'session gap: a session ends after this many minutes without messages' },
  allowedLatenessMinutes: { type: 'number', default: 10, describe: 'messages later than this past the session end go to the late output' },
  maxOutOfOrdernessMillis: { type: 'number', default: 1000, describe: 'stream source: how far the watermark trails the newest event time' },
  source: {
    type: 'string',
    choices: ['stream', 'batch'],
    default: 'stream',
    describe: 'stream: replay the trace in arrival order with a watermark (early results); batch: all at once',
  },
  mode: {
    type: 'string',
    choices: ['generated', 'backfill', 'realtime'],
    default: 'generated',
    describe: 'generated: one day\'s generated trace (see --source); backfill: Kappa+ replay of the warehouse; realtime: a live feed of the same days',
  },
  warehouse: { type: 'string', default: '.demo-warehouse', describe: 'backfill: the warehouse directory (tables gps and trip_events)' },
  generate: { type: 'boolean', default: true, describe: 'backfill: write the sample warehouse first when it is absent or was generated with other options' },
  days: { type: 'number', integer: true, default: 3, describe: 'backfill/realtime: days of telemetry (--users users, --trips trips a day each)' },
  maxDelayMillis: { type: 'number', default: gpsTraceDefaults.maxDelayMillis, describe: 'backfill/realtime: largest network delay of a generated message' },
  lateFraction: { type: 'number', default: 0.05, describe: 'backfill/realtime: share of generated messages whose delay may reach --maxDelayMillis (others: ≤ 300 ms)' },
  backwardSkewMillis: { type: 'number', default: 5000, describe: 'backfill: how much later than its event time a row may be stored (the warehouse is partitioned by arrival)' },
  fileConcurrency: { type: 'number', integer: true, default: 4, describe: 'backfill: files of a partition read at once' },
  out: {
    type: 'string',
    describe: 'write each pane to this directory, one file named by its session and pane index (rewriting it is harmless: a retried bundle cannot duplicate a pane), instead of printing — for workers whose output you do not see',
  },
});

export type DrivingScoreOptions = OptionsOf<typeof options>;

// --- the scoring ------------------------------------------------------------------------

export interface Thresholds {
  /** km/h */
  readonly speedLimit: number;
  /** km/h per second */
  readonly accelThreshold: number;
  /** km/h per second (a positive number) */
  readonly decelThreshold: number;
}

/** The three factors of a session (plus what it is made of). */
export interface DrivingFactors {
  /** Messages in the pane (start, gps and end). */
  readonly messages: number;
  /** Trips whose `end` message arrived. */
  readonly completedTrips: number;
  /** Times the driver went over the speed limit (a run of fast samples counts once). */
  readonly speeding: number;
  /** Times the speed rose by at least `accelThreshold` km/h per second (a run counts once). */
  readonly rapidAccel: number;
  /** Times the speed fell by at least `decelThreshold` km/h per second (a run counts once). */
  readonly rapidDecel: number;
}

/** Samples as `[time, speed, isEnd]`: small and JSON-friendly for the accumulator coder. */
type Sample = [number, number, 0 | 1];

/**
 * Scores the samples of one session in event-time order: each factor counts the runs of
 * consecutive samples that meet its condition, so a stretch of speeding is one offence.
 */
export function scoreSamples(samples: readonly Sample[], t: Thresholds): DrivingFactors {
  const s = [...samples].sort((a, b) => a[0] - b[0]);
  let speeding = 0;
  let rapidAccel = 0;
  let rapidDecel = 0;
  let wasFast = false;
  let wasAccel = false;
  let wasDecel = false;
  for (let i = 0; i < s.length; i++) {
    const [time, speed] = s[i]!;
    const fast = speed > t.speedLimit;
    if (fast && !wasFast) speeding++;
    wasFast = fast;
    if (i === 0) continue;
    const [prevTime, prevSpeed] = s[i - 1]!;
    const rate = (speed - prevSpeed) / ((time - prevTime) / 1000); // km/h per second
    const accel = rate >= t.accelThreshold;
    const decel = -rate >= t.decelThreshold;
    if (accel && !wasAccel) rapidAccel++;
    if (decel && !wasDecel) rapidDecel++;
    wasAccel = accel;
    wasDecel = decel;
  }
  return { messages: s.length, completedTrips: s.filter((x) => x[2] === 1).length, speeding, rapidAccel, rapidDecel };
}

/** Collects a session's samples (windows merge, so accumulators do too), scores them at output. */
export class DrivingFactorsFn implements CombineFn<GpsEvent, Sample[], DrivingFactors> {
  constructor(readonly thresholds: Thresholds) {}
  createAccumulator(): Sample[] {
    return [];
  }
  addInput(acc: Sample[], e: GpsEvent): Sample[] {
    acc.push([e.time, e.speed, e.kind === 'end' ? 1 : 0]);
    return acc;
  }
  mergeAccumulators(accs: Iterable<Sample[]>): Sample[] {
    const out: Sample[] = [];
    for (const a of accs) for (const s of a) out.push(s);
    return out;
  }
  extractOutput(acc: Sample[]): DrivingFactors {
    return scoreSamples(acc, this.thresholds);
  }
}

/** One pane of one session's score. */
export interface SessionScore extends DrivingFactors {
  readonly user: string;
  /** The session window, epoch milliseconds: [first message, last message + gap). */
  readonly sessionStart: number;
  readonly sessionEnd: number;
  /** EARLY: right after a trip's end message; ON_TIME: the session closed; LATE: a straggler. */
  readonly timing: PaneTiming;
  readonly paneIndex: number;
  /** No pane of this session follows. */
  readonly final: boolean;
}

/** The trip's end message: what fires the early result. */
export function isTripEnd(e: GpsEvent): boolean {
  return e.kind === 'end';
}

class DescribeSessionFn extends DoFn<KV<string, DrivingFactors>, SessionScore> {
  private readonly panes = { EARLY: Metrics.counter('driving-score', 'earlyPanes'), ON_TIME: Metrics.counter('driving-score', 'onTimePanes'), LATE: Metrics.counter('driving-score', 'latePanes') };
  process(e: KV<string, DrivingFactors>, ctx: ProcessContext<SessionScore>): void {
    const w = ctx.window as IntervalWindow;
    const timing = ctx.pane.timing;
    if (timing === 'EARLY' || timing === 'ON_TIME' || timing === 'LATE') this.panes[timing].inc();
    ctx.output({
      user: e.key,
      sessionStart: w.start,
      sessionEnd: w.end,
      ...e.value,
      timing,
      paneIndex: ctx.pane.index,
      final: ctx.pane.isLast,
    });
  }
}

export interface DrivingScoreConfig extends Thresholds {
  readonly gap: Duration;
  readonly allowedLateness: Duration;
  /** Names the end-message predicate in the proto; unique per pipeline (default `isTripEnd`). */
  readonly predicateName?: string;
}

export interface DrivingScoreOutput {
  /** One element per pane per session. */
  readonly scores: PCollection<SessionScore>;
  /** Messages that arrived after their session's allowed lateness: not scored. */
  readonly late: PCollection<GpsEvent>;
}

/** Scores GPS messages per user and driving session, with an early result at each trip's end. */
export class DrivingScore extends PTransform<PCollection<GpsEvent>, DrivingScoreOutput> {
  constructor(readonly config: DrivingScoreConfig) {
    super('DrivingScore');
  }

  static fromOptions(opts: Pick<DrivingScoreOptions, 'speedLimit' | 'accelThreshold' | 'decelThreshold' | 'gapMinutes' | 'allowedLatenessMinutes'>): DrivingScore {
    return new DrivingScore({
      speedLimit: opts.speedLimit,
      accelThreshold: opts.accelThreshold,
      decelThreshold: opts.decelThreshold,
      gap: Duration.minutes(opts.gapMinutes),
      allowedLateness: Duration.minutes(opts.allowedLatenessMinutes),
    });
  }

  expand(events: PCollection<GpsEvent>): DrivingScoreOutput {
    const c = this.config;
    const sessions = events
      .apply('KeyByUser', Map.of((e: GpsEvent) => kv(e.user, e)))
      .apply(
        'Sessions',
        Window.into<KV<string, GpsEvent>>(Sessions.withGapDuration(c.gap))
          .triggering(
            AfterWatermark.pastEndOfWindow()
              // The talk's EarlyResultEventTimeTrigger: fire once the watermark passes an end message.
              .withEarlyFirings(AfterElementMatches.of((e: GpsEvent) => isTripEnd(e), c.predicateName ?? 'isTripEnd'))
              // Each straggler within the allowed lateness corrects the score again.
              .withLateFirings(AfterCount.of(1)),
          )
          .withAllowedLateness(c.allowedLateness)
          .accumulatingFiredPanes(),
      );
    const { main, late } = sessions.apply('Score', Combine.perKey<string, GpsEvent, DrivingFactors>(new DrivingFactorsFn(c)).withLateDataOutput());
    return {
      scores: main.apply('Describe', ParDo.of(new DescribeSessionFn())),
      late: late.apply('LateMessages', Values.create<GpsEvent>()),
    };
  }
}

// --- the pipeline -----------------------------------------------------------------------

/** Where the GPS messages come from. */
export type GpsSource = (p: Pipeline) => PCollection<GpsEvent>;

/** The generated trace, as a live feed (arrival order, bounded-out-of-orderness watermark) or
 *  all at once. */
export function generatedGpsSource(opts: Pick<DrivingScoreOptions, 'users' | 'trips' | 'seed' | 'sampleSeconds' | 'maxOutOfOrdernessMillis' | 'source'>): GpsSource {
  const trace = generateGpsTrace({ users: opts.users, tripsPerUser: opts.trips, seed: opts.seed, sampleSeconds: opts.sampleSeconds });
  return (p) =>
    opts.source === 'batch'
      ? p.apply('GpsTrace', Create.timestamped(trace.map(({ value, timestamp }) => ({ value, timestamp }))))
      : p.apply(
          'GpsFeed',
          toTestStream(replayPlan(trace, { maxOutOfOrderness: Duration.millis(opts.maxOutOfOrdernessMillis), batch: Duration.seconds(5), idle: true })),
        );
}

/** The telemetry of the backfill and realtime modes: the same days, messages and delays. */
export function telemetryOptions(opts: Pick<DrivingScoreOptions, 'days' | 'users' | 'trips' | 'seed' | 'sampleSeconds' | 'maxDelayMillis' | 'lateFraction'>): Partial<TelemetryOptions> {
  return { days: opts.days, users: opts.users, tripsPerDay: opts.trips, seed: opts.seed, sampleSeconds: opts.sampleSeconds, maxDelayMillis: opts.maxDelayMillis, lateFraction: opts.lateFraction };
}

const MESSAGE_COLUMNS = ['user', 'trip', 'time', 'lat', 'lon', 'speed'];

/** Backfill: the warehouse's two tables replayed in lockstep (KappaReplay.group), flattened
 *  into one stream of messages. Rows may sit up to `backwardSkewMillis` after their hour. */
export function warehouseGpsSource(
  opts: Pick<DrivingScoreOptions, 'warehouse' | 'backwardSkewMillis' | 'fileConcurrency'>,
  replay: KappaReplayOptions = {},
): GpsSource {
  const table = (name: string, columns: string[]) => ({
    table: joinPath(toStoragePath(opts.warehouse), name),
    timestampColumn: 'time',
    columns,
    backwardSkew: Duration.millis(opts.backwardSkewMillis),
  });
  return (p) => {
    const { gps, trip_events } = p.apply(
      'Warehouse',
      KappaReplay.group<{ gps: Record<string, unknown>; trip_events: Record<string, unknown> }>(
        { gps: table(GPS_TABLE, MESSAGE_COLUMNS), trip_events: table(TRIP_EVENTS_TABLE, [...MESSAGE_COLUMNS, 'kind']) },
        { fileConcurrency: opts.fileConcurrency, ...replay },
      ),
    );
    return PCollectionList.of([gps, trip_events])
      .apply('AllMessages', Flatten.pCollections<Record<string, unknown>>())
      .apply('ToGpsEvent', Map.of((row: Record<string, unknown>) => rowToGpsEvent(row)));
  };
}

/** Realtime: a live feed of the same telemetry, in arrival order, with a bounded-out-of-orderness
 *  watermark (heartbeats every 5 s of the feed's clock keep it moving through quiet hours, up to
 *  the end of the last day). */
export function liveGpsSource(opts: Pick<DrivingScoreOptions, 'days' | 'users' | 'trips' | 'seed' | 'sampleSeconds' | 'maxDelayMillis' | 'lateFraction' | 'maxOutOfOrdernessMillis'>): GpsSource {
  return (p) =>
    p.apply(
      'Live',
      LiveSource.from(() => liveFeed(generateTelemetry(telemetryOptions(opts)), { until: telemetryEnd(telemetryOptions(opts)) }), { timestamp: 'time', maxOutOfOrderness: Duration.millis(opts.maxOutOfOrdernessMillis) }),
    );
}

/** The source for `--mode`: everything downstream is the same. */
export function gpsSource(opts: DrivingScoreOptions, replay?: KappaReplayOptions): GpsSource {
  return { generated: () => generatedGpsSource(opts), backfill: () => warehouseGpsSource(opts, replay), realtime: () => liveGpsSource(opts) }[opts.mode]();
}

export function formatScore(s: SessionScore): string {
  const hhmm = (t: number) => new Date(t).toISOString().slice(11, 19);
  return (
    `${s.user.padEnd(8)} ${new Date(s.sessionStart).toISOString().slice(0, 10)} ${hhmm(s.sessionStart)}–${hhmm(s.sessionEnd)} ` +
    `${s.timing.padEnd(7)} #${s.paneIndex}${s.final ? ' final' : '      '}  trips ${s.completedTrips}  messages ${String(s.messages).padStart(5)}  ` +
    `speeding ${s.speeding}  rapid accel ${s.rapidAccel}  rapid decel ${s.rapidDecel}`
  );
}

/** Builds the pipeline over any source of GPS messages. */
export function buildDrivingScore(p: Pipeline, opts: DrivingScoreOptions, source: GpsSource): DrivingScoreOutput {
  const out = source(p).apply('DrivingScore', DrivingScore.fromOptions(opts));
  const lateLine = (e: GpsEvent) => `late, not scored: ${e.user} ${e.kind} at ${new Date(e.time).toISOString()}`;
  if (opts.out) {
    const dir = opts.out;
    const write = (name: string, line: string) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${name.replace(/[^\w.-]/g, '_')}.txt`), `${line}\n`);
    };
    out.scores.apply('WritePanes', Map.of((s: SessionScore) => write(`${s.user}_${new Date(s.sessionStart).toISOString()}_${s.paneIndex}`, formatScore(s))));
    out.late.apply('WriteLate', Map.of((e: GpsEvent) => write(`late_${e.user}_${e.kind}_${new Date(e.time).toISOString()}`, lateLine(e))));
    return out;
  }
  out.scores.apply('Print', Map.of((s: SessionScore) => void console.log(formatScore(s))));
  out.late.apply('PrintLate', Map.of((e: GpsEvent) => void console.log(lateLine(e))));
  return out;
}

export default async function drivingScore(p: Pipeline, opts: DrivingScoreOptions): Promise<void> {
  if (opts.mode === 'backfill' && opts.generate) await writeTelemetryWarehouse(opts.warehouse, telemetryOptions(opts));
  buildDrivingScore(p, opts, gpsSource(opts));
}
