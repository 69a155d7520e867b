/**
 * In-memory backend for unit tests: `mem://bucket/key`. Writes become visible only when the last
 * chunk has arrived, like the real backends. `buckets` (when given) makes other buckets "missing".
 */
import { StorageError } from './errors.js';
import {
  asDirectory,
  checkRange,
  concatBytes,
  newMetrics,
  writeDataChunks,
  type ListEntry,
  type ListOptions,
  type ObjectStat,
  type Storage,
  type ValidateMode,
  type WriteData,
} from './storage.js';

export class MemoryStorage implements Storage {
  readonly scheme = 'mem';
  readonly metrics = newMetrics();
  private readonly objects = new Map<string, Uint8Array>();
  private readonly buckets: Set<string> | undefined;

  constructor(options: { buckets?: string[] } = {}) {
    this.buckets = options.buckets ? new Set(options.buckets) : undefined;
  }

  private check(path: string, operation: 'list' | 'stat' | 'read' | 'write' | 'delete' | 'move' | 'validate'): void {
    const m = /^mem:\/\/([^/]+)/.exec(path);
    if (!m) throw new StorageError({ path, operation, problem: 'invalid-path', detail: 'not a mem://bucket/key path' });
    if (this.buckets && !this.buckets.has(m[1]!)) {
      throw new StorageError({ path, operation, problem: 'bucket-not-found', detail: `bucket "${m[1]}" does not exist` });
    }
  }

  private get(path: string, operation: 'stat' | 'read'): Uint8Array {
    this.check(path, operation);
    const bytes = this.objects.get(path);
    if (!bytes) throw new StorageError({ path, operation, problem: 'not-found', detail: 'no such object' });
    return bytes;
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ListEntry> {
    this.check(prefix, 'list');
    const dir = asDirectory(prefix);
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(dir)).sort();
    const pageSize = Math.max(1, options.pageSize ?? 1000);
    for (let i = 0; i < keys.length; i += pageSize) {
      this.metrics.listRequests++;
      for (const k of keys.slice(i, i + pageSize)) {
        yield { path: k, size: this.objects.get(k)?.byteLength ?? 0, isDirectory: k.endsWith('/') };
      }
    }
  }

  async stat(path: string): Promise<ObjectStat> {
    return { path, size: this.get(path, 'stat').byteLength };
  }

  async exists(path: string): Promise<boolean> {
    this.check(path, 'stat');
    return this.objects.has(path);
  }

  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    checkRange(path, offset, length);
    const bytes = this.get(path, 'read');
    const out = bytes.slice(offset, offset + Math.max(0, length));
    this.metrics.readRequests++;
    this.metrics.bytesRead += out.byteLength;
    return out;
  }

  async read(path: string): Promise<Uint8Array> {
    const bytes = this.get(path, 'read');
    this.metrics.readRequests++;
    this.metrics.bytesRead += bytes.byteLength;
    return bytes.slice();
  }

  async *readStream(path: string): AsyncIterable<Uint8Array> {
    const bytes = this.get(path, 'read');
    this.metrics.readRequests++;
    for (let at = 0; at < bytes.byteLength; at += 1 << 16) {
      const chunk = bytes.slice(at, at + (1 << 16));
      this.metrics.bytesRead += chunk.byteLength;
      yield chunk;
    }
  }

  async write(path: string, data: WriteData): Promise<void> {
    this.check(path, 'write');
    const chunks: Uint8Array[] = [];
    for await (const chunk of writeDataChunks(data)) chunks.push(chunk.slice());
    const bytes = concatBytes(chunks);
    this.objects.set(path, chunks.length === 0 ? new Uint8Array(0) : bytes);
    this.metrics.writeRequests++;
    this.metrics.bytesWritten += bytes.byteLength;
  }

  async delete(path: string): Promise<void> {
    this.check(path, 'delete');
    this.objects.delete(path);
  }

  async deleteAll(prefix: string): Promise<number> {
    this.check(prefix, 'delete');
    const dir = prefix.endsWith('/') ? prefix : `${prefix}/`;
    let n = 0;
    for (const k of [...this.objects.keys()]) if (k.startsWith(dir) && this.objects.delete(k)) n++;
    return n;
  }

  async move(from: string, to: string): Promise<void> {
    this.check(from, 'move');
    this.check(to, 'move');
    const bytes = this.objects.get(from);
    if (!bytes) throw new StorageError({ path: from, operation: 'move', problem: 'not-found', detail: 'no such object' });
    this.objects.set(to, bytes);
    this.objects.delete(from);
  }

  async validate(path: string, _mode: ValidateMode = 'read'): Promise<void> {
    this.check(path, 'validate');
  }
}
