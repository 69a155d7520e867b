/**
 * Storage layer: one interface (`storage.ts`) for listing, stat, ranged reads and atomic writes,
 * with backends chosen by the path's scheme:
 *
 *   /abs/path, file:///abs/path  → LocalStorage
 *   s3://bucket/prefix           → S3Storage (options from `configureStorage({ s3: … })`)
 *   mem://bucket/prefix          → MemoryStorage (tests)
 *
 * Imports nothing of Tributary outside `io/storage/` but `sdk/errors.ts` (its errors are TributaryErrors).
 */
import { resolve } from 'node:path';
import { StorageError } from './errors.js';
import { LocalStorage } from './local.js';
import { MemoryStorage } from './memory.js';
import { S3Storage, type S3StorageOptions } from './s3.js';
import type { Storage, ValidateMode } from './storage.js';

export * from './errors.js';
export * from './storage.js';
export { LocalStorage } from './local.js';
export { MemoryStorage } from './memory.js';
export { S3Storage, parseS3Path, type S3StorageOptions, type S3Location } from './s3.js';

export interface StorageConfig {
  s3?: S3StorageOptions;
  /** Backends to use for a scheme instead of the defaults (e.g. a shared MemoryStorage in tests). */
  backends?: Record<string, Storage>;
}

let config: StorageConfig = {};
const cache = new Map<string, Storage>();

/** Sets S3 options and backend overrides for every later `storageFor` call. */
export function configureStorage(next: StorageConfig): void {
  config = next;
  cache.clear();
}

/** The scheme of a path: `file` for absolute paths and file:// URLs, else the URL scheme. */
export function schemeOf(path: string): string {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(path);
  if (m) return m[1]!.toLowerCase();
  if (path.startsWith('/')) return 'file';
  throw new StorageError({ path, operation: 'resolve', problem: 'invalid-path', detail: 'relative paths are not supported' });
}

/**
 * A location a user typed (a flag, a config value) as a storage path: a URL (`s3://b/t`,
 * `file:///d`, `mem://b/t`) as it is, a local path made absolute against `cwd`. Never pass a URL
 * through `path.resolve`: it turns `s3://b/t` into a local folder `./s3:/b/t`.
 */
export function toStoragePath(path: string, cwd: string = process.cwd()): string {
  if (path === '') throw new StorageError({ path, operation: 'resolve', problem: 'invalid-path', detail: 'the path is empty' });
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(path) ? path : resolve(cwd, path);
}

/** The backend for `path`, by scheme. Throws StorageError `unknown-scheme` for anything else. */
export function storageFor(path: string, overrides: StorageConfig = {}): Storage {
  const scheme = schemeOf(path);
  const backends = { ...config.backends, ...overrides.backends };
  const given = backends[scheme];
  if (given) return given;
  const useCache = overrides.s3 === undefined;
  const cached = useCache ? cache.get(scheme) : undefined;
  if (cached) return cached;
  let storage: Storage;
  switch (scheme) {
    case 'file':
      storage = new LocalStorage();
      break;
    case 's3':
      storage = new S3Storage(overrides.s3 ?? config.s3);
      break;
    case 'mem':
      storage = new MemoryStorage();
      break;
    default:
      throw new StorageError({
        path,
        operation: 'resolve',
        problem: 'unknown-scheme',
        detail: `unknown scheme "${scheme}://"`,
      });
  }
  if (useCache) cache.set(scheme, storage);
  return storage;
}

/**
 * Checks at pipeline start that `path` is usable: known scheme, bucket or directory present,
 * credentials accepted. Throws a StorageError naming the path and what to do.
 */
export async function validate(path: string, mode: ValidateMode = 'read', overrides: StorageConfig = {}): Promise<void> {
  await storageFor(path, overrides).validate(path, mode);
}
