/**
 * S3 backend over `@aws-sdk/client-s3`. Paths are `s3://bucket/key`. Credentials and region come
 * from the SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE and the
 * shared config files, container/instance roles) unless given explicitly; `endpoint` and
 * `forcePathStyle` point it at an S3-compatible server. Writes use PutObject, or a multipart upload
 * above `partSize`: either way the object exists only once the upload completes.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { StorageError, type StorageOperation } from './errors.js';
import {
  checkRange,
  concatBytes,
  RANGE_PIECE,
  newMetrics,
  writeDataChunks,
  type ListEntry,
  type ListOptions,
  type ObjectStat,
  type Storage,
  type ValidateMode,
  type WriteData,
} from './storage.js';

export interface S3StorageOptions {
  /** e.g. `http://127.0.0.1:9000` for an S3-compatible server. Default: AWS (or AWS_ENDPOINT_URL_S3). */
  endpoint?: string;
  /** Default: AWS_REGION / the profile's region, else `us-east-1`. */
  region?: string;
  /** Address buckets as `endpoint/bucket/key` (needed by most S3-compatible servers). */
  forcePathStyle?: boolean;
  /** Explicit credentials; default is the SDK's chain (environment variables, profiles, roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** A named profile from ~/.aws/config (same as AWS_PROFILE). */
  profile?: string;
  /** Multipart part size in bytes, at least 5 MiB. Default 8 MiB. */
  partSize?: number;
  /** Use an existing client instead of building one. */
  client?: S3Client;
}

export interface S3Location {
  bucket: string;
  key: string;
}

export function parseS3Path(path: string): S3Location {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(path);
  if (!m) {
    throw new StorageError({ path, operation: 'resolve', problem: 'invalid-path', detail: 'not an s3://bucket/key path', hint: 'Write S3 paths as s3://bucket/prefix' });
  }
  return { bucket: m[1]!, key: m[2]! };
}

const MIN_PART = 5 * 1024 * 1024;

export class S3Storage implements Storage {
  readonly scheme = 's3';
  readonly metrics = newMetrics();
  readonly client: S3Client;
  private readonly partSize: number;
  /** Where requests go, for error messages: the endpoint option, AWS_ENDPOINT_URL_S3, or AWS. */
  private readonly endpoint: string;

