/**
 * The per-device state trigger example (talks 02 and 24) against a plain loop per device: a
 * report at the N-th error, at a reboot, or after the device fell silent — the same reports,
 * whatever the watermark did meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { Duration, Pipeline } from '../../sdk/index.js';
import { PAssert } from '../../sdk/testing/passert.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { DeviceHealth, generateDeviceEvents, type DeviceEvent, type HealthReport } from '../../examples/device-health.js';
import { replayPlan, toTestStream } from '../../examples/lib/replay.js';
import { runCli } from '../cli/run-cli.js';

function plainReports(events: readonly DeviceEvent[], n: number, idle: number): HealthReport[] {
  const byDevice = new Map<string, DeviceEvent[]>();
  for (const e of events) (byDevice.get(e.device) ?? byDevice.set(e.device, []).get(e.device)!).push(e);
  const out: HealthReport[] = [];
  for (const [device, evs] of byDevice) {
    evs.sort((a, b) => a.ts - b.ts);
    let open: { from: number; to: number; errors: number; events: number } | undefined;
    const flush = (reason: HealthReport['reason']) => {
      out.push({ device, ...open!, reason });
      open = undefined;
    };
    for (const e of evs) {
      if (open && e.ts - open.to >= idle) flush('idle');
      open ??= { from: e.ts, to: e.ts, errors: 0, events: 0 };
      open.to = e.ts;
      open.events++;
      if (e.kind === 'error') open.errors++;
      if (e.kind === 'reboot') flush('reboot');
      else if (open.errors >= n) flush('errors');
    }
    if (open) flush('idle');
  }
  return out;
}

const key = (r: HealthReport) => `${r.device} ${r.from}`;

describe('examples/device-health', () => {
  it('reports when each device\'s own state says so: the plain loop\'s reports', async () => {
    const idle = Duration.hours(6);
    const arrivals = generateDeviceEvents({ devices: 150, events: 6000, hours: 48, seed: 5 });
    const expected = plainReports(arrivals.map((a) => a.value), 5, idle);
    for (const reason of ['errors', 'reboot', 'idle'] as const) expect(expected.some((r) => r.reason === reason), reason).toBe(true);

    const p = new Pipeline();
    let seen: HealthReport[] = [];
    PAssert.that(p.apply('Events', toTestStream(replayPlan(arrivals, { maxOutOfOrderness: Duration.minutes(10), batch: Duration.minutes(5), idle: true }))).apply('Health', new DeviceHealth(5, idle))).satisfies(
      (xs) => void (seen = xs),
    );
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    expect(result.state).toBe('DONE');
    const sort = (xs: HealthReport[]) => [...xs].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sort(seen)).toEqual(sort(expected));
  });

  it('runs from the command line', async () => {
    const r = await runCli(['run', 'examples/device-health.ts', '--runner=direct', '--devices=50', '--events=1000', '--print=3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^stb-\d+ +\S+–\d\d:\d\d +\d+ errors in +\d+ events {2}\((errors|reboot|idle)\)$/m);
  });
});
