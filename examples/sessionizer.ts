/**
 * Sessionizer at scale (seeds/001, talk 18, Yelp: sessionizing millions of users' activity): a
 * user's events form a session until a gap of `--gapMinutes` without activity — and a session is
 * also cut at `--maxMinutes` however active the user stays (a bot, a tab left polling), so no
 * session grows without bound and results never wait longer than that.
 *
 *   npx tributary run examples/sessionizer.ts [--users=2000] [--events=20000] [--gapMinutes=30] [--maxMinutes=120]
 *
 * Beam's session windows have no maximum length, so this is per-user state and a timer (Flink's
 * ProcessFunction way): the open session's start, last event and count in value state, an
 * event-time timer at last event + gap that closes it, and a cut when an event would stretch it
 * past the maximum. A user's events arrive in their own time order (one device sends them);
 * users interleave freely.
 */
import { Coders, Duration, Instant, Map, Metrics, ParDo, PTransform, Pipeline, StateSpecs, StatefulDoFn, TimerSpecs, kv, type FiredTimer, type KV, type OnTimerContext, type PCollection, type StatefulProcessContext } from '../sdk/index.js';
import { defineOptions, type OptionsOf } from '../sdk/options/index.js';
import { seededRandom } from './lib/random.js';
import { replayPlan, toTestStream, type Arrival } from './lib/replay.js';

export const options = defineOptions({
  users: { type: 'number', integer: true, default: 2000, describe: 'users' },
  events: { type: 'number', integer: true, default: 20_000, describe: 'events' },
  hours: { type: 'number', integer: true, default: 12, describe: 'hours the events span' },
  seed: { type: 'number', integer: true, default: 18, describe: 'seed of the generated events' },
  gapMinutes: { type: 'number', default: 30, describe: 'a session ends after this long without an event' },
  maxMinutes: { type: 'number', default: 120, describe: 'a session is cut once it would last longer than this' },
  print: { type: 'number', integer: true, default: 10, describe: 'how many sessions to print (all are produced)' },
});

export type SessionizerOptions = OptionsOf<typeof options>;

export interface Activity {
  readonly user: string;
  readonly ts: number;
}

export interface Session {
  readonly user: string;
  /** First and last event, epoch ms. */
  readonly start: number;
  readonly end: number;
  readonly events: number;
  /** Why it ended: a quiet gap, or the maximum length. */
  readonly cut: 'gap' | 'max-length';
}

const START = Date.UTC(2024, 0, 15);

/** Users active in bursts (some of them bots that never pause); each user's events in time order. */
export function generateActivity(o: { users: number; events: number; hours: number; seed: number }): Arrival<Activity>[] {
  const random = seededRandom(o.seed);
  const span = o.hours * 3_600_000;
  const perUser = Math.max(1, Math.floor(o.events / o.users));
  const out: Arrival<Activity>[] = [];
  for (let u = 0; u < o.users; u++) {
    const user = `u${u}`;
    const bot = u % 50 === 0;
    let t = START + random.int(0, span / 2);
    let lastArrival = 0;
    // a bot sends twenty times as much, never pausing: its sessions end at the maximum length
    for (let i = 0; i < (bot ? perUser * 20 : perUser) && t < START + span; i++) {
      // arrivals keep the user's own order; the watermark trails by up to five minutes
      lastArrival = Math.max(lastArrival, t + random.int(0, 300_000));
      out.push({ value: { user, ts: t }, timestamp: Instant.ofEpochMillis(t), arrival: Instant.ofEpochMillis(lastArrival) });
      t += bot ? random.int(10_000, 60_000) : random.chance(0.15) ? random.int(40 * 60_000, 5 * 3_600_000) : random.int(5_000, 10 * 60_000);
    }
  }
  return out;
}

const state = { start: StateSpecs.value(Coders.double()), last: StateSpecs.value(Coders.double()), events: StateSpecs.value(Coders.varint()) };
const timers = { close: TimerSpecs.eventTime() };
type S = typeof state;
type T = typeof timers;

export class SessionizeFn extends StatefulDoFn<string, number, Session, S, T> {
  private readonly cuts = Metrics.counter('sessionizer', 'maxLengthCuts');
  constructor(
    readonly gapMs: number,
    readonly maxMs: number,
  ) {
    super({ state, timers });
  }
  process(e: KV<string, number>, ctx: StatefulProcessContext<string, Session, S, T>): void {
    const t = e.value;
    const start = ctx.state.start.read();
    const last = ctx.state.last.read();
    if (start !== undefined && last !== undefined) {
      if (t - last >= this.gapMs) this.emit(ctx, e.key, start, last, 'gap');
      else if (t - start >= this.maxMs) {
        this.cuts.inc();
        this.emit(ctx, e.key, start, last, 'max-length');
      } else {
        ctx.state.last.write(t);
        ctx.state.events.write((ctx.state.events.read() ?? 0) + 1);
        ctx.timers.close.set(Instant.ofEpochMillis(t + this.gapMs));
        return;
      }
    }
    ctx.state.start.write(t);
    ctx.state.last.write(t);
    ctx.state.events.write(1);
    ctx.timers.close.set(Instant.ofEpochMillis(t + this.gapMs));
  }
  override onTimer(_t: FiredTimer<T>, ctx: OnTimerContext<string, Session, S, T>): void {
    const start = ctx.state.start.read();
    const last = ctx.state.last.read();
    if (start !== undefined && last !== undefined) this.emit(ctx, ctx.key, start, last, 'gap');
  }
  private emit(ctx: { output(s: Session): void; state: StatefulProcessContext<string, Session, S, T>['state'] }, user: string, start: number, last: number, cut: Session['cut']): void {
    ctx.output({ user, start, end: last, events: ctx.state.events.read() ?? 0, cut });
    ctx.state.start.clear();
    ctx.state.last.clear();
    ctx.state.events.clear();
  }
}

/** Activity → sessions with a gap and a maximum length. */
export class Sessionize extends PTransform<PCollection<Activity>, PCollection<Session>> {
  constructor(
    readonly gapMs: number,
    readonly maxMs: number,
  ) {
    super('Sessionize');
  }
  expand(activity: PCollection<Activity>): PCollection<Session> {
    return activity
      .apply('ByUser', Map.of((a: Activity) => kv(a.user, a.ts)))
      .withCoder(Coders.kv(Coders.string(), Coders.double()))
      .apply('Sessions', ParDo.of(new SessionizeFn(this.gapMs, this.maxMs)));
  }
}

export default function sessionizer(p: Pipeline, opts: SessionizerOptions): void {
  const activity = generateActivity(opts);
  let printed = 0;
  p.apply('Activity', toTestStream(replayPlan(activity, { maxOutOfOrderness: Duration.minutes(5), batch: Duration.minutes(1), idle: true })))
    .apply('Sessionize', new Sessionize(Duration.minutes(opts.gapMinutes), Duration.minutes(opts.maxMinutes)))
    .apply(
      'Print',
      Map.of((s: Session) => {
        if (printed++ < opts.print) console.log(`${s.user.padEnd(6)} ${new Date(s.start).toISOString().slice(11, 19)}–${new Date(s.end).toISOString().slice(11, 19)}  ${String(s.events).padStart(4)} events  (${s.cut})`);
      }),
    );
}
