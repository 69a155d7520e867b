/**
 * Lifecycle of a real S3-protocol server for integration tests: `startS3Server()` forks
 * `child.mjs` (s3rver on 127.0.0.1, random port, data in a fresh temp directory) and resolves
 * once it listens; `stop()` shuts it down and removes the data.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** s3rver's fixed credentials. */
export const S3_TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface S3TestServer {
  endpoint: string;
  port: number;
  /** Options for `S3Storage` / `configureStorage({ s3 })`. */
  options: {
    endpoint: string;
    region: string;
    forcePathStyle: boolean;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  stop(): Promise<void>;
}

export async function startS3Server(opts: { buckets?: string[] } = {}): Promise<S3TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-s3-'));
  const child: ChildProcess = fork(
    fileURLToPath(new URL('./child.mjs', import.meta.url)),
    [dir, JSON.stringify(opts.buckets ?? [])],
    { execArgv: ['--openssl-legacy-provider'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`S3 test server exited with code ${code} before listening: ${stderr}`)));
    child.once('error', reject);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    options: { endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3_TEST_CREDENTIALS },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.send('stop');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
