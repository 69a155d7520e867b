import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalStorage, StorageError, rangedReader, storageFor, validate } from '../../io/storage/index.js';
import { storageSuite } from './storage-suite.js';

storageSuite(
  'local disk',
  async () => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-storage-'));
    return { storage: new LocalStorage(), root, teardown: async () => rmSync(root, { recursive: true, force: true }) };
  },
  { buckets: false, pagedListing: false, multipart: false },
);

describe('local storage specifics', () => {
  it('accepts file:// URLs and lists them as plain paths', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-storage-'));
    try {
      const s = new LocalStorage();
      await s.write(`file://${root}/a/b.txt`, new TextEncoder().encode('x'));
      const out: string[] = [];
      for await (const e of s.list(`file://${root}`)) out.push(e.path);
      expect(out).toEqual([`${root}/a/`, `${root}/a/b.txt`]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('writes through a hidden temporary file that is gone afterwards', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-storage-'));
    try {
      await new LocalStorage().write(`${root}/f.txt`, new TextEncoder().encode('x'));
      expect(readdirSync(root)).toEqual(['f.txt']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a ranged reader keeps one file handle for all its reads and gives it back on close', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-storage-'));
    // this process's descriptors on files of this test (other test files run in the same process)
    const openFiles = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith(root);
        } catch {
          return false;
        }
      }).length;
    try {
      writeFileSync(join(root, 'f.bin'), new Uint8Array(100).map((_, i) => i));
      const s = new LocalStorage();
      const before = openFiles();
      const reader = await rangedReader(s, join(root, 'f.bin'));
      expect(openFiles()).toBe(before + 1);
      const slices = await Promise.all([reader.slice(0, 2), reader.slice(50, 52), reader.slice(98)]);
      expect(slices.map((b) => [...new Uint8Array(b)])).toEqual([[0, 1], [50, 51], [98, 99]]);
      expect(openFiles()).toBe(before + 1);
      expect(s.metrics.readRequests).toBe(3);
      await reader.close();
      expect(openFiles()).toBe(before);
      await expect(reader.slice(0, 1)).rejects.toThrow('read after the reader was closed');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('fails validation of a missing directory, naming it', async () => {
    await expect(validate('/definitely/not/here', 'read')).rejects.toThrow(
      'validate /definitely/not/here: no such file or directory. Check that the path is spelled correctly and that the object was written',
    );
  });

  it('rejects an unknown scheme and a relative path when the pipeline starts', async () => {
    expect(() => storageFor('gs://bucket/x')).toThrow(
      'resolve gs://bucket/x: unknown scheme "gs://". Use an absolute path (/data/table), a file:// URL or s3://bucket/prefix',
    );
    await expect(validate('hdfs://nn/x')).rejects.toBeInstanceOf(StorageError);
    expect(() => storageFor('relative/dir')).toThrow('resolve relative/dir: relative paths are not supported');
  });
});
