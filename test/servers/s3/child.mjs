// Runs s3rver (an S3-protocol server) on 127.0.0.1 with a random port, in its own process.
// Started by server.ts through child_process.fork with --openssl-legacy-provider: s3rver signs its
// ListObjectsV2 continuation tokens with DES, which Node's default OpenSSL 3 provider lacks.
// The process exits when its parent disconnects, so a crashed test run leaves nothing behind.
import S3rver from 's3rver';

const [directory, bucketsJson] = process.argv.slice(2);
const buckets = JSON.parse(bucketsJson ?? '[]');
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: buckets.map((name) => ({ name })),
});
const info = await server.run();
process.send?.({ port: info.port });
process.on('disconnect', () => {
  server.close().finally(() => process.exit(0));
});
process.on('message', (msg) => {
  if (msg === 'stop') server.close().finally(() => process.exit(0));
});
