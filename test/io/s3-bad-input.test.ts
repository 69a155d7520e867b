/**
 * S3 input that used to pass silently or fail without a hint, against the real S3-protocol server
 * the tests start: a missing prefix (0 rows, exit 0 before; local disk failed), no credentials at
 * all (was "credentials rejected"), a refused connection (was a bare ECONNREFUSED).
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KappaReplay } from '../../io/kappa/index.js';
import { writeParquet } from '../../io/parquet/write.js';
import { S3Storage, StorageError, configureStorage } from '../../io/storage/index.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { Pipeline } from '../../sdk/index.js';
import { startS3Server, type S3TestServer } from '../servers/s3/server.js';

let srv: S3TestServer;
beforeAll(async () => {
  srv = await startS3Server({ buckets: ['bad-input'] });
  configureStorage({ s3: srv.options });
  await writeParquet('s3://bad-input/wh/clicks/dt=2024-01-01/hr=00/f.parquet', [{ ts: Date.UTC(2024, 0, 1, 0, 10), key: 'a' }], { schema: { ts: 'timestamp', key: 'string' } });
});
afterAll(async () => {
  configureStorage({});
  await srv?.stop();
});

async function errorOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => undefined, (e: unknown) => e);
}

function storageErrorIn(err: unknown): StorageError {
  for (let cur = err; cur instanceof Error; cur = cur.cause) if (cur instanceof StorageError) return cur;
  throw new Error(`expected a StorageError in the failure, got ${String(err)}`);
}

describe('a missing S3 prefix', () => {
  it('fails validation like a missing local directory, naming the prefix and what to check', async () => {
    const s = new S3Storage(srv.options);
    const err = storageErrorIn(await errorOf(s.validate('s3://bad-input/wh/clickz', 'read')));
    expect(err.problem).toBe('not-found');
    expect(err.message).toBe(
      'validate s3://bad-input/wh/clickz: no object at or below this prefix in bucket "bad-input". ' +
        'Check the prefix (S3 keys are case-sensitive and have no directories: a mistyped prefix simply lists nothing)',
    );
    // a prefix that is only the start of another key is not a match
    expect(storageErrorIn(await errorOf(s.validate('s3://bad-input/wh/cli', 'read'))).problem).toBe('not-found');
    await s.validate('s3://bad-input/wh/clicks', 'read');
    await s.validate('s3://bad-input/wh/clicks/', 'read');
    await s.validate('s3://bad-input/wh/clicks/dt=2024-01-01/hr=00/f.parquet', 'read');
  });

  it('fails a replay before any row instead of reading nothing', async () => {
    const p = new Pipeline();
    p.apply(KappaReplay.read({ table: 's3://bad-input/wh/clickz', timestampColumn: 'ts' }));
    const err = await errorOf(new DirectRunner().run(p).waitUntilFinish());
    expect(storageErrorIn(err).path).toBe('s3://bad-input/wh/clickz');
    const ok = new Pipeline();
    ok.apply(KappaReplay.read({ table: 's3://bad-input/wh/clicks', timestampColumn: 'ts' }));
    const result = new DirectRunner().run(ok);
    await result.waitUntilFinish();
    expect(result.metrics().counter('rows')).toBe(1);
  });
});

describe('credentials and connections', () => {
  const saved: Record<string, string | undefined> = {};
  const CLEARED = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI'];
  const SET = { AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_CONFIG_FILE: '/nonexistent/config', AWS_EC2_METADATA_DISABLED: 'true' };
  beforeAll(() => {
    for (const k of [...CLEARED, ...Object.keys(SET)]) saved[k] = process.env[k];
    for (const k of CLEARED) delete process.env[k];
    Object.assign(process.env, SET);
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('no credentials anywhere: says none were found and where to put them (not "rejected")', async () => {
    const s = new S3Storage({ endpoint: srv.endpoint, forcePathStyle: true, region: 'us-east-1' });
    const err = storageErrorIn(await errorOf(s.validate('s3://bad-input/wh/clicks', 'read')));
    expect(err.problem).toBe('no-credentials');
    expect(err.message).toBe(
      'validate s3://bad-input/wh/clicks: no S3 credentials found (the AWS SDK looked in the environment, the shared config files and instance roles). ' +
        'Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or pass credentials in configureStorage({ s3: { credentials } })',
    );
  });

  it('a refused connection names the endpoint and says to check the server', async () => {
    // A port that was just free: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const p = (server.address() as { port: number }).port;
        server.close(() => resolve(p));
      });
    });
    const s = new S3Storage({ ...srv.options, endpoint: `http://127.0.0.1:${port}` });
    for (const op of [() => s.validate('s3://bad-input/t', 'read'), () => s.read('s3://bad-input/t/x'), async () => { for await (const _ of s.list('s3://bad-input/t')) void _; }]) {
      const err = storageErrorIn(await errorOf(op()));
      expect(err.problem).toBe('unreachable');
      expect(err.message).toMatch(
        new RegExp(`: cannot reach the S3 endpoint http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)\\. Check that the server is running and that the endpoint option \\(or AWS_ENDPOINT_URL_S3\\) points at it$`),
      );
    }
  });
});
