/**
 * The main job (`npm start`): Kappa+ end to end, with no external service.
 *
 * 1. Generates a sample warehouse of driving telemetry (`.demo-warehouse/`, kept between runs):
 *    a few days, two tables of very different volume — `gps` (a sample a second while driving)
 *    and `trip_events` (a start and an end per trip) — hourly partitions by arrival time, several
 *    Parquet files per hour.
 * 2. Runs the driving-score pipeline (examples/driving-score.ts) in **backfill** mode on the
 *    direct runner: both tables replayed in lockstep, one hour at a time, with a progress bar;
 *    prints per-day results and a summary.
 * 3. Runs the same pipeline in **realtime** mode over a live feed of the same days (LiveSource)
 *    and checks that both runs gave the same panes (window, key, value, timing, index).
 *
 *   npm start -- [--days=3] [--users=6] [--trips=3] [--seed=42] [--warehouse=.demo-warehouse]
 *                [--progress=auto|bar|json|off] [--realtime=live|kafka]
 *
 * `--realtime=kafka` goes live from a real Apache Kafka broker instead (examples/kafka-demo.ts):
 * backfill up to a cut, then Kafka, checked against a plain backfill.
 *
 * Exits with 1 when the modes disagree.
 *
 * It is also a pipeline file: `tributary run examples/kappa-demo.ts [--mode=backfill|realtime]`
 * (and `tributary proto`, `--runner=...`) runs ONE of the two — the driving score over the demo
 * warehouse (generated first when absent) or over the live feed — with the demo's settings.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ProgressReporter, type ReplayProgress } from '../io/kappa/index.js';
import { DirectRunner } from '../runners/direct/direct-runner.js';
import { ParDo, Pipeline, type MetricResults } from '../sdk/index.js';
import { parseOptions } from '../sdk/options/index.js';
import { defineOptions } from '../sdk/options/index.js';
import drivingScore, { DrivingScore, gpsSource, options as drivingScoreOptions, telemetryOptions, type DrivingScoreOptions, type SessionScore } from './driving-score.js';
import { CollectScores, comparePanes } from './lib/panes.js';
import { writeTelemetryWarehouse } from './lib/telemetry.js';
import { InvalidOptionError } from '../sdk/options/index.js';

export interface DemoOptions {
  readonly days: number;
  readonly users: number;
  readonly trips: number;
  readonly seed: number;
  readonly warehouse: string;
  readonly progress: 'auto' | 'bar' | 'json' | 'off';
}

export const demoDefaults: DemoOptions = { days: 3, users: 6, trips: 3, seed: 42, warehouse: '.demo-warehouse', progress: 'auto' };

/** A fifth of the messages arrive up to 30 s late, so some land in the next hour's partition.
 *  The replay's backward skew and the live watermark's bound both cover that delay: then
 *  realtime sees what backfill sees (test/kappa/backfill-equals-realtime.test.ts). */
const DEMO_DELAY_MILLIS = 30_000;

function withDefault<T extends object>(option: T, value: unknown): T {
  return { ...option, default: value };
}

/** The pipeline file's options: the driving score's, with the demo's defaults. */
export const options = defineOptions({
  ...drivingScoreOptions,
  mode: { ...drivingScoreOptions.mode, choices: ['backfill', 'realtime'], default: 'backfill', describe: 'backfill: Kappa+ replay of the demo warehouse; realtime: a live feed of the same days' },
  days: withDefault(drivingScoreOptions.days, demoDefaults.days),
  users: withDefault(drivingScoreOptions.users, demoDefaults.users),
  trips: withDefault(drivingScoreOptions.trips, demoDefaults.trips),
  seed: withDefault(drivingScoreOptions.seed, demoDefaults.seed),
  warehouse: withDefault(drivingScoreOptions.warehouse, demoDefaults.warehouse),
  maxDelayMillis: withDefault(drivingScoreOptions.maxDelayMillis, DEMO_DELAY_MILLIS),
  lateFraction: withDefault(drivingScoreOptions.lateFraction, 0.2),
  backwardSkewMillis: withDefault(drivingScoreOptions.backwardSkewMillis, DEMO_DELAY_MILLIS),
  maxOutOfOrdernessMillis: withDefault(drivingScoreOptions.maxOutOfOrdernessMillis, DEMO_DELAY_MILLIS),
});

/** One of the demo's two runs as a pipeline (the driving score prints each pane). */
export default async function kappaDemoPipeline(p: Pipeline, opts: DrivingScoreOptions): Promise<void> {
  await drivingScore(p, opts);
}

interface RunResult {
  readonly scores: SessionScore[];
  readonly metrics: MetricResults;
  readonly seconds: number;
}

