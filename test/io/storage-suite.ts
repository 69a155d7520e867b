/**
 * One storage suite, run against every backend (local disk, a real S3 server). Capabilities say
 * what a backend has; every case that a backend skips says why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError, joinPath, rangedReader, type Storage } from '../../io/storage/index.js';

export interface StorageFixture {
  storage: Storage;
  /** A fresh, empty root for this suite, e.g. `/tmp/x` or `s3://bucket/suite`. */
  root: string;
  /** A path inside a bucket that does not exist (backends with buckets only). */
  missingBucketPath?: string;
  teardown(): Promise<void>;
}

export interface StorageCapabilities {
  /** The backend has buckets, so a missing bucket is a distinct error. */
  buckets: boolean;
  /** Listing is paged by requests to a server (metrics.listRequests counts pages). */
  pagedListing: boolean;
  /** Large writes go through several requests (multipart upload). */
  multipart: boolean;
}

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** A chunk source that stops at a gate until the test opens it. */
function gatedChunks(before: Uint8Array[], after: Uint8Array[]) {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let reached!: () => void;
  const atGate = new Promise<void>((r) => (reached = r));
  async function* chunks() {
    for (const c of before) yield c;
    reached();
    await gate;
    for (const c of after) yield c;
  }
  return { chunks: chunks(), atGate, open };
}