  constructor(options: S3StorageOptions = {}) {
    this.endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL ?? 'AWS S3';
    this.partSize = Math.max(MIN_PART, options.partSize ?? 8 * 1024 * 1024);
    if (options.client) {
      this.client = options.client;
    } else {
      const config: S3ClientConfig = {
        region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      };
      if (options.endpoint) config.endpoint = options.endpoint;
      if (options.forcePathStyle !== undefined) config.forcePathStyle = options.forcePathStyle;
      if (options.credentials) config.credentials = options.credentials;
      if (options.profile) config.profile = options.profile;
      this.client = new S3Client(config);
    }
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ListEntry> {
    const { bucket, key } = parseS3Path(prefix);
    const dirKey = key === '' || key.endsWith('/') ? key : `${key}/`;
    const pageSize = Math.max(1, Math.min(1000, options.pageSize ?? 1000));
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: dirKey, MaxKeys: pageSize, ContinuationToken: token }),
        );
      } catch (err) {
        throw wrap(err, prefix, 'list', this.endpoint);
      }
      this.metrics.listRequests++;
      for (const obj of page.Contents ?? []) {
        if (obj.Key === undefined || obj.Key === dirKey) continue;
        const isDirectory = obj.Key.endsWith('/');
        yield { path: `s3://${bucket}/${obj.Key}`, size: obj.Size ?? 0, isDirectory };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async stat(path: string): Promise<ObjectStat> {
    const { bucket, key } = parseS3Path(path);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { path, size: head.ContentLength ?? 0, modified: head.LastModified };
    } catch (err) {
      throw await this.wrapHead(err, path, 'stat', bucket);
    }
  }

  async exists(path: string): Promise<boolean> {
    try {
      await this.stat(path);
      return true;
    } catch (err) {
      if (err instanceof StorageError && err.problem === 'not-found') return false;
      throw err;
    }
  }

  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    checkRange(path, offset, length);
    const { bucket, key } = parseS3Path(path);
    // one GET per piece: a claimed length past the object's end costs one short response, not a
    // buffer of the claimed size
    const pieces: Uint8Array[] = [];
    let got = 0;
    while (got < length) {
      const want = Math.min(RANGE_PIECE, length - got);
      const from = offset + got;
      let bytes: Uint8Array;
      try {
        const res = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${from}-${from + want - 1}` }));
        bytes = await res.Body!.transformToByteArray();
      } catch (err) {
        if (isInvalidRange(err)) break; // the range starts at or past the end of the object
        throw wrap(err, path, 'read', this.endpoint);
      }
      this.metrics.readRequests++;
      this.metrics.bytesRead += bytes.byteLength;
      pieces.push(bytes);
      got += bytes.byteLength;
      if (bytes.byteLength < want) break; // end of the object
    }
    return pieces.length === 0 ? new Uint8Array(0) : concatBytes(pieces, got);
  }

  async read(path: string): Promise<Uint8Array> {
    const { bucket, key } = parseS3Path(path);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const bytes = await res.Body!.transformToByteArray();
      this.metrics.readRequests++;
      this.metrics.bytesRead += bytes.byteLength;
      return bytes;
    } catch (err) {
      throw wrap(err, path, 'read', this.endpoint);
    }
  }

  async *readStream(path: string): AsyncIterable<Uint8Array> {
    const { bucket, key } = parseS3Path(path);
    let body: AsyncIterable<Uint8Array>;
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      body = res.Body as unknown as AsyncIterable<Uint8Array>;
    } catch (err) {
      throw wrap(err, path, 'read', this.endpoint);
    }
    this.metrics.readRequests++;
    for await (const chunk of body) {
      this.metrics.bytesRead += chunk.byteLength;
      yield chunk;
    }
  }

  async write(path: string, data: WriteData): Promise<void> {
    const { bucket, key } = parseS3Path(path);
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let uploadId: string | undefined;
    const parts: { PartNumber: number; ETag: string }[] = [];
    const flushPart = async () => {
      const body = concatBytes(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      uploadId ??= (await this.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }))).UploadId!;
      const partNumber = parts.length + 1;
      const res = await this.client.send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body }),
      );
      parts.push({ PartNumber: partNumber, ETag: res.ETag! });
      this.metrics.writeRequests++;
    };
    try {
      for await (const chunk of writeDataChunks(data)) {
        pending.push(chunk);
        pendingBytes += chunk.byteLength;
        this.metrics.bytesWritten += chunk.byteLength;
        if (pendingBytes >= this.partSize) await flushPart();
      }
      if (uploadId === undefined) {
        await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: concatBytes(pending, pendingBytes) }));
        this.metrics.writeRequests++;
        return;
      }
      if (pendingBytes > 0) await flushPart();
      await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
      );
    } catch (err) {
      if (uploadId !== undefined) {
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => {});
      }
      throw wrap(err, path, 'write', this.endpoint);
    }
  }

  async delete(path: string): Promise<void> {
    const { bucket, key } = parseS3Path(path);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (err) {
      throw wrap(err, path, 'delete', this.endpoint);
    }
  }

  async deleteAll(prefix: string): Promise<number> {
    let n = 0;
    for await (const e of this.list(prefix)) {
      await this.delete(e.path);
      n++;
    }
    return n;
  }

  async move(from: string, to: string): Promise<void> {
    const src = parseS3Path(from);
    const dst = parseS3Path(to);
    try {
      await this.client.send(new CopyObjectCommand({ Bucket: dst.bucket, Key: dst.key, CopySource: `${src.bucket}/${encodeURIComponent(src.key).replace(/%2F/g, '/')}` }));
      this.metrics.writeRequests++;
      await this.client.send(new DeleteObjectCommand({ Bucket: src.bucket, Key: src.key }));
    } catch (err) {
      throw wrap(err, from, 'move', this.endpoint);
    }
  }

  async validate(path: string, mode: ValidateMode = 'read'): Promise<void> {
    const { bucket, key } = parseS3Path(path);
    try {
      if (mode === 'read') {
        // One cheap request that checks the bucket, the credentials and list permission — and
        // that something is there: S3 has no directories, so a mistyped prefix lists nothing
        // and would read as an empty table (local disk fails on a missing directory; so do we).
        const dirKey = key === '' || key.endsWith('/') ? key : `${key}/`;
        const page = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: dirKey, MaxKeys: 1 }));
        this.metrics.listRequests++;
        if ((page.KeyCount ?? page.Contents?.length ?? 0) > 0) return;
        if (key !== dirKey && (await this.exists(path))) return;
        throw new StorageError({
          path,
          operation: 'validate',
          problem: 'not-found',
          detail: `no object at or below this prefix in bucket "${bucket}"`,
          hint: 'Check the prefix (S3 keys are case-sensitive and have no directories: a mistyped prefix simply lists nothing)',
        });
      } else {
        await this.client.send(new HeadBucketCommand({ Bucket: bucket }));
      }
    } catch (err) {
      throw await this.wrapHead(err, path, 'validate', bucket);
    }
  }

  /** HEAD responses carry no error code: a 404 may mean a missing key or a missing bucket. */
  private async wrapHead(err: unknown, path: string, operation: StorageOperation, bucket: string): Promise<StorageError> {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) {
      const bucketExists = await this.client
        .send(new HeadBucketCommand({ Bucket: bucket }))
        .then(() => true, () => false);
      if (!bucketExists) return bucketMissing(path, operation, bucket, err);
    }
    return wrap(err, path, operation, this.endpoint);
  }
}

function bucketMissing(path: string, operation: StorageOperation, bucket: string, cause: unknown): StorageError {
  return new StorageError({ path, operation, problem: 'bucket-not-found', detail: `bucket "${bucket}" does not exist`, cause });
}

/** S3 answers 416 InvalidRange to a range that starts past the end of the object. */
function isInvalidRange(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return e.$metadata?.httpStatusCode === 416 || (e.Code ?? e.name) === 'InvalidRange';
}

/** Network errors that mean the endpoint cannot be reached at all. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

function wrap(err: unknown, path: string, operation: StorageOperation, endpoint: string): StorageError {
  if (err instanceof StorageError) return err;
  const e = err as { name?: string; Code?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const code = e.Code ?? e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  // Checked before any HTTP status: these never reached a server, or never signed a request.
  if (e.code !== undefined && UNREACHABLE.has(e.code)) {
    return new StorageError({ path, operation, problem: 'unreachable', detail: `cannot reach the S3 endpoint ${endpoint} (${e.code})`, cause: err });
  }
  if (code === 'CredentialsProviderError') {
    return new StorageError({ path, operation, problem: 'no-credentials', detail: 'no S3 credentials found (the AWS SDK looked in the environment, the shared config files and instance roles)', cause: err });
  }
  if (code === 'NoSuchBucket') {
    return bucketMissing(path, operation, parseS3Path(path).bucket, err);
  }
  if (code === 'NoSuchKey' || code === 'NotFound' || status === 404) {
    return new StorageError({ path, operation, problem: 'not-found', detail: 'no such object', cause: err });
  }
  if (
    status === 403 ||
    code === 'InvalidAccessKeyId' ||
    code === 'SignatureDoesNotMatch' ||
    code === 'AccessDenied' ||
    code === 'ExpiredToken'
  ) {
    return new StorageError({ path, operation, problem: 'access-denied', detail: `credentials rejected (${code || status})`, cause: err });
  }
  return new StorageError({ path, operation, problem: 'io', detail: `${code ? `${code}: ` : ''}${e.message ?? String(err)}`, cause: err });
}
