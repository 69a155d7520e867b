/**
 * Generated fleet telematics for the catch-up example (seeds/002, Trackunit): machines on
 * construction sites report engine readings; after an outage of the pipeline the backlog is
 * replayed, and each reading is enriched through the device registry — an HTTP service that is
 * slow, briefly down, and sometimes does not answer at all.
 *
 * Deterministic: the same options give the same readings and the same registry.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Instant } from '../../sdk/index.js';
import type { Arrival } from './replay.js';
import { seededRandom } from './random.js';

export interface Reading {
  readonly device: string;
  /** Event time, epoch ms. */
  readonly time: number;
  readonly engineTempC: number;
}

/** What the registry knows of a device. */
export interface Device {
  readonly device: string;
  readonly customer: string;
  readonly model: string;
}

export interface FleetOptions {
  readonly devices: number;
  readonly readings: number;
  /** Hours the readings span. */
  readonly hours: number;
  readonly seed: number;
  /** Devices past this index are unknown to the registry (404): a reading for one fails for good. */
  readonly registered?: number;
}

export const fleetDefaults: FleetOptions = { devices: 40, readings: 2000, hours: 6, seed: 11 };

const START = Date.UTC(2024, 2, 4, 6);
const CUSTOMERS = ['acme-build', 'nordic-cranes', 'delta-earthworks', 'hill-rentals'];
const MODELS = ['excavator', 'loader', 'crane', 'dumper'];

export function deviceId(i: number): string {
  return `dev-${String(i).padStart(4, '0')}`;
}

/** The registry's answer for a device, or undefined for one it does not know. */
export function registryEntry(device: string, registered: number): Device | undefined {
  const i = Number(device.slice(4));
  if (!(i < registered)) return undefined;
  return { device, customer: CUSTOMERS[i % CUSTOMERS.length]!, model: MODELS[(i >> 2) % MODELS.length]! };
}

/** Readings in arrival order: the backlog of an outage arrives together, in device batches. */
export function generateReadings(options: Partial<FleetOptions> = {}): Arrival<Reading>[] {
  const o = { ...fleetDefaults, ...options };
  const random = seededRandom(o.seed);
  const span = o.hours * 3_600_000;
  const out: Arrival<Reading>[] = [];
  for (let i = 0; i < o.readings; i++) {
    const time = START + Math.floor(random.next() * span);
    const reading = { device: deviceId(random.int(0, o.devices - 1)), time, engineTempC: Math.round(random.between(60, 110) * 10) / 10 };
    // delivered late by up to five minutes: uploads from the sites come in bursts
    out.push({ value: reading, timestamp: Instant.ofEpochMillis(time), arrival: Instant.ofEpochMillis(time + random.int(0, 300_000)) });
  }
  return out;
}

export interface RegistryBehaviour {
  /** Devices the registry knows (default: all). */
  readonly registered?: number;
  /** The first this many requests are answered 503 (the registry is still coming back). */
  readonly outageRequests?: number;
  /** Every this many-th request is never answered (0: none). */
  readonly hangEvery?: number;
  /** Each answer waits this long, ms. */
  readonly latencyMs?: number;
  /** Do not keep the process alive for the server (a pipeline file that starts its own). */
  readonly unref?: boolean;
}

export interface RegistryServer {
  readonly url: string;
  readonly stats: { requests: number; unavailable: number; hung: number; inFlight: number; maxInFlight: number };
  close(): Promise<void>;
}

/** The device registry as a real HTTP server on loopback: GET /devices/<id> → Device JSON. */
export async function startRegistry(behaviour: RegistryBehaviour = {}): Promise<RegistryServer> {
  const registered = behaviour.registered ?? Number.MAX_SAFE_INTEGER;
  const stats = { requests: 0, unavailable: 0, hung: 0, inFlight: 0, maxInFlight: 0 };
  const hanging = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const n = ++stats.requests;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let finished = false;
    const finish = () => {
      if (!finished) (finished = true), stats.inFlight--;
    };
    res.on('close', finish);
    if (n <= (behaviour.outageRequests ?? 0)) {
      stats.unavailable++;
      res.writeHead(503).end('registry starting');
      return;
    }
    if (behaviour.hangEvery && n % behaviour.hangEvery === 0) {
      stats.hung++;
      const release = () => res.destroy();
      hanging.add(release);
      req.on('close', () => hanging.delete(release));
      return;
    }
    const answer = () => {
      const device = registryEntry(decodeURIComponent((req.url ?? '').replace(/^\/devices\//, '')), registered);
      if (!device) res.writeHead(404).end('unknown device');
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(device));
    };
    if (behaviour.latencyMs) setTimeout(answer, behaviour.latencyMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  if (behaviour.unref) server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const release of hanging) release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