/** Runs the driving score over the source `opts.mode` picks, collecting every pane. */
async function runDrivingScore(opts: DrivingScoreOptions, onProgress?: (p: ReplayProgress) => void): Promise<RunResult> {
  const scores: SessionScore[] = [];
  const p = new Pipeline();
  gpsSource(opts, { onProgress })(p).apply('DrivingScore', DrivingScore.fromOptions(opts)).scores.apply('Collect', ParDo.of(new CollectScores(scores)));
  const started = performance.now();
  const result = new DirectRunner().run(p);
  await result.waitUntilFinish();
  return { scores, metrics: result.metrics(), seconds: (performance.now() - started) / 1000 };
}

/** The last pane of each session: its final score. */
function finalScores(scores: readonly SessionScore[]): SessionScore[] {
  const last = new Map<string, SessionScore>();
  for (const s of scores) {
    const k = `${s.user} ${s.sessionStart}`;
    const prev = last.get(k);
    if (!prev || s.paneIndex > prev.paneIndex) last.set(k, s);
  }
  return [...last.values()].sort((a, b) => a.sessionStart - b.sessionStart || (a.user < b.user ? -1 : 1));
}

const n = (x: number, w: number) => String(x).padStart(w);

/** Per day, per driver: trips, messages and the three factors, summed over the day's sessions. */
export function perDayLines(scores: readonly SessionScore[]): string[] {
  const days = new Map<string, Map<string, { sessions: number; trips: number; messages: number; speeding: number; accel: number; decel: number }>>();
  for (const s of finalScores(scores)) {
    const day = new Date(s.sessionStart).toISOString().slice(0, 10);
    const users = days.get(day) ?? new Map();
    days.set(day, users);
    const u = users.get(s.user) ?? { sessions: 0, trips: 0, messages: 0, speeding: 0, accel: 0, decel: 0 };
    users.set(s.user, u);
    u.sessions++;
    u.trips += s.completedTrips;
    u.messages += s.messages;
    u.speeding += s.speeding;
    u.accel += s.rapidAccel;
    u.decel += s.rapidDecel;
  }
  const lines: string[] = [];
  for (const [day, users] of [...days].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const total = { trips: 0, messages: 0, speeding: 0, accel: 0, decel: 0 };
    lines.push(`${day}`);
    for (const [user, u] of [...users].sort(([a], [b]) => (a < b ? -1 : 1))) {
      total.trips += u.trips;
      total.messages += u.messages;
      total.speeding += u.speeding;
      total.accel += u.accel;
      total.decel += u.decel;
      lines.push(`  ${user.padEnd(8)} trips ${n(u.trips, 2)}  messages ${n(u.messages, 6)}  speeding ${n(u.speeding, 2)}  rapid accel ${n(u.accel, 2)}  rapid decel ${n(u.decel, 2)}`);
    }
    lines.push(`  ${'all'.padEnd(8)} trips ${n(total.trips, 2)}  messages ${n(total.messages, 6)}  speeding ${n(total.speeding, 2)}  rapid accel ${n(total.accel, 2)}  rapid decel ${n(total.decel, 2)}`);
  }
  return lines;
}

function paneCounts(scores: readonly SessionScore[]): string {
  const c = { EARLY: 0, ON_TIME: 0, LATE: 0 } as Record<string, number>;
  for (const s of scores) c[s.timing] = (c[s.timing] ?? 0) + 1;
  return `${scores.length} panes (${c['EARLY']} EARLY, ${c['ON_TIME']} ON_TIME, ${c['LATE']} LATE)`;
}

