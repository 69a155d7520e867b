/**
 * Local-disk backend. Paths are absolute (`/data/t`) or `file://` URLs. Writes go to a hidden
 * temporary file beside the target (`.name.tmp-…`, ignored by warehouse discovery) and are
 * renamed into place when complete, so a reader never sees a partial file.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { StorageError, type StorageOperation } from './errors.js';
import { syncDirectory } from '../../sdk/files/sync-directory.js';
import {
  asDirectory,
  checkRange,
  clampSlice,
  newMetrics,
  toArrayBuffer,
  type ClosableRangedReader,
  RANGE_PIECE,
  writeDataChunks,
  type ListEntry,
  type ListOptions,
  type ObjectStat,
  type Storage,
  type ValidateMode,
  type WriteData,
} from './storage.js';

export class LocalStorage implements Storage {
  readonly scheme = 'file';
  readonly metrics = newMetrics();

  /** The absolute filesystem path for `/abs/path` or `file:///abs/path`. */
  toFsPath(path: string): string {
    if (path.startsWith('file://')) return fileURLToPath(path);
    if (!nodePath.isAbsolute(path)) {
      throw new StorageError({ path, operation: 'resolve', problem: 'invalid-path', detail: 'a local path must be absolute' });
    }
    return path;
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ListEntry> {
    const root = this.toFsPath(prefix);
    const pageSize = Math.max(1, options.pageSize ?? 1000);
    const rootStat = await fs.stat(root).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw wrap(err, prefix, 'list');
    });
    if (!rootStat) return;
    if (!rootStat.isDirectory()) {
      throw new StorageError({ path: prefix, operation: 'list', problem: 'invalid-path', detail: 'not a directory', hint: 'List a directory (a table root or partition folder)' });
    }
    const outPrefix = asDirectory(prefix.startsWith('file://') ? root : prefix);
    yield* this.walk(root, outPrefix, pageSize);
  }

  private async *walk(dir: string, outDir: string, pageSize: number): AsyncIterable<ListEntry> {
    const names: { name: string; isDir: boolean }[] = [];
    let handle;
    try {
      handle = await fs.opendir(dir, { bufferSize: pageSize });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // removed while listing
      throw wrap(err, outDir, 'list');
    }
    this.metrics.listRequests++;
    for await (const d of handle) names.push({ name: d.name, isDir: d.isDirectory() });
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const { name, isDir } of names) {
      if (!isDir && isTempName(name)) continue; // an atomic write in flight
      const full = nodePath.join(dir, name);
      const out = outDir + name;
      if (isDir) {
        yield { path: `${out}/`, size: 0, isDirectory: true };
        yield* this.walk(full, `${out}/`, pageSize);
      } else {
        const st = await fs.stat(full).catch(() => undefined);
        if (st) yield { path: out, size: st.size, isDirectory: false };
      }
    }
  }

  async stat(path: string): Promise<ObjectStat> {
    try {
      const st = await fs.stat(this.toFsPath(path));
      if (st.isDirectory()) {
        throw new StorageError({ path, operation: 'stat', problem: 'invalid-path', detail: 'is a directory, not a file' });
      }
      return { path, size: st.size, modified: st.mtime };
    } catch (err) {
      throw wrap(err, path, 'stat');
    }
  }

  async exists(path: string): Promise<boolean> {
    try {
      await fs.access(this.toFsPath(path));
      return true;
    } catch {
      return false;
    }
  }

  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    checkRange(path, offset, length);
    if (length === 0) return new Uint8Array(0);
    let fh;
    try {
      fh = await fs.open(this.toFsPath(path), 'r');
      // allocate what the file holds, never what the caller claims (a corrupt footer may claim 4 GB)
      const size = (await fh.stat()).size;
      const want = Math.max(0, Math.min(length, size - offset));
      const buf = Buffer.allocUnsafeSlow(want);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await fh.read(buf, got, Math.min(RANGE_PIECE, want - got), offset + got);
        if (bytesRead === 0) break; // truncated since the stat
        got += bytesRead;
      }
      this.metrics.readRequests++;
      this.metrics.bytesRead += got;
      return got === want ? buf : buf.subarray(0, got);
    } catch (err) {
      throw wrap(err, path, 'read');
    } finally {
      await fh?.close();
    }
  }

  /**
   * One file handle for every ranged read of a file (a Parquet reader makes one per column chunk
   * of each row group: opening the file for each cost more than reading). The size is the one
   * known at open; a file that shrinks underneath returns fewer bytes, as `readRange` does.
   */
  async openRanged(path: string, size: number): Promise<ClosableRangedReader> {
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(this.toFsPath(path), 'r');
    } catch (err) {
      throw wrap(err, path, 'read');
    }
    const metrics = this.metrics;
    let closed: Promise<void> | undefined;
    return {
      byteLength: size,
      async slice(start, end = size) {
        if (closed) throw new StorageError({ path, operation: 'read', problem: 'io', detail: 'read after the reader was closed' });
        const [from, to] = clampSlice(size, start, end);
        const buf = Buffer.allocUnsafeSlow(to - from);
        let got = 0;
        try {
          while (got < buf.length) {
            const { bytesRead } = await fh.read(buf, got, Math.min(RANGE_PIECE, buf.length - got), from + got);
            if (bytesRead === 0) break; // truncated since it was opened
            got += bytesRead;
          }
        } catch (err) {
          throw wrap(err, path, 'read');
        }
        metrics.readRequests++;
        metrics.bytesRead += got;
        return toArrayBuffer(got === buf.length ? buf : buf.subarray(0, got));
      },
      close: () => (closed ??= fh.close().catch(() => undefined)),
    };
  }

  async read(path: string): Promise<Uint8Array> {
    try {
      const buf = await fs.readFile(this.toFsPath(path));
      this.metrics.readRequests++;
      this.metrics.bytesRead += buf.byteLength;
      return buf;
    } catch (err) {
      throw wrap(err, path, 'read');
    }
  }

  async *readStream(path: string): AsyncIterable<Uint8Array> {
    const fsPath = this.toFsPath(path);
    this.metrics.readRequests++;
    try {
      for await (const chunk of createReadStream(fsPath, { highWaterMark: 1 << 16 })) {
        this.metrics.bytesRead += (chunk as Buffer).byteLength;
        yield chunk as Buffer;
      }
    } catch (err) {
      throw wrap(err, path, 'read');
    }
  }

  async write(path: string, data: WriteData): Promise<void> {
    const target = this.toFsPath(path);
    const dir = nodePath.dirname(target);
    const tmp = nodePath.join(dir, `.${nodePath.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    let fh;
    try {
      await fs.mkdir(dir, { recursive: true });
      fh = await fs.open(tmp, 'wx');
      for await (const chunk of writeDataChunks(data)) {
        let at = 0;
        while (at < chunk.byteLength) {
          const { bytesWritten } = await fh.write(chunk, at, chunk.byteLength - at);
          at += bytesWritten;
        }
        this.metrics.bytesWritten += chunk.byteLength;
      }
      // Durable before it is visible: the bytes, then the rename (issue #19.4).
      await fh.sync();
      await fh.close();
      fh = undefined;
      await fs.rename(tmp, target);
      await syncDirectory(dir);
      this.metrics.writeRequests++;
    } catch (err) {
      await fh?.close().catch(() => {});
      await fs.rm(tmp, { force: true }).catch(() => {});
      throw wrap(err, path, 'write');
    }
  }

  async delete(path: string): Promise<void> {
    try {
      await fs.rm(this.toFsPath(path), { force: true });
    } catch (err) {
      throw wrap(err, path, 'delete');
    }
  }

  async deleteAll(prefix: string): Promise<number> {
    const root = this.toFsPath(prefix);
    let files = 0;
    try {
      for (const e of await fs.readdir(root, { recursive: true, withFileTypes: true })) if (!e.isDirectory()) files++;
      await fs.rm(root, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw wrap(err, prefix, 'delete');
    }
    return files;
  }

  async move(from: string, to: string): Promise<void> {
    const target = this.toFsPath(to);
    try {
      await fs.mkdir(nodePath.dirname(target), { recursive: true });
      await fs.rename(this.toFsPath(from), target);
      await syncDirectory(nodePath.dirname(target));
    } catch (err) {
      throw wrap(err, from, 'move');
    }
  }

  async validate(path: string, mode: ValidateMode = 'read'): Promise<void> {
    const fsPath = this.toFsPath(path);
    if (mode === 'read') {
      try {
        await fs.access(fsPath, fs.constants.R_OK);
      } catch (err) {
        throw wrap(err, path, 'validate');
      }
      return;
    }
    // write: the nearest existing ancestor must be a writable directory
    let dir = fsPath;
    for (;;) {
      const st = await fs.stat(dir).catch(() => undefined);
      if (st) {
        if (!st.isDirectory()) {
          throw new StorageError({ path, operation: 'validate', problem: 'invalid-path', detail: `${dir} is a file, not a directory` });
        }
        try {
          await fs.access(dir, fs.constants.W_OK);
        } catch (err) {
          throw wrap(err, path, 'validate');
        }
        return;
      }
      const parent = nodePath.dirname(dir);
      if (parent === dir) return;
      dir = parent;
    }
  }
}

/** Temporary names used by `write` until the rename: never listed. */
export function isTempName(name: string): boolean {
  return name.startsWith('.') && /\.tmp-\d+-[0-9a-f]{8}$/.test(name);
}

function wrap(err: unknown, path: string, operation: StorageOperation): StorageError {
  if (err instanceof StorageError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new StorageError({ path, operation, problem: 'not-found', detail: 'no such file or directory', cause: err });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new StorageError({ path, operation, problem: 'access-denied', detail: 'permission denied', hint: 'Check the file permissions of the path and its parent directories', cause: err });
  }
  if (code === 'EISDIR') {
    return new StorageError({ path, operation, problem: 'invalid-path', detail: 'is a directory, not a file', cause: err });
  }
  return new StorageError({ path, operation, problem: 'io', detail: (err as Error).message ?? String(err), cause: err });
}
