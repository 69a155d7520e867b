/**
 * Driving telemetry over several days for the Kappa+ demo and the driving-score example's
 * backfill and realtime modes: the GPS trace of `gps-trace.ts`, one day after another, stored
 * the way an ingestion job lands it in a warehouse and delivered the way a live feed would.
 *
 * - `generateTelemetry` — every message of every day, with its event time and arrival time.
 * - `writeTelemetryWarehouse` — two tables of very different volume, both hourly and partitioned
 *   by **arrival** hour (as ingestion partitions), several Parquet files per hour:
 *   `gps/dt=…/hr=…/part-NNNNN.parquet` (a sample a second while driving) and
 *   `trip_events/dt=…/hr=…/…` (a `start` and an `end` per trip). A message that arrives after
 *   the hour of its event time sits in a later partition: that is backward skew (KAPPA.md rule 4),
 *   at most the largest network delay.
 * - `liveFeed` — the same messages in arrival order, with a heartbeat each time the feed's clock
 *   passes a multiple of `heartbeatEvery` (so quiet hours still move the watermark), running on
 *   to the end of the last day.
 *
 * Deterministic: the same options give the same messages, files and feed.
 */
import { rm } from 'node:fs/promises';
import { LiveSource, type LiveHeartbeat } from '../../io/kappa/index.js';
import { writeParquet } from '../../io/parquet/write.js';
import { StorageError, isNotFound, joinPath, storageFor, toStoragePath } from '../../io/storage/index.js';
import { Duration, Instant } from '../../sdk/index.js';
import { generateGpsTrace, gpsTraceDefaults, type GpsEvent } from './gps-trace.js';
import type { Arrival } from './replay.js';
import { seededRandom } from './random.js';

export interface TelemetryOptions {
  readonly days: number;
  readonly users: number;
  readonly tripsPerDay: number;
  readonly seed: number;
  readonly sampleSeconds: number;
  /** The first day (its 00:00 UTC). Users start driving between 07:00 and 07:45. */
  readonly start: Instant;
  /** Largest network delay of a message, milliseconds. */
  readonly maxDelayMillis: number;
  /** Share of messages whose delay may reach `maxDelayMillis` (the others arrive within 300 ms). */
  readonly lateFraction: number;
}

export const telemetryDefaults: TelemetryOptions = {
  days: 3,
  users: 6,
  tripsPerDay: 3,
  seed: 42,
  sampleSeconds: 1,
  start: Instant.parse('2018-06-29T00:00:00Z'),
  maxDelayMillis: gpsTraceDefaults.maxDelayMillis,
  lateFraction: 0.05,
};

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Every message of every day; trips are named `<day>/<user>/trip-<n>`. */
export function generateTelemetry(options: Partial<TelemetryOptions> = {}): Arrival<GpsEvent>[] {
  const o = { ...telemetryDefaults, ...options };
  const out: Arrival<GpsEvent>[] = [];
  for (let d = 0; d < o.days; d++) {
    const dayStart = o.start + d * DAY;
    const day = new Date(dayStart).toISOString().slice(0, 10);
    const trace = generateGpsTrace({
      users: o.users,
      tripsPerUser: o.tripsPerDay,
      seed: o.seed * 1000 + d,
      sampleSeconds: o.sampleSeconds,
      start: Instant.ofEpochMillis(dayStart + 7 * HOUR),
      maxDelayMillis: o.maxDelayMillis,
    });
    // Phones stamp messages to the millisecond: 1–999 ms past the trace's whole seconds (never 0,
    // so no message sits exactly on a whole-second boundary such as an hour's end).
    // Network delays are drawn here: most messages arrive within 300 ms, `lateFraction` of them
    // up to `maxDelayMillis` later.
    const rnd = seededRandom(o.seed * 7919 + d);
    for (const a of trace) {
      const time = a.value.time + rnd.int(1, 999);
      const delay = rnd.chance(o.lateFraction) ? rnd.int(0, o.maxDelayMillis) : rnd.int(0, Math.min(300, o.maxDelayMillis));
      out.push({ value: { ...a.value, trip: `${day}/${a.value.trip}`, time }, timestamp: Instant.ofEpochMillis(time), arrival: Instant.ofEpochMillis(time + delay) });
    }
  }
  return out;
}

