/**
 * Fleet telematics catch-up (seeds/002, Trackunit: "Apache Flink at Trackunit: catching up after
 * an outage"): machines' engine readings, replayed from the backlog an outage left, each enriched
 * with its customer through the device registry — an HTTP service that is slow, still coming back
 * (503s) and now and then does not answer. Catch-up must not overwhelm it, and nothing may be
 * lost: every reading is either in the per-customer hourly summary or on the failures output
 * with the cause (a device the registry does not know).
 *
 *   npx tributary run examples/fleet-catch-up.ts [--registry=http://host:port] [--capacity=8] [--timeoutMs=500] [--retries=5]
 *
 * Without `--registry` the file starts a simulated registry on loopback (its first
 * `--outageRequests` requests answered 503, every `--hangEvery`-th never answered).
 * `AsyncIO.call` gives the guarantees: at most `capacity` requests in flight (the replay waits
 * for them: the registry sets the pace of the catch-up), each bounded by `timeoutMs` and
 * aborted then, retried with backoff, and a 404 not retried but sent to the failures output.
 */
import {
  AsyncIO,
  Combine,
  DoFn,
  Duration,
  FixedWindows,
  IntervalWindow,
  Map,
  ParDo,
  PTransform,
  Pipeline,
  Window,
  kv,
  type AsyncFailure,
  type Attempt,
  type CombineFn,
  type KV,
  type PCollection,
  type ProcessContext,
} from '../sdk/index.js';
import { defineOptions, type OptionsOf } from '../sdk/options/index.js';
import { fleetDefaults, generateReadings, startRegistry, type Device, type Reading } from './lib/fleet.js';
import { replayPlan, toTestStream } from './lib/replay.js';

export { generateReadings, registryEntry, startRegistry, type Reading, type Device } from './lib/fleet.js';

export const options = defineOptions({
  registry: { type: 'string', default: '', describe: 'base URL of the device registry (default: start a simulated one)' },
  devices: { type: 'number', integer: true, default: fleetDefaults.devices, describe: 'machines in the fleet' },
  registered: { type: 'number', integer: true, default: fleetDefaults.devices - 2, describe: 'machines the simulated registry knows (the rest are 404)' },
  readings: { type: 'number', integer: true, default: fleetDefaults.readings, describe: 'readings in the backlog' },
  hours: { type: 'number', integer: true, default: fleetDefaults.hours, describe: 'hours the backlog spans' },
  seed: { type: 'number', integer: true, default: fleetDefaults.seed, describe: 'seed of the generated readings' },
  capacity: { type: 'number', integer: true, default: 8, describe: 'registry requests in flight at most' },
  timeoutMs: { type: 'number', integer: true, default: 500, describe: 'bound on one registry request, ms' },
  retries: { type: 'number', integer: true, default: 5, describe: 'attempts after the first for a failed request' },
  outageRequests: { type: 'number', integer: true, default: 30, describe: 'simulated registry: its first N requests answer 503' },
  hangEvery: { type: 'number', integer: true, default: 400, describe: 'simulated registry: every N-th request is never answered (0: none)' },
  print: { type: 'number', integer: true, default: 12, describe: 'how many summary rows to print (all are produced)' },
});

export type FleetCatchUpOptions = OptionsOf<typeof options>;

export interface EnrichedReading extends Reading {
  readonly customer: string;
  readonly model: string;
}

/** One customer's hour. */
export interface CustomerHour {
  readonly customer: string;
  readonly hourStart: number;
  readonly readings: number;
  readonly maxEngineTempC: number;
}

export class RegistryHttpError extends Error {
  constructor(readonly status: number, device: string) {
    super(`registry answered HTTP ${status} for ${device}`);
  }
}

/** The registry lookup: one GET, aborted when AsyncIO's timeout fires. */
export function registryLookup(baseUrl: string) {
  return async (r: Reading, attempt: Attempt): Promise<EnrichedReading> => {
    const res = await fetch(`${baseUrl}/devices/${encodeURIComponent(r.device)}`, { signal: attempt.signal });
    if (!res.ok) {
      await res.body?.cancel();
      throw new RegistryHttpError(res.status, r.device);
    }
    const d = (await res.json()) as Device;
    return { ...r, customer: d.customer, model: d.model };
  };
}

