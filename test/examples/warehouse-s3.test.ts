/**
 * The driving-score example with `--warehouse=s3://bucket/prefix`: the sample warehouse is written
 * to the real S3-protocol server the test starts and replayed from there (it used to be turned into
 * a local folder `./s3:/bucket/prefix`, written and read, and reported as success). The panes equal
 * those of the same warehouse on local disk.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrivingScore, gpsSource, options, telemetryOptions, type SessionScore } from '../../examples/driving-score.js';
import { CollectScores, comparePanes } from '../../examples/lib/panes.js';
import { writeTelemetryWarehouse } from '../../examples/lib/telemetry.js';
import { configureStorage, storageFor, toStoragePath } from '../../io/storage/index.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { ParDo, Pipeline } from '../../sdk/index.js';
import { parseOptions } from '../../sdk/options/index.js';
import { startS3Server, type S3TestServer } from '../servers/s3/server.js';

const SIZE = { days: 1, users: 2, trips: 1, seed: 3, sampleSeconds: 5 };
let srv: S3TestServer;
let local: string;
beforeAll(async () => {
  srv = await startS3Server({ buckets: ['warehouse'] });
  configureStorage({ s3: srv.options });
  local = await mkdtemp(join(tmpdir(), 'warehouse-local-'));
});
afterAll(async () => {
  configureStorage({});
  await srv?.stop();
  await rm(local, { recursive: true, force: true });
});

async function backfill(warehouse: string) {
  const opts = parseOptions(options, { ...SIZE, warehouse, mode: 'backfill' });
  const summary = await writeTelemetryWarehouse(opts.warehouse, telemetryOptions(opts));
  const scores: SessionScore[] = [];
  const p = new Pipeline();
  gpsSource(opts)(p).apply('DrivingScore', DrivingScore.fromOptions(opts)).scores.apply('Collect', ParDo.of(new CollectScores(scores)));
  const result = new DirectRunner().run(p);
  await result.waitUntilFinish();
  return { summary, scores, rows: result.metrics().counter('rows') };
}

describe('driving-score backfill with an s3:// warehouse', () => {
  it('toStoragePath keeps URLs and makes local paths absolute', () => {
    expect(toStoragePath('s3://b/wh')).toBe('s3://b/wh');
    expect(toStoragePath('file:///data/wh')).toBe('file:///data/wh');
    expect(toStoragePath('.demo', '/home/u')).toBe('/home/u/.demo');
    expect(() => toStoragePath('')).toThrow('resolve : the path is empty');
  });

  it('writes and replays the tables on S3, with the panes of the same warehouse on local disk', async () => {
    const onS3 = await backfill('s3://warehouse/demo');
    expect(onS3.summary.root).toBe('s3://warehouse/demo');
    expect(existsSync('s3:')).toBe(false); // no local folder named after the URL
    const objects: string[] = [];
    for await (const e of storageFor('s3://warehouse/demo').list('s3://warehouse/demo')) objects.push(e.path);
    expect(objects.some((p) => /^s3:\/\/warehouse\/demo\/gps\/dt=\d{4}-\d{2}-\d{2}\/hr=\d{2}\/part-00000\.parquet$/.test(p))).toBe(true);
    const t = onS3.summary.tables;
    expect(onS3.rows).toBe(t['gps']!.rows + t['trip_events']!.rows);
    expect(onS3.scores.length).toBeGreaterThan(0);

    const onDisk = await backfill(local);
    expect(comparePanes(onS3.scores, onDisk.scores).equal).toBe(true);

    // Written once: a second run with the same options keeps the S3 warehouse.
    expect((await writeTelemetryWarehouse('s3://warehouse/demo', telemetryOptions(parseOptions(options, { ...SIZE, mode: 'backfill' })))).written).toBe(false);
  });
});