// --- the warehouse ----------------------------------------------------------------------

export const GPS_TABLE = 'gps';
export const TRIP_EVENTS_TABLE = 'trip_events';

const COMMON = { user: 'string', trip: 'string', time: 'timestamp', arrival: 'timestamp', lat: 'double', lon: 'double', speed: 'double' } as const;
export const gpsSchema = COMMON;
export const tripEventsSchema = { ...COMMON, kind: 'string' } as const;

/** A row of either table. */
export interface TelemetryRow {
  user: string;
  trip: string;
  time: number;
  arrival: number;
  lat: number;
  lon: number;
  speed: number;
  kind?: string;
}

/** A row read back as the message it stores (`gps` rows have no kind column). */
export function rowToGpsEvent(row: Record<string, unknown>): GpsEvent {
  return {
    user: row['user'] as string,
    trip: row['trip'] as string,
    kind: ((row['kind'] as GpsEvent['kind'] | undefined) ?? 'gps'),
    time: Number(row['time']),
    lat: row['lat'] as number,
    lon: row['lon'] as number,
    speed: row['speed'] as number,
  };
}

export interface WarehouseLayoutOptions {
  /** Files per hourly partition of `gps` (rows dealt round robin). */
  readonly gpsFilesPerHour: number;
  /** Files per hourly partition of `trip_events`. */
  readonly tripFilesPerHour: number;
}

export interface WarehouseSummary {
  readonly root: string;
  readonly tables: Readonly<Record<string, { partitions: number; files: number; rows: number }>>;
  /** Rows stored in a later hour than their event time's (backward skew). */
  readonly skewedRows: number;
  /** Whether it was written now (false: an identical one was already there). */
  readonly written: boolean;
}

const MANIFEST = '_telemetry.json';

/**
 * Writes the two tables under `root`, or keeps an existing warehouse written with the same
 * options (a `_telemetry.json` manifest, ignored by discovery, says which). A warehouse written
 * with other options is replaced; a non-empty directory without the manifest is never touched.
 */
