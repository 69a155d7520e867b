import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Storage, StorageError, configureStorage, storageFor, validate } from '../../io/storage/index.js';
import { startS3Server, type S3TestServer } from '../servers/s3/server.js';
import { storageSuite } from './storage-suite.js';

let server: S3TestServer | undefined;
async function sharedServer(): Promise<S3TestServer> {
  server ??= await startS3Server({ buckets: ['tributary-test'] });
  return server;
}
afterAll(async () => {
  await server?.stop();
});

storageSuite(
  's3 (s3rver on 127.0.0.1)',
  async () => {
    const srv = await sharedServer();
    const storage = new S3Storage({ ...srv.options, partSize: 5 * 1024 * 1024 });
    return {
      storage,
      root: 's3://tributary-test/suite',
      missingBucketPath: 's3://no-such-bucket/table',
      teardown: async () => {},
    };
  },
  { buckets: true, pagedListing: true, multipart: true },
);

describe('s3 specifics', () => {
  let srv: S3TestServer;
  beforeAll(async () => {
    srv = await sharedServer();
  });

  it('rejects bad credentials at validation with what to do', async () => {
    const bad = new S3Storage({ ...srv.options, credentials: { accessKeyId: 'WRONG', secretAccessKey: 'WRONG' } });
    const err = await bad.validate('s3://tributary-test/t').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).message).toBe(
      'validate s3://tributary-test/t: credentials rejected (InvalidAccessKeyId). Check the credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or the credentials option',
    );
  });

  it('chooses the S3 backend by scheme with configured options', async () => {
    configureStorage({ s3: srv.options });
    try {
      expect(storageFor('s3://tributary-test/x')).toBeInstanceOf(S3Storage);
      await validate('s3://tributary-test/x', 'write');
      await expect(validate('s3://missing-bucket/x')).rejects.toThrow(
        'validate s3://missing-bucket/x: bucket "missing-bucket" does not exist. Create the bucket, or check the bucket name and the S3 endpoint/region options',
      );
    } finally {
      configureStorage({});
    }
  });
});
