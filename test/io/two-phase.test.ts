/**
 * Two-phase-commit file sinks (issue #16.2): text and Parquet, on local disk and on a real S3
 * server. A job crashes with pending files written after its last checkpoint; the resumed run
 * commits each element exactly once (the files committed before the crash are seen again and
 * left alone), and removes the orphaned pending files.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readParquetRows } from '../../io/parquet/read.js';
import { ParquetIO } from '../../io/parquet/parquet-io.js';
import { configureStorage, storageFor } from '../../io/storage/index.js';
import { TextIO } from '../../io/text/text-io.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { Map as MapFn, ParDo, Pipeline, type PCollection } from '../../sdk/index.js';
import { startS3Server, type S3TestServer } from '../servers/s3/server.js';
import { CrashOnce, numbers } from '../runners/checkpoint-fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'two-phase-'));
let server: S3TestServer;
beforeAll(async () => {
  server = await startS3Server({ buckets: ['two-phase'] });
  configureStorage({ s3: server.options });
});
afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function list(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of storageFor(prefix).list(prefix)) if (!e.isDirectory) out.push(e.path);
  return out.sort();
}

interface Sink {
  readonly name: string;
  /** Applies the sink under test to the numbers. */
  write(numbers: PCollection<number>, root: string): void;
  /** The committed files under `root`. */
  committed(root: string): Promise<string[]>;
  /** The numbers in the committed files. */
  contents(files: readonly string[]): Promise<number[]>;
  pendingDir(root: string): string;
}

const text: Sink = {
  name: 'text',
  write: (numbers, root) => void numbers.apply('Format', MapFn.of((n: number) => String(n))).apply('Write', TextIO.write(`${root}/out/lines`, { twoPhaseCommit: true })),
  committed: async (root) => (await list(`${root}/out`)).filter((p) => !p.includes('/_pending')),
  contents: async (files) => {
    const out: number[] = [];
    for (const f of files) out.push(...new TextDecoder().decode(await storageFor(f).read(f)).split('\n').filter(Boolean).map(Number));
    return out;
  },
  pendingDir: (root) => `${root}/out/_pending-lines`,
};

const parquet: Sink = {
  name: 'parquet',
  write: (numbers, root) =>
    void numbers
      .apply('Rows', MapFn.of((n: number) => ({ n, ts: n * 1000 })))
      .apply('Write', ParquetIO.writePartitioned({ table: `${root}/table`, layout: 'hourly', schema: { n: 'double', ts: 'int64' }, timestampColumn: 'ts', twoPhaseCommit: true })),
  committed: async (root) => (await list(`${root}/table`)).filter((p) => !p.includes('/_pending')),
  contents: async (files) => {
    const out: number[] = [];
    for (const f of files) for await (const row of readParquetRows<{ n: number }>(f)) out.push(Number(row.n));
    return out;
  },
  pendingDir: (root) => `${root}/table/_pending`,
};

function pipeline(dir: string, root: string, sink: Sink): Pipeline {
  const p = new Pipeline();
  sink.write(p.apply(numbers(6)).apply('Crash', ParDo.of(new CrashOnce(dir, 4))), root);
  return p;
}

describe.each([
  ['local disk', () => mkdtempSync(join(work, 'root-'))],
  ['S3', () => `s3://two-phase/${Math.random().toString(36).slice(2)}`],
])('two-phase-commit sinks on %s', (_where, makeRoot) => {
  it.each([text, parquet])('$name: a crash leaves orphans; the resumed run commits every element once and removes them', async (sink) => {
    const dir = mkdtempSync(join(work, `${sink.name}-`));
    const root = makeRoot();
    // One checkpoint at the first chance, then none for a minute: what follows stays pending.
    const runner = () => new DirectRunner({ checkpoint: { dir: join(dir, 'cp'), intervalMs: 60_000, report: () => {} } });
    writeFileSync(join(dir, 'armed'), '');
    await expect(runner().run(pipeline(dir, root, sink)).waitUntilFinish()).rejects.toThrow(/simulated crash/);
    const before = await sink.committed(root);
    expect(await sink.contents(before)).toEqual([1]);
    expect(await list(sink.pendingDir(root))).toHaveLength(2); // elements 2 and 3
    // A write the crash interrupted leaves a hidden temporary file on disk: an orphan too.
    const interrupted = root.startsWith('/') ? join(sink.pendingDir(root), '.x.parquet.tmp-999-0123abcd') : undefined;
    if (interrupted) writeFileSync(interrupted, 'half');

    await runner().run(pipeline(dir, root, sink)).waitUntilFinish();
    const after = await sink.committed(root);
    expect(after).toEqual(expect.arrayContaining(before));
    expect((await sink.contents(after)).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await list(sink.pendingDir(root))).toEqual([]);
    if (interrupted) expect(existsSync(interrupted)).toBe(false);
  });
});

describe('two-phase-commit sink without checkpoints', () => {
  it('commits as it goes (nothing is ever replayed) and leaves no pending file', async () => {
    const root = mkdtempSync(join(work, 'plain-'));
    const p = new Pipeline();
    text.write(p.apply(numbers(3)), root);
    await new DirectRunner().run(p).waitUntilFinish();
    expect((await text.contents(await text.committed(root))).sort()).toEqual([1, 2, 3]);
    expect(await list(text.pendingDir(root))).toEqual([]);
  });
});