export async function writeTelemetryWarehouse(
  root: string,
  options: Partial<TelemetryOptions> & Partial<WarehouseLayoutOptions> = {},
): Promise<WarehouseSummary> {
  // A local folder or a URL such as s3://bucket/prefix: everything goes through io/storage.
  root = toStoragePath(root);
  const storage = storageFor(root);
  const o = { ...telemetryDefaults, gpsFilesPerHour: 4, tripFilesPerHour: 2, ...options };
  const manifest = JSON.stringify(o);
  const manifestPath = joinPath(root, MANIFEST);
  let existing: { options: string; summary: WarehouseSummary } | undefined;
  try {
    existing = JSON.parse(new TextDecoder().decode(await storage.read(manifestPath))) as { options: string; summary: WarehouseSummary };
  } catch (err) {
    if (!isNotFound(err) && !(err instanceof SyntaxError)) throw err; // no manifest: not a generated warehouse
  }
  if (existing?.options === manifest) return { ...existing.summary, root, written: false };
  if (!existing && (await hasObjects(root))) {
    throw new StorageError({
      path: root,
      operation: 'write',
      problem: 'invalid-path',
      detail: `exists and was not written by writeTelemetryWarehouse (no ${MANIFEST}); refusing to replace it`,
      hint: 'pick another directory',
    });
  }
  await removeAll(root);
  // Marked as ours before any file is written: a run interrupted half-way gets replaced next time.
  await storage.write(manifestPath, new TextEncoder().encode(JSON.stringify({ options: 'incomplete' })));
  const arrivals = generateTelemetry(o);
  const byPartition = new Map<string, TelemetryRow[]>();
  let skewedRows = 0;
  for (const a of arrivals) {
    const e = a.value;
    const table = e.kind === 'gps' ? GPS_TABLE : TRIP_EVENTS_TABLE;
    const hour = Math.floor(a.arrival / HOUR) * HOUR;
    if (hour !== Math.floor(a.timestamp / HOUR) * HOUR) skewedRows++;
    const iso = new Date(hour).toISOString();
    const key = `${table}/dt=${iso.slice(0, 10)}/hr=${iso.slice(11, 13)}`;
    let rows = byPartition.get(key);
    if (!rows) byPartition.set(key, (rows = []));
    const row: TelemetryRow = { user: e.user, trip: e.trip, time: e.time, arrival: a.arrival, lat: e.lat, lon: e.lon, speed: e.speed };
    if (table === TRIP_EVENTS_TABLE) row.kind = e.kind;
    rows.push(row);
  }
  const tables: Record<string, { partitions: number; files: number; rows: number }> = {
    [GPS_TABLE]: { partitions: 0, files: 0, rows: 0 },
    [TRIP_EVENTS_TABLE]: { partitions: 0, files: 0, rows: 0 },
  };
  for (const [key, rows] of [...byPartition].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const table = key.slice(0, key.indexOf('/'));
    const n = Math.min(rows.length, table === GPS_TABLE ? o.gpsFilesPerHour : o.tripFilesPerHour);
    const dir = joinPath(root, key);
    const t = tables[table]!;
    t.partitions++;
    t.rows += rows.length;
    t.files += n;
    const schema = table === GPS_TABLE ? gpsSchema : tripEventsSchema;
    await Promise.all(Array.from({ length: n }, (_, f) => writeParquet(joinPath(dir, `part-${String(f).padStart(5, '0')}.parquet`), rows.filter((_, i) => i % n === f), { schema })));
  }
  const summary: WarehouseSummary = { root, tables, skewedRows, written: true };
  await storage.write(manifestPath, new TextEncoder().encode(JSON.stringify({ options: manifest, summary }, null, 2)));
  return summary;
}

/** Whether anything is stored below `root` (a missing folder or prefix holds nothing). */
async function hasObjects(root: string): Promise<boolean> {
  try {
    for await (const _ of storageFor(root).list(root)) return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
  return false;
}

/** Removes a generated warehouse: the folder tree on local disk, every object below the prefix elsewhere. */
async function removeAll(root: string): Promise<void> {
  if (root.startsWith('/')) {
    await rm(root, { recursive: true, force: true });
    return;
  }
  const storage = storageFor(root);
  const paths: string[] = [];
  for await (const e of storage.list(root)) if (!e.isDirectory) paths.push(e.path);
  for (const path of paths) await storage.delete(path);
}

// --- the live feed ----------------------------------------------------------------------

/**
 * The messages in arrival order, as a live feed delivers them. Before each message, a heartbeat
 * for every multiple of `heartbeatEvery` the feed's clock passed since the previous one: the
 * clock is the arrival time, and no later message arrives before it.
 */
export function* liveFeed(
  arrivals: readonly Arrival<GpsEvent>[],
  options: { readonly heartbeatEvery?: Duration; readonly until?: number } = {},
): Generator<GpsEvent | LiveHeartbeat> {
  const every = options.heartbeatEvery ?? Duration.seconds(5);
  const sorted = [...arrivals].sort((a, b) => a.arrival - b.arrival || a.timestamp - b.timestamp);
  let tick: number | undefined;
  function* ticksTo(now: number): Generator<LiveHeartbeat> {
    if (tick === undefined) tick = now;
    while (tick < now) {
      tick += every;
      yield LiveSource.heartbeat(tick);
    }
  }
  for (const a of sorted) {
    yield* ticksTo(Math.floor(a.arrival / every) * every);
    yield a.value;
  }
  // The feed's clock runs on after the last message, up to `until`.
  if (options.until !== undefined) yield* ticksTo(Math.floor(options.until / every) * every);
}

/** The end of the telemetry's last day: a live feed of it runs that long. */
export function telemetryEnd(options: Partial<TelemetryOptions> = {}): number {
  const o = { ...telemetryDefaults, ...options };
  return o.start + o.days * DAY;
}
