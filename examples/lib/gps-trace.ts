/**
 * A generated GPS trace for the driving-score example (seeds/000, the T map talk): several users,
 * each driving several trips; a trip sends a `start` message, one `gps` sample every
 * `sampleSeconds`, and an `end` message. Speeds follow a random walk with occasional speeding
 * stretches, hard accelerations and hard braking, so every score has something to count.
 * Delivery is out of order: each message reaches the service after a random network delay.
 *
 * Deterministic: the same options (and seed) give the same trace, in every process.
 */
import { Duration, Instant } from '../../sdk/index.js';
import type { Arrival } from './replay.js';
import { seededRandom } from './random.js';

/** One message of the app: where the car is and how fast it goes. */
export interface GpsEvent {
  readonly user: string;
  readonly trip: string;
  readonly kind: 'start' | 'gps' | 'end';
  /** Event time, epoch milliseconds (also the element's timestamp). */
  readonly time: number;
  readonly lat: number;
  readonly lon: number;
  /** km/h */
  readonly speed: number;
}

export interface GpsTraceOptions {
  readonly users: number;
  readonly tripsPerUser: number;
  readonly seed: number;
  /** Seconds between two samples of a trip. */
  readonly sampleSeconds: number;
  /** Shortest and longest trip, minutes. */
  readonly minTripMinutes: number;
  readonly maxTripMinutes: number;
  /** Shortest pause between two trips of a user, minutes (at least the session gap keeps
   *  trips in separate sessions; shorter pauses merge trips into one session). */
  readonly minPauseMinutes: number;
  readonly maxPauseMinutes: number;
  /** Where the trace starts. */
  readonly start: Instant;
  /** Largest network delay of a message, milliseconds (most are far smaller). */
  readonly maxDelayMillis: number;
}

export const gpsTraceDefaults: GpsTraceOptions = {
  users: 4,
  tripsPerUser: 3,
  seed: 42,
  sampleSeconds: 1,
  minTripMinutes: 6,
  maxTripMinutes: 14,
  minPauseMinutes: 90,
  maxPauseMinutes: 300,
  start: Instant.parse('2018-06-29T07:00:00Z'),
  maxDelayMillis: 4000,
};

/** The trace in event-time order per trip, with the time each message arrives. */
export function generateGpsTrace(options: Partial<GpsTraceOptions> = {}): Arrival<GpsEvent>[] {
  const o = { ...gpsTraceDefaults, ...options };
  const rnd = seededRandom(o.seed);
  const step = Duration.seconds(o.sampleSeconds);
  const out: Arrival<GpsEvent>[] = [];
  const delay = () => (rnd.chance(0.05) ? rnd.int(0, o.maxDelayMillis) : rnd.int(0, Math.min(300, o.maxDelayMillis)));
  for (let u = 0; u < o.users; u++) {
    const user = `user-${u + 1}`;
    // Users start their day at different times, minutes apart.
    let t = o.start + rnd.int(0, 45) * 60_000;
    let lat = 37.4 + rnd.between(0, 0.2);
    let lon = 127.0 + rnd.between(0, 0.2);
    for (let j = 0; j < o.tripsPerUser; j++) {
      const trip = `${user}/trip-${j + 1}`;
      const samples = Math.max(3, Math.round((rnd.between(o.minTripMinutes, o.maxTripMinutes) * 60) / o.sampleSeconds));
      const emit = (kind: GpsEvent['kind'], time: number, speed: number) => {
        const value: GpsEvent = { user, trip, kind, time, lat: round6(lat), lon: round6(lon), speed: round1(speed) };
        out.push({ value, timestamp: Instant.ofEpochMillis(time), arrival: Instant.ofEpochMillis(time + delay()) });
      };
      emit('start', t, 0);
      let speed = 0;
      let cruise = rnd.between(40, 90);
      let burst: { kind: 'accel' | 'brake'; left: number } | undefined;
      const braking = Math.min(25, Math.floor(samples / 4)); // samples to stop at the end
      for (let i = 1; i <= samples; i++) {
        const perSecond = (): number => {
          if (i > samples - braking) return -speed / Math.max(1, (samples - i + 1) * o.sampleSeconds);
          if (burst) {
            burst.left--;
            const b = burst;
            if (b.left <= 0) burst = undefined;
            return b.kind === 'accel' ? rnd.between(11, 15) : -rnd.between(13, 18);
          }
          if (rnd.chance(0.002 * o.sampleSeconds)) cruise = rnd.chance(0.3) ? rnd.between(105, 125) : rnd.between(40, 95);
          if (speed > 20 && rnd.chance(0.003 * o.sampleSeconds)) burst = { kind: 'brake', left: rnd.int(1, 2) };
          else if (speed < 80 && rnd.chance(0.003 * o.sampleSeconds)) burst = { kind: 'accel', left: rnd.int(1, 2) };
          return Math.max(-3, Math.min(3, (cruise - speed) / 8)) + rnd.between(-1.5, 1.5);
        };
        speed = Math.max(0, Math.min(160, speed + perSecond() * o.sampleSeconds));
        const km = (speed * o.sampleSeconds) / 3600;
        lat += km / 111 * 0.7;
        lon += km / 88 * 0.7;
        emit('gps', t + i * step, speed);
      }
      emit('end', t + (samples + 1) * step, 0);
      t += (samples + 1) * step + rnd.int(o.minPauseMinutes, o.maxPauseMinutes) * 60_000;
    }
  }
  return out;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