export function storageSuite(name: string, makeFixture: () => Promise<StorageFixture>, caps: StorageCapabilities): void {
  describe(`storage suite: ${name}`, () => {
    let fx: StorageFixture;
    let s: Storage;
    const p = (...parts: string[]) => joinPath(fx.root, ...parts);

    beforeAll(async () => {
      fx = await makeFixture();
      s = fx.storage;
    });
    afterAll(async () => {
      await fx?.teardown();
    });

    it('writes, stats, reads and deletes an object', async () => {
      await s.write(p('basic/hello.txt'), enc('hello world'));
      expect(await s.exists(p('basic/hello.txt'))).toBe(true);
      expect((await s.stat(p('basic/hello.txt'))).size).toBe(11);
      expect(dec(await s.read(p('basic/hello.txt')))).toBe('hello world');
      const streamed = await collect(s.readStream(p('basic/hello.txt')));
      expect(dec(Buffer.concat(streamed))).toBe('hello world');
      await s.delete(p('basic/hello.txt'));
      expect(await s.exists(p('basic/hello.txt'))).toBe(false);
      await s.delete(p('basic/hello.txt')); // deleting twice is fine
    });

    it('lists nested prefixes with a page size of 1', async () => {
      const keys = ['t/dt=2024-01-01/hr=00/a.parquet', 't/dt=2024-01-01/hr=00/b.parquet', 't/dt=2024-01-01/hr=01/a.parquet', 't/dt=2024-01-02/x.txt', 't/top.txt', 'tt/other.txt'];
      for (const k of keys) await s.write(p(k), enc(k));
      const before = s.metrics.listRequests;
      const files = (await collect(s.list(p('t'), { pageSize: 1 }))).filter((e) => !e.isDirectory);
      expect(files.map((e) => e.path).sort()).toEqual(keys.filter((k) => k.startsWith('t/')).map((k) => p(k)).sort());
      for (const f of files) expect(f.size).toBe(f.path.slice(fx.root.length + 1).length);
      if (caps.pagedListing) expect(s.metrics.listRequests - before).toBeGreaterThanOrEqual(files.length);
      // a prefix is a directory: t/ does not match tt/
      const nested = (await collect(s.list(p('t/dt=2024-01-01/hr=00/'), { pageSize: 1 }))).filter((e) => !e.isDirectory);
      expect(nested.map((e) => e.path).sort()).toEqual([p('t/dt=2024-01-01/hr=00/a.parquet'), p('t/dt=2024-01-01/hr=00/b.parquet')]);
      // the default page size returns the same entries
      const all = (await collect(s.list(p('t')))).filter((e) => !e.isDirectory);
      expect(all.map((e) => e.path).sort()).toEqual(files.map((e) => e.path).sort());
    });

    it('lists nothing under a prefix that has no objects', async () => {
      expect(await collect(s.list(p('nothing-here')))).toEqual([]);
    });

    it('reads byte ranges, short at the end of the object', async () => {
      const bytes = new Uint8Array(1000).map((_, i) => i % 251);
      await s.write(p('range/data.bin'), bytes);
      expect([...(await s.readRange(p('range/data.bin'), 10, 5))]).toEqual([10, 11, 12, 13, 14]);
      expect([...(await s.readRange(p('range/data.bin'), 995, 100))]).toEqual([995 % 251, 996 % 251, 997 % 251, 998 % 251, 999 % 251]);
      expect((await s.readRange(p('range/data.bin'), 0, 0)).byteLength).toBe(0);
      const reader = await rangedReader(s, p('range/data.bin'));
      expect(reader.byteLength).toBe(1000);
      expect([...new Uint8Array(await reader.slice(500, 503))]).toEqual([500 % 251, 501 % 251, 502 % 251]);
      const before = s.metrics.bytesRead;
      await reader.slice(0, 100);
      expect(s.metrics.bytesRead - before).toBe(100);
      // like ArrayBuffer.slice: cut at the end of the object, empty past it
      expect([...new Uint8Array(await reader.slice(998, 5000))]).toEqual([998 % 251, 999 % 251]);
      expect((await reader.slice(2000, 3000)).byteLength).toBe(0);
      await reader.close();
      await reader.close();
    });

    it('bounds a ranged read by the object size whatever length is claimed', async () => {
      const bytes = new Uint8Array(1000).map((_, i) => i % 251);
      await s.write(p('range/claimed.bin'), bytes);
      // a corrupt Parquet footer can claim a 4 GB column chunk: the read must not allocate that
      const tail = await s.readRange(p('range/claimed.bin'), 990, 4e9);
      expect([...tail]).toEqual([...bytes.subarray(990)]);
      expect((await s.readRange(p('range/claimed.bin'), 1000, 2e9)).byteLength).toBe(0);
      expect((await s.readRange(p('range/claimed.bin'), 5000, 10)).byteLength).toBe(0);
      const reader = await rangedReader(s, p('range/claimed.bin'));
      expect(new Uint8Array(await reader.slice(998, 4e9)).byteLength).toBe(2);
      for (const [offset, length] of [[-1, 10], [0, Number.NaN], [0, 2 ** 64], [1.5, 2]]) {
        const err = await s.readRange(p('range/claimed.bin'), offset!, length!).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StorageError);
        expect((err as StorageError).problem).toBe('invalid-range');
      }
    });

    it('makes a streamed write visible only when complete', async () => {
      const path = p('atomic/obj.bin');
      const chunkSize = caps.multipart ? 3 * 1024 * 1024 : 64 * 1024;
      const chunk = (v: number) => new Uint8Array(chunkSize).fill(v);
      const g = gatedChunks([chunk(1), chunk(2)], [chunk(3)]);
      const writing = s.write(path, g.chunks);
      await g.atGate; // two chunks (for S3 one uploaded multipart part) are in flight
      expect(await s.exists(path)).toBe(false);
      const listed = (await collect(s.list(p('atomic')))).filter((e) => !e.isDirectory);
      expect(listed).toEqual([]);
      g.open();
      await writing;
      const back = await s.read(path);
      expect(back.byteLength).toBe(3 * chunkSize);
      expect([back[0], back[chunkSize], back[2 * chunkSize]]).toEqual([1, 2, 3]);
      expect((await collect(s.list(p('atomic')))).filter((e) => !e.isDirectory).map((e) => e.path)).toEqual([path]);
    });

    it('keeps the previous version visible while an overwrite is in flight', async () => {
      const path = p('atomic/over.txt');
      await s.write(path, enc('version 1'));
      const g = gatedChunks([enc('version ')], [enc('2')]);
      const writing = s.write(path, g.chunks);
      await g.atGate;
      expect(dec(await s.read(path))).toBe('version 1');
      g.open();
      await writing;
      expect(dec(await s.read(path))).toBe('version 2');
    });

    it('leaves nothing behind when a streamed write fails', async () => {
      const path = p('failed/obj.bin');
      async function* failing() {
        yield new Uint8Array(10);
        throw new Error('source broke');
      }
      await expect(s.write(path, failing())).rejects.toThrow(/source broke/);
      expect(await s.exists(path)).toBe(false);
      expect((await collect(s.list(p('failed')))).filter((e) => !e.isDirectory)).toEqual([]);
    });

    it('moves an object over another one (the commit of a two-phase sink), and a missing one is not-found', async () => {
      await s.write(p('move/pending/a.txt'), enc('new'));
      await s.write(p('move/final/a.txt'), enc('old'));
      await s.move(p('move/pending/a.txt'), p('move/final/a.txt'));
      expect(await s.exists(p('move/pending/a.txt'))).toBe(false);
      expect(dec(await s.read(p('move/final/a.txt')))).toBe('new');
      await s.write(p('move/pending/b c.txt'), enc('spaced'));
      await s.move(p('move/pending/b c.txt'), p('move/final/deeper/b c.txt'));
      expect(dec(await s.read(p('move/final/deeper/b c.txt')))).toBe('spaced');
      const err = await s.move(p('move/pending/a.txt'), p('move/final/x.txt')).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect((err as StorageError).problem).toBe('not-found');
    });

    it('deletes everything below a prefix and says how many objects went', async () => {
      await s.write(p('wipe/a.txt'), enc('a'));
      await s.write(p('wipe/deeper/b.txt'), enc('b'));
      await s.write(p('wiped-not/c.txt'), enc('c'));
      expect(await s.deleteAll(p('wipe'))).toBe(2);
      expect(await collect(s.list(p('wipe')))).toEqual([]);
      expect(await s.exists(p('wiped-not/c.txt'))).toBe(true);
      expect(await s.deleteAll(p('wipe'))).toBe(0);
    });

    it('reports a missing object as not-found, naming the path', async () => {
      const path = p('missing/none.parquet');
      for (const op of [() => s.read(path), () => s.stat(path), () => s.readRange(path, 0, 10)]) {
        const err = await op().then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(StorageError);
        expect((err as StorageError).problem).toBe('not-found');
        expect((err as StorageError).path).toBe(path);
        expect((err as StorageError).message).toContain(path);
      }
      expect(await s.exists(path)).toBe(false);
    });

    it.skipIf(!caps.buckets)('reports a missing bucket with what to do (backends with buckets only)', async () => {
      const path = fx.missingBucketPath!;
      for (const op of [() => collect(s.list(path)), () => s.read(`${path}/x`), () => s.stat(`${path}/x`), () => s.validate(path)]) {
        const err = await op().then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(StorageError);
        expect((err as StorageError).problem).toBe('bucket-not-found');
        expect((err as StorageError).message).toMatch(/bucket "[^"]+" does not exist\. Create the bucket/);
      }
    });

    it('validates a usable root for reading, and a path not yet written for writing', async () => {
      await s.write(p('valid/a.txt'), enc('a'));
      await expect(s.validate(p('valid'), 'read')).resolves.toBeUndefined();
      await expect(s.validate(p('not-yet-written/x'), 'write')).resolves.toBeUndefined();
    });

    // With buckets, a prefix is not a thing that exists or not (an empty prefix lists nothing);
    // a missing bucket is the case above.
    it.skipIf(caps.buckets)('rejects a missing root when reading, as not-found naming the path (backends with directories only)', async () => {
      const missing = p('never-written');
      const err = await s.validate(missing, 'read').then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect((err as StorageError).problem).toBe('not-found');
      expect((err as StorageError).path).toBe(missing);
    });
  });
}