/** Runs the demo, printing through `out`; resolves to true when backfill and realtime agree. */
export async function kappaDemo(demo: Partial<DemoOptions> = {}, out: (line: string) => void = console.log): Promise<boolean> {
  const d = { ...demoDefaults, ...demo };
  const delay = DEMO_DELAY_MILLIS;
  const base = { days: d.days, users: d.users, trips: d.trips, seed: d.seed, warehouse: d.warehouse, maxDelayMillis: delay, lateFraction: 0.2, backwardSkewMillis: delay, maxOutOfOrdernessMillis: delay };
  const backfillOpts = parseOptions(drivingScoreOptions, { ...base, mode: 'backfill' });
  const realtimeOpts = parseOptions(drivingScoreOptions, { ...base, mode: 'realtime' });

  out(`Kappa+ demo: driving score over ${d.days} day(s) of telemetry from ${d.users} driver(s), ${d.trips} trip(s) a day each`);
  const t0 = performance.now();
  const w = await writeTelemetryWarehouse(d.warehouse, telemetryOptions(backfillOpts));
  const gps = w.tables['gps']!;
  const trips = w.tables['trip_events']!;
  out(`\nWarehouse ${d.warehouse}/ (${w.written ? `generated in ${((performance.now() - t0) / 1000).toFixed(1)} s` : 'already there'}; hourly partitions by arrival time)`);
  out(`  gps          ${n(gps.partitions, 3)} partitions  ${n(gps.files, 4)} files  ${n(gps.rows, 7)} rows`);
  out(`  trip_events  ${n(trips.partitions, 3)} partitions  ${n(trips.files, 4)} files  ${n(trips.rows, 7)} rows`);
  out(`  ${w.skewedRows} row(s) stored in the hour after their event time's (backward skew, ≤ ${delay / 1000} s)`);

  // --- backfill
  out(`\n[1/2] backfill: KappaReplay.group({ gps, trip_events }) in lockstep, one hour at a time`);
  const tty = d.progress === 'bar' ? true : d.progress === 'json' ? false : undefined;
  const reporter = d.progress === 'off' ? undefined : new ProgressReporter({ label: 'backfill', tty, ...(d.progress === 'json' ? { format: 'json' as const } : {}) });
  const backfill = await runDrivingScore(backfillOpts, reporter?.onProgress);
  reporter?.finish();
  out('\nPer-day results (final pane of each session):');
  for (const line of perDayLines(backfill.scores)) out(line);
  const m = backfill.metrics;
  const rows = m.counter('rows');
  out(
    `\nBackfill summary: ${m.counter('partitionsRead')} partitions read (${m.counter('missingPartitions')} of them absent: hours without data), ` +
      `${m.counter('filesOpened')} files, ${rows} rows in ${backfill.seconds.toFixed(2)} s (${Math.round(rows / backfill.seconds)} rows/s); ` +
      `${paneCounts(backfill.scores)}; ${m.counter('droppedLate')} dropped late; peak ${m.gauge('peakBufferedElements') ?? 0} buffered elements`,
  );

  // --- realtime
  out(`\n[2/2] realtime: LiveSource over a live feed of the same days (watermark = newest event time − ${delay / 1000} s)`);
  const realtime = await runDrivingScore(realtimeOpts);
  out(`Realtime summary: ${realtime.metrics.counter('liveElements')} messages in ${realtime.seconds.toFixed(2)} s; ${paneCounts(realtime.scores)}; ${realtime.metrics.counter('droppedLate')} dropped late`);

  const cmp = comparePanes(backfill.scores, realtime.scores);
  if (cmp.equal) {
    out(`\nbackfill and realtime agree: ${cmp.left} panes, equal as multisets of (window, key, value, timing, index)`);
  } else {
    out(`\nbackfill and realtime DISAGREE: ${cmp.onlyLeft.length} pane(s) only in backfill, ${cmp.onlyRight.length} only in realtime`);
    for (const k of cmp.onlyLeft.slice(0, 10)) out(`  backfill only: ${k}`);
    for (const k of cmp.onlyRight.slice(0, 10)) out(`  realtime only: ${k}`);
  }
  return cmp.equal;
}

function parseFlags(argv: readonly string[]): Partial<DemoOptions> {
  const o: Record<string, unknown> = {};
  for (const a of argv) {
    const m = /^--([a-zA-Z]+)=(.*)$/.exec(a);
    if (!m) throw new InvalidOptionError(undefined, `unknown argument ${a}; flags: --days=N --users=N --trips=N --seed=N --warehouse=DIR --progress=auto|bar|json|off --realtime=live|kafka`);
    const [, key, value] = m as unknown as [string, string, string];
    if (!(key in demoDefaults)) throw new InvalidOptionError(key, `unknown flag --${key}; flags: ${Object.keys(demoDefaults).map((k) => `--${k}`).join(' ')}`);
    if (typeof demoDefaults[key as keyof DemoOptions] === 'number') {
      const v = Number(value);
      if (!Number.isInteger(v) || v <= 0) throw new InvalidOptionError(key, `--${key} must be a positive integer, got ${value}`);
      o[key] = v;
    } else if (key === 'progress' && !['auto', 'bar', 'json', 'off'].includes(value)) {
      throw new InvalidOptionError(key, `--progress must be auto, bar, json or off, got ${value}`);
    } else o[key] = value;
  }
  return o as Partial<DemoOptions>;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    // --realtime=kafka: the same pipeline going live from a real Kafka broker (examples/kafka-demo.ts).
    const argv = process.argv.slice(2);
    const onKafka = argv.includes('--realtime=kafka');
    const flags = parseFlags(argv.filter((a) => a !== '--realtime=kafka' && a !== '--realtime=live'));
    const agree = onKafka ? await (await import('./kafka-demo.js')).kafkaDemo({ ...demoDefaults, ...flags }) : await kappaDemo(flags);
    process.exitCode = agree ? 0 : 1;
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 2;
  }
}