type Summary = { readings: number; maxEngineTempC: number };
const SummaryFn: CombineFn<EnrichedReading, Summary, Summary> = {
  createAccumulator: () => ({ readings: 0, maxEngineTempC: -Infinity }),
  addInput: (a, r) => ({ readings: a.readings + 1, maxEngineTempC: Math.max(a.maxEngineTempC, r.engineTempC) }),
  mergeAccumulators(accs) {
    const m = { readings: 0, maxEngineTempC: -Infinity };
    for (const a of accs) (m.readings += a.readings), (m.maxEngineTempC = Math.max(m.maxEngineTempC, a.maxEngineTempC));
    return m;
  },
  extractOutput: (a) => a,
};

class ToCustomerHour extends DoFn<KV<string, Summary>, CustomerHour> {
  process(e: KV<string, Summary>, ctx: ProcessContext<CustomerHour>): void {
    ctx.output({ customer: e.key, hourStart: (ctx.window as IntervalWindow).start, ...e.value });
  }
}

export interface CatchUpSettings {
  readonly registryUrl: string;
  readonly capacity: number;
  readonly timeoutMs: number;
  readonly retries: number;
}

/** Readings → enriched through the registry → per customer and hour; what fails, with its cause. */
export class EnrichAndSummarise extends PTransform<PCollection<Reading>, { summary: PCollection<CustomerHour>; failures: PCollection<AsyncFailure<Reading>> }> {
  constructor(readonly settings: CatchUpSettings) {
    super('EnrichAndSummarise');
  }
  expand(readings: PCollection<Reading>) {
    const { results, failures } = readings.apply(
      'Registry',
      AsyncIO.call(registryLookup(this.settings.registryUrl), {
        capacity: this.settings.capacity,
        timeoutMs: this.settings.timeoutMs,
        retries: this.settings.retries,
        backoffMs: 20,
        maxBackoffMs: 500,
        // an unknown device stays unknown: only timeouts and server errors are worth retrying
        retryIf: ({ error, timedOut }) => timedOut || !(error instanceof RegistryHttpError) || error.status >= 500,
      }),
    );
    const summary = results
      .apply('ByCustomer', Map.of((r: EnrichedReading) => kv(r.customer, r)))
      .apply('Hourly', Window.into<KV<string, EnrichedReading>>(FixedWindows.of(Duration.hours(1))))
      .apply('Summarise', Combine.perKey<string, EnrichedReading, Summary>(SummaryFn))
      .apply('ToCustomerHour', ParDo.of(new ToCustomerHour()));
    return { summary, failures };
  }
}

export default async function fleetCatchUp(p: Pipeline, opts: FleetCatchUpOptions): Promise<void> {
  let registryUrl = opts.registry;
  if (!registryUrl) {
    const simulated = await startRegistry({ registered: opts.registered, outageRequests: opts.outageRequests, hangEvery: opts.hangEvery, latencyMs: 2, unref: true });
    registryUrl = simulated.url;
    console.error(`simulated device registry at ${registryUrl} (first ${opts.outageRequests} requests 503, every ${opts.hangEvery}-th never answered)`);
  }
  const backlog = generateReadings({ devices: opts.devices, readings: opts.readings, hours: opts.hours, seed: opts.seed });
  const { summary, failures } = p
    .apply('Backlog', toTestStream(replayPlan(backlog, { maxOutOfOrderness: Duration.minutes(5), batch: Duration.minutes(10), idle: true })))
    .apply('CatchUp', new EnrichAndSummarise({ registryUrl, capacity: opts.capacity, timeoutMs: opts.timeoutMs, retries: opts.retries }));
  let printed = 0;
  summary.apply(
    'Print',
    Map.of((h: CustomerHour) => {
      if (printed++ < opts.print) console.log(`${h.customer.padEnd(18)} ${new Date(h.hourStart).toISOString().slice(0, 13)}h  ${String(h.readings).padStart(5)} readings  max ${h.maxEngineTempC} °C`);
    }),
  );
  let failed = 0;
  failures.apply(
    'PrintFailures',
    Map.of((f: AsyncFailure<Reading>) => {
      if (failed++ < opts.print) console.log(`not enriched: ${f.input.device} at ${new Date(f.input.time).toISOString()} — ${f.cause} (${f.attempts} attempt(s))`);
    }),
  );
}
