/**
 * Write benchmark: rows/s writing telemetry rows (8 columns, snappy) with
 *  - Tributary's writer (hyparquet-writer underneath: row validation, column buffers, atomic commit),
 *  - hyparquet-writer directly in a plain loop (rows transposed to columns, one parquetWriteBuffer),
 *  - parquetjs-lite (appendRow, `pageIndex: false` so that other readers accept the file).
 * Each case runs in a fresh child process; every file written is read back to check the row count.
 *
 *   npx tsx bench/io/parquet-write.ts [--rows=200000] [--lite-rows=50000]
 *
 * Prints {case, elementsPerSec, plainElementsPerSec, ratio, peakRssMb, plainPeakRssMb, parquetjsLiteElementsPerSec}.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { toSchemaElements, writeParquet } from '../../io/parquet/index.js';
import { TelemetrySchema, telemetryRows, type Telemetry } from './lib/telemetry.js';
import { arg } from '../args.js';

type Impl = 'tributary' | 'plain' | 'parquetjs-lite';

function rowsOf(n: number): Telemetry[] {
  const out: Telemetry[] = [];
  for (let f = 0; out.length < n; f++) for (const r of telemetryRows(0, f, Math.min(50_000, n - out.length))) out.push(r);
  return out;
}

async function writeWith(impl: Impl, rows: Telemetry[], path: string): Promise<void> {
  if (impl === 'tributary') {
    await writeParquet(path, rows, { schema: TelemetrySchema, compression: 'snappy', rowGroupSize: 50_000 });
  } else if (impl === 'plain') {
    const n = rows.length;
    const user = new Int32Array(n);
    const session = new Array<string>(n);
    const ts = new BigInt64Array(n);
    const lat = new Float64Array(n);
    const lon = new Float64Array(n);
    const speed = new Float32Array(n);
    const accel = new Float32Array(n);
    const event = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      user[i] = r.user_id;
      session[i] = r.session_id;
      ts[i] = BigInt(r.ts);
      lat[i] = r.lat;
      lon[i] = r.lon;
      speed[i] = r.speed;
      accel[i] = r.accel;
      event[i] = r.event;
    }
    const buf = parquetWriteBuffer({
      schema: toSchemaElements(TelemetrySchema),
      codec: 'SNAPPY',
      rowGroupSize: 50_000,
      columnData: [
        { name: 'user_id', data: user },
        { name: 'session_id', data: session },
        { name: 'ts', data: ts },
        { name: 'lat', data: lat },
        { name: 'lon', data: lon },
        { name: 'speed', data: speed },
        { name: 'accel', data: accel },
        { name: 'event', data: event },
      ],
    });
    writeFileSync(path, new Uint8Array(buf));
  } else {
    const parquet = createRequire(import.meta.url)('parquetjs-lite');
    const schema = new parquet.ParquetSchema({
      user_id: { type: 'INT32', compression: 'SNAPPY' },
      session_id: { type: 'UTF8', compression: 'SNAPPY' },
      ts: { type: 'TIMESTAMP_MILLIS', compression: 'SNAPPY' },
      lat: { type: 'DOUBLE', compression: 'SNAPPY' },
      lon: { type: 'DOUBLE', compression: 'SNAPPY' },
      speed: { type: 'FLOAT', compression: 'SNAPPY' },
      accel: { type: 'FLOAT', compression: 'SNAPPY' },
      event: { type: 'UTF8', compression: 'SNAPPY' },
    });
    const writer = await parquet.ParquetWriter.openFile(schema, path, { rowGroupSize: 50_000, pageIndex: false });
    for (const r of rows) await writer.appendRow({ ...r, ts: new Date(r.ts) });
    await writer.close();
  }
}

function runChild(impl: Impl, rows: number): { seconds: number; peakRssMb: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), `--child=${impl}`, `--rows=${rows}`], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

export async function run(rows = 200_000, liteRows = 50_000): Promise<object> {
  const t = runChild('tributary', rows);
  const p = runChild('plain', rows);
  const l = runChild('parquetjs-lite', liteRows);
  const line = {
    case: 'io.parquet-write',
    elementsPerSec: Math.round(rows / t.seconds),
    plainElementsPerSec: Math.round(rows / p.seconds),
    ratio: +(p.seconds / t.seconds).toFixed(3),
    peakRssMb: t.peakRssMb,
    plainPeakRssMb: p.peakRssMb,
    parquetjsLiteElementsPerSec: Math.round(liteRows / l.seconds),
    parquetjsLitePeakRssMb: l.peakRssMb,
  };
  console.log(JSON.stringify(line));
  return line;
}

const child = arg('child') as Impl | undefined;
if (child) {
  const n = Number(arg('rows'));
  const rows = rowsOf(n);
  const dir = mkdtempSync(join(tmpdir(), 'tributary-wbench-'));
  const path = join(dir, 'f.parquet');
  try {
    const t0 = performance.now();
    await writeWith(child, rows, path);
    const seconds = (performance.now() - t0) / 1000;
    const bytes = readFileSync(path);
    const written = Number(parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer).num_rows);
    if (written !== n) throw new Error(`${child} wrote ${written} rows, expected ${n}`);
    console.log(JSON.stringify({ seconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else if (import.meta.url === `file://${process.argv[1]}`) {
  await run(Number(arg('rows') ?? 200_000), Number(arg('lite-rows') ?? 50_000));
}
