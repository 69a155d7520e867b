/**
 * Generated login attempts for the suspicious-logins example (seeds/004): users logging in from
 * their home city, mostly successfully; some credential-stuffing bursts (many failures within an
 * hour); some logins from another city — a few of them sooner after the previous login than a
 * plane could have made the trip. Delivery is out of order by up to `maxDelay`, never more, so
 * the feed's watermark (trailing by more than that) never marks an attempt late.
 *
 * Deterministic: the same options (and seed) give the same attempts, in every process.
 */
import { Instant } from '../../sdk/index.js';
import type { Arrival } from './replay.js';
import { seededRandom, type Random } from './random.js';

export interface Login {
  /** Unique per attempt. */
  readonly id: string;
  readonly user: string;
  /** Event time, epoch milliseconds (also the element's timestamp). */
  readonly time: number;
  readonly ok: boolean;
  readonly city: string;
  readonly lat: number;
  readonly lon: number;
}

export interface City {
  readonly name: string;
  readonly lat: number;
  readonly lon: number;
}

export const CITIES: readonly City[] = [
  { name: 'London', lat: 51.5074, lon: -0.1278 },
  { name: 'Paris', lat: 48.8566, lon: 2.3522 },
  { name: 'Berlin', lat: 52.52, lon: 13.405 },
  { name: 'New York', lat: 40.7128, lon: -74.006 },
  { name: 'San Francisco', lat: 37.7749, lon: -122.4194 },
  { name: 'São Paulo', lat: -23.5505, lon: -46.6333 },
  { name: 'Mumbai', lat: 19.076, lon: 72.8777 },
  { name: 'Seoul', lat: 37.5665, lon: 126.978 },
  { name: 'Tokyo', lat: 35.6762, lon: 139.6503 },
  { name: 'Sydney', lat: -33.8688, lon: 151.2093 },
];

export interface LoginOptions {
  readonly users: number;
  readonly days: number;
  readonly seed: number;
  readonly start: Instant;
  /** Chance per user and day of a burst of failed logins. */
  readonly attackShare: number;
  /** Chance that a login comes from another city. */
  readonly travelShare: number;
  /** Longest delivery delay, ms. */
  readonly maxDelay: number;
}

export const loginDefaults: LoginOptions = {
  users: 40,
  days: 3,
  seed: 4,
  start: Instant.parse('2024-03-01T00:00:00Z'),
  attackShare: 0.15,
  travelShare: 0.08,
  maxDelay: 30_000,
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export function generateLogins(options: Partial<LoginOptions> = {}): Arrival<Login>[] {
  const o = { ...loginDefaults, ...options };
  const rnd = seededRandom(o.seed);
  const out: Arrival<Login>[] = [];
  let n = 0;
  const push = (user: string, time: number, ok: boolean, city: City) => {
    const id = `login-${++n}`;
    // Within ~5 km of the city centre.
    const lat = city.lat + rnd.between(-0.03, 0.03);
    const lon = city.lon + rnd.between(-0.03, 0.03);
    out.push({ value: { id, user, time, ok, city: city.name, lat, lon }, timestamp: Instant.ofEpochMillis(time), arrival: Instant.ofEpochMillis(time + rnd.int(0, o.maxDelay)) });
  };
  for (let u = 1; u <= o.users; u++) {
    const user = `user-${u}`;
    const home = rnd.pick(CITIES);
    for (let day = 0; day < o.days; day++) {
      const dayStart = o.start + day * 24 * HOUR;
      let t = dayStart + rnd.int(6 * HOUR, 10 * HOUR);
      const logins = rnd.int(1, 6);
      for (let i = 0; i < logins; i++) {
        t += rnd.int(10 * MINUTE, 3 * HOUR) + rnd.int(0, 999);
        const city = rnd.chance(o.travelShare) ? rnd.pick(CITIES) : home;
        // A typo now and then: a failure right before the success.
        if (rnd.chance(0.15)) push(user, t - rnd.int(5_000, 60_000), false, city);
        push(user, t, true, city);
      }
      if (rnd.chance(o.attackShare)) attack(rnd, push, user, dayStart + rnd.int(0, 20 * HOUR), rnd.pick(CITIES));
    }
  }
  return out;
}

/** Credential stuffing: 6 to 25 failures spread over 20 to 90 minutes. */
function attack(rnd: Random, push: (user: string, time: number, ok: boolean, city: City) => void, user: string, start: number, from: City): void {
  const count = rnd.int(6, 25);
  const span = rnd.int(20 * MINUTE, 90 * MINUTE);
  for (let i = 0; i < count; i++) push(user, start + rnd.int(0, span), false, from);
}

/** Great-circle distance (haversine), km. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}
