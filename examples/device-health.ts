/**
 * A per-device state trigger in the global window (seeds/001, talks 02 and 24, Comcast: results
 * fired by each device's own state, not by a clock): set-top boxes report errors and reboots; a
 * box's health report goes out when its state says so — its `--errorsPerReport`-th error since
 * the last report, or a reboot — and a box that falls silent for `--idleHours` has what it holds
 * flushed by an event-time timer, so no state lingers.
 *
 *   npx tributary run examples/device-health.ts [--devices=500] [--events=20000] [--errorsPerReport=5]
 *
 * No window and no trigger on a clock could express "when this device's count reaches N or it
 * reboots": this is per-key state (the counts since the last report) and one timer per key.
 * Each device's events arrive in their own time order; devices interleave freely.
 */
import { Coders, Duration, Instant, Map, Metrics, ParDo, PTransform, Pipeline, StateSpecs, StatefulDoFn, TimerSpecs, kv, type FiredTimer, type KV, type OnTimerContext, type PCollection, type StatefulProcessContext } from '../sdk/index.js';
import { defineOptions, type OptionsOf } from '../sdk/options/index.js';
import { seededRandom } from './lib/random.js';
import { replayPlan, toTestStream, type Arrival } from './lib/replay.js';

export const options = defineOptions({
  devices: { type: 'number', integer: true, default: 500, describe: 'set-top boxes' },
  events: { type: 'number', integer: true, default: 20_000, describe: 'events' },
  hours: { type: 'number', integer: true, default: 48, describe: 'hours the events span' },
  seed: { type: 'number', integer: true, default: 24, describe: 'seed of the generated events' },
  errorsPerReport: { type: 'number', integer: true, default: 5, describe: 'a report goes out at this many errors since the last one' },
  idleHours: { type: 'number', default: 6, describe: 'a silent device has what it holds flushed after this long' },
  print: { type: 'number', integer: true, default: 10, describe: 'how many reports to print (all are produced)' },
});

export type DeviceHealthOptions = OptionsOf<typeof options>;

export interface DeviceEvent {
  readonly device: string;
  readonly kind: 'error' | 'reboot' | 'ok';
  readonly ts: number;
}

export interface HealthReport {
  readonly device: string;
  /** First and last event the report covers, epoch ms. */
  readonly from: number;
  readonly to: number;
  readonly errors: number;
  readonly events: number;
  readonly reason: 'errors' | 'reboot' | 'idle';
}

const START = Date.UTC(2024, 10, 4);

export function generateDeviceEvents(o: { devices: number; events: number; hours: number; seed: number }): Arrival<DeviceEvent>[] {
  const random = seededRandom(o.seed);
  const span = o.hours * 3_600_000;
  const out: Arrival<DeviceEvent>[] = [];
  const perDevice = Math.max(1, Math.floor(o.events / o.devices));
  for (let d = 0; d < o.devices; d++) {
    const device = `stb-${d}`;
    const flaky = random.chance(0.2);
    let t = START + random.int(0, 3_600_000);
    let arrival = 0;
    for (let i = 0; i < perDevice && t < START + span; i++) {
      const r = random.next();
      const kind = r < (flaky ? 0.4 : 0.05) ? 'error' : r > 0.995 ? 'reboot' : 'ok';
      arrival = Math.max(arrival, t + random.int(0, 600_000));
      out.push({ value: { device, kind, ts: t }, timestamp: Instant.ofEpochMillis(t), arrival: Instant.ofEpochMillis(arrival) });
      // now and then a box goes quiet for hours
      t += random.chance(0.02) ? random.int(6, 20) * 3_600_000 : random.int(60_000, 30 * 60_000);
    }
  }
  return out;
}

const state = {
  from: StateSpecs.value(Coders.double()),
  to: StateSpecs.value(Coders.double()),
  errors: StateSpecs.value(Coders.varint()),
  events: StateSpecs.value(Coders.varint()),
};
const timers = { idle: TimerSpecs.eventTime() };
type S = typeof state;
type T = typeof timers;

export class HealthReportFn extends StatefulDoFn<string, DeviceEvent, HealthReport, S, T> {
  private readonly reports = Metrics.counter('deviceHealth', 'reports');
  constructor(
    readonly errorsPerReport: number,
    readonly idleMs: number,
  ) {
    super({ state, timers });
  }
  process(e: KV<string, DeviceEvent>, ctx: StatefulProcessContext<string, HealthReport, S, T>): void {
    const ev = e.value;
    const s = ctx.state;
    // silent for longer than idleMs: its timer is due even if the watermark has not got there yet
    const last = s.to.read();
    if (last !== undefined && ev.ts - last >= this.idleMs) this.report(ctx, e.key, 'idle');
    if (s.from.read() === undefined) s.from.write(ev.ts);
    s.to.write(ev.ts);
    s.events.write((s.events.read() ?? 0) + 1);
    const errors = (s.errors.read() ?? 0) + (ev.kind === 'error' ? 1 : 0);
    s.errors.write(errors);
    if (ev.kind === 'reboot') this.report(ctx, e.key, 'reboot');
    else if (errors >= this.errorsPerReport) this.report(ctx, e.key, 'errors');
    else ctx.timers.idle.set(Instant.ofEpochMillis(ev.ts + this.idleMs));
  }
  override onTimer(_t: FiredTimer<T>, ctx: OnTimerContext<string, HealthReport, S, T>): void {
    if (ctx.state.from.read() !== undefined) this.report(ctx, ctx.key, 'idle');
  }
  private report(ctx: { output(r: HealthReport): void; state: StatefulProcessContext<string, HealthReport, S, T>['state'] }, device: string, reason: HealthReport['reason']): void {
    const s = ctx.state;
    ctx.output({ device, from: s.from.read()!, to: s.to.read()!, errors: s.errors.read() ?? 0, events: s.events.read() ?? 0, reason });
    this.reports.inc();
    s.from.clear();
    s.to.clear();
    s.errors.clear();
    s.events.clear();
  }
}

export class DeviceHealth extends PTransform<PCollection<DeviceEvent>, PCollection<HealthReport>> {
  constructor(
    readonly errorsPerReport: number,
    readonly idleMs: number,
  ) {
    super('DeviceHealth');
  }
  expand(events: PCollection<DeviceEvent>): PCollection<HealthReport> {
    return events
      .apply('ByDevice', Map.of((e: DeviceEvent) => kv(e.device, e)))
      .withCoder(Coders.kv(Coders.string(), Coders.json<DeviceEvent>()))
      .apply('Reports', ParDo.of(new HealthReportFn(this.errorsPerReport, this.idleMs)));
  }
}

export default function deviceHealth(p: Pipeline, opts: DeviceHealthOptions): void {
  let printed = 0;
  p.apply('Events', toTestStream(replayPlan(generateDeviceEvents(opts), { maxOutOfOrderness: Duration.minutes(10), batch: Duration.minutes(5), idle: true })))
    .apply('Health', new DeviceHealth(opts.errorsPerReport, Duration.hours(opts.idleHours)))
    .apply(
      'Print',
      Map.of((r: HealthReport) => {
        if (printed++ < opts.print) console.log(`${r.device.padEnd(8)} ${new Date(r.from).toISOString().slice(0, 16)}–${new Date(r.to).toISOString().slice(11, 16)}  ${String(r.errors).padStart(2)} errors in ${String(r.events).padStart(3)} events  (${r.reason})`);
      }),
    );
}
