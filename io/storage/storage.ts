/**
 * The storage interface every connector reads and writes through. Backends (local disk, S3,
 * memory) implement it; `index.ts` picks one by the path's scheme. Paths are always full paths in
 * the backend's own form (`/data/t/a.parquet`, `s3://bucket/t/a.parquet`, `mem://t/a.parquet`).
 */
import { StorageError } from './errors.js';

/** One entry of a listing. Directories appear only where the backend has them (local disk, S3 `key/` markers). */
export interface ListEntry {
  path: string;
  size: number;
  isDirectory: boolean;
}

export interface ListOptions {
  /** Entries fetched per request (S3 `MaxKeys`, local directory read batch). Default 1000. */
  pageSize?: number;
}

export interface ObjectStat {
  path: string;
  size: number;
  modified?: Date;
}

/** Bytes to write: all at once, or as a stream of chunks (the object becomes visible only after the last chunk). */
export type WriteData = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** Counters a test or a benchmark can read to see what a backend actually did. */
export interface StorageMetrics {
  listRequests: number;
  readRequests: number;
  bytesRead: number;
  writeRequests: number;
  bytesWritten: number;
}

export type ValidateMode = 'read' | 'write';

export interface Storage {
  /** `file`, `s3` or `mem`. */
  readonly scheme: string;
  readonly metrics: StorageMetrics;

  /**
   * Every object below `prefix`, recursively, treating `prefix` as a directory (a trailing `/` is
   * implied). Ordered by path. A prefix with nothing below it yields nothing; a missing bucket throws.
   */
  list(prefix: string, options?: ListOptions): AsyncIterable<ListEntry>;
  /** Size of one object; throws StorageError `not-found` when absent. */
  stat(path: string): Promise<ObjectStat>;
  exists(path: string): Promise<boolean>;
  /**
   * `length` bytes from `offset`: fewer at the end of the object, none past it. Memory is bounded
   * by the object's real size whatever `length` claims (a corrupt Parquet footer may claim
   * gigabytes), and large ranges are fetched in pieces of at most `RANGE_PIECE` bytes.
   */
  readRange(path: string, offset: number, length: number): Promise<Uint8Array>;
  /**
   * Optional: the object opened once for many ranged reads (a local file handle), closed by the
   * caller. Backends without it get a reader that issues one `readRange` per slice.
   */
  openRanged?(path: string, size: number): Promise<ClosableRangedReader>;
  read(path: string): Promise<Uint8Array>;
  /** The object's bytes as a stream of chunks, never holding the whole object. */
  readStream(path: string): AsyncIterable<Uint8Array>;
  /** Atomic: readers see either no object (or the previous one) or the complete new one. */
  write(path: string, data: WriteData): Promise<void>;
  /** Deleting an absent object is not an error. */
  delete(path: string): Promise<void>;
  /**
   * Moves an object to `to` (same backend), replacing what is there; durable when it returns.
   * Local disk renames (atomic); S3 copies then deletes, so a crash in between leaves both
   * (moving again is harmless: the same bytes are copied over the same object).
   */
  move(from: string, to: string): Promise<void>;
  /**
   * Deletes everything below `prefix` (a directory), including what `list` does not show — a
   * local write's unfinished temporary file left by a killed process; returns how many objects
   * went. A prefix with nothing below it is not an error.
   */
  deleteAll(prefix: string): Promise<number>;
  /**
   * Checks, before a pipeline starts, that `path` can be used: for `read`, that the bucket/directory
   * exists and the credentials work; for `write`, that the bucket exists or the directory can be created.
   */
  validate(path: string, mode?: ValidateMode): Promise<void>;
}

/** Largest single read or request a backend issues for one range; longer ranges are read in pieces. */
export const RANGE_PIECE = 8 * 1024 * 1024;

/** Rejects offsets and lengths that are not non-negative safe integers (NaN, negative, 2^64 from a corrupt footer). */
export function checkRange(path: string, offset: number, length: number): void {
  for (const [what, v] of [['offset', offset], ['length', length]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new StorageError({ path, operation: 'read', problem: 'invalid-range', detail: `ranged read with ${what} ${v}` });
    }
  }
}

export function newMetrics(): StorageMetrics {
  return { listRequests: 0, readRequests: 0, bytesRead: 0, writeRequests: 0, bytesWritten: 0 };
}

/** hyparquet's `AsyncBuffer`: a byte length and ranged reads. */
export interface RangedReader {
  byteLength: number;
  slice(start: number, end?: number): Promise<ArrayBuffer>;
}

/** A ranged reader holding something open (a file handle) until `close`. */
export interface ClosableRangedReader extends RangedReader {
  /** Releases what the reader holds; later slices fail. Closing twice is harmless. */
  close(): Promise<void>;
}

export interface RangedReaderOptions {
  /** Known object size (saves a stat request). */
  size?: number;
  /**
   * Objects no larger than this are fetched with one request and served from memory. Default 0
   * (always ranged). A reader that keeps "a few row groups" in memory may set this to a few MB.
   */
  wholeObjectBelow?: number;
}

/**
 * A ranged reader over one object, suitable as a hyparquet `AsyncBuffer`; `close` it when done
 * (a backend with `openRanged` keeps the object open in between: one open per file, not per read).
 */
export async function rangedReader(storage: Storage, path: string, options: RangedReaderOptions = {}): Promise<ClosableRangedReader> {
  const size = options.size ?? (await storage.stat(path)).size;
  if (options.wholeObjectBelow !== undefined && size <= options.wholeObjectBelow) {
    let whole: Promise<Uint8Array> | undefined;
    return {
      byteLength: size,
      async slice(start, end = size) {
        whole ??= storage.read(path);
        const bytes = await whole;
        return toArrayBuffer(bytes.subarray(start, end));
      },
      close: async () => {},
    };
  }
  if (storage.openRanged) return storage.openRanged(path, size);
  return {
    byteLength: size,
    async slice(start, end = size) {
      const [from, to] = clampSlice(size, start, end);
      return toArrayBuffer(await storage.readRange(path, from, to - from));
    },
    close: async () => {},
  };
}

/** Like ArrayBuffer.slice: a range reaching past the object is cut at its end. */
export function clampSlice(size: number, start: number, end: number = size): [number, number] {
  const from = Math.min(Math.max(0, start), size);
  return [from, Math.min(Math.max(from, end), size)];
}

/** An ArrayBuffer holding exactly these bytes (copies only when the view does not span its buffer). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    return bytes.buffer;
  }
  return bytes.slice().buffer as ArrayBuffer;
}

export async function* writeDataChunks(data: WriteData): AsyncIterable<Uint8Array> {
  if (data instanceof Uint8Array) {
    yield data;
    return;
  }
  for await (const chunk of data as AsyncIterable<Uint8Array>) yield chunk;
}

export function concatBytes(chunks: Uint8Array[], total?: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const size = total ?? chunks.reduce((n, c) => n + c.byteLength, 0);
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Joins path segments with single slashes, keeping a scheme's `//`. */
export function joinPath(base: string, ...parts: string[]): string {
  let out = base;
  for (const part of parts) {
    if (part === '') continue;
    out = `${out.replace(/\/+$/, '')}/${part.replace(/^\/+/, '')}`;
  }
  return out;
}

/** `prefix` as a directory: with exactly one trailing slash. */
export function asDirectory(prefix: string): string {
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}
