/**
 * Checkpoints that cannot go stale or be trusted blindly (issues #16.1, #19.4, #19.5): what a
 * checkpoint belongs to is checked, a finished job's checkpoint is not resumed, a resumed run
 * says from where, saves are exclusive, private and durable, one job holds a directory, and a
 * damaged or crafted checkpoint ends in a typed error naming the file and the field.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CheckpointError,
  CheckpointFinishedError,
  CheckpointFormatError,
  CheckpointLockedError,
  CheckpointMismatchError,
} from '../../runners/direct/checkpoint-errors.js';
import { CHECKPOINT_FILE, CheckpointStore, type Checkpoint } from '../../runners/direct/checkpoint-store.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import type { CheckpointOptions } from '../../runners/direct/executor.js';
import {
  Coders,
  DoFn,
  Impulse,
  Instant,
  OffsetRangeDoFn,
  ParDo,
  Pipeline,
  type OffsetRange,
  type RestrictionTracker,
  type SplittableProcessContext,
} from '../../sdk/index.js';
import { KappaReplayFn } from '../../io/kappa/replay-fn.js';
import { ByteWriter } from '../../sdk/coders/index.js';
import type { ReplayPosition } from '../../io/kappa/position.js';
import { AppendTo, CrashOnce, crashingPipeline, lines } from './checkpoint-fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'checkpoint-safety-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  readonly dir: string;
  readonly cp: string;
  readonly messages: string[];
  run(extra?: Partial<CheckpointOptions>, crashOn?: number, build?: (p: Pipeline) => void): Promise<unknown>;
}

function setup(name: string): Run {
  const dir = mkdtempSync(join(work, `${name}-`));
  const cp = join(dir, 'cp');
  const messages: string[] = [];
  return {
    dir,
    cp,
    messages,
    run: (extra = {}, crashOn = 0, build) =>
      new DirectRunner({ checkpoint: { dir: cp, intervalMs: 0, report: (m) => messages.push(m), ...extra } })
        .run(crashingPipeline(dir, 5, crashOn, build))
        .waitUntilFinish(),
  };
}

/** Runs until the crash on 3, leaving a checkpoint to resume. */
async function crashed(name: string, extra: Partial<CheckpointOptions> = {}): Promise<Run> {
  const r = setup(name);
  writeFileSync(join(r.dir, 'armed'), '');
  await expect(r.run(extra, 3)).rejects.toThrow(/simulated crash/);
  return r;
}

const file = (r: Run) => join(r.cp, CHECKPOINT_FILE);
const readRaw = (r: Run) => deserialize(readFileSync(file(r))) as Record<string, unknown>;
const writeRaw = (r: Run, v: unknown) => writeFileSync(file(r), serialize(v));

describe('what a checkpoint belongs to', () => {
  it('a resumed run says it resumed and from where, and reads each element once', async () => {
    const r = await crashed('resume');
    await r.run({}, 3);
    expect(lines(join(r.dir, 'seen.log'))).toEqual(['1', '2', '3', '4', '5']);
    const resumed = r.messages.find((m) => m.includes('resumed'));
    expect(resumed).toMatch(/^checkpoint: resumed from checkpoint \d+ saved at \d{4}-.*"TestStream" at \d+; low watermark 1970-01-01T00:00:02\.000Z$/);
  });

  it('refuses a checkpoint written with other option values, naming them', async () => {
    const r = await crashed('options', { options: { warehouse: '/data/a', hours: 3 } });
    const e = await r.run({ options: { warehouse: '/data/b', hours: 3 } }, 3).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CheckpointMismatchError);
    expect((e as Error).message).toContain('option --warehouse is "/data/a" in the checkpoint, "/data/b" now');
    expect((e as Error).message).not.toContain('--hours');
    expect(lines(join(r.dir, 'seen.log'))).toEqual(['1', '2']);
  });

  it('refuses a checkpoint of another input (a source\'s identity), naming the source and the item', async () => {
    class Source extends DoFn<Uint8Array, number> {
      constructor(private readonly table: string) {
        super();
      }
      inputIdentity() {
        return { table: this.table, range: '2024-01-01 .. 2024-01-02' };
      }
      process(): void {}
    }
    const withSource = (table: string) => (p: Pipeline) => void p.apply('Impulse', Impulse.create()).apply('ReadTable', ParDo.of(new Source(table)));
    const r = setup('input');
    writeFileSync(join(r.dir, 'armed'), '');
    await expect(r.run({}, 3, withSource('/warehouse/trips'))).rejects.toThrow(/simulated crash/);
    const e = await r.run({}, 3, withSource('/warehouse/trips-v2')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CheckpointMismatchError);
    expect((e as Error).message).toContain('input of "ReadTable": table is /warehouse/trips in the checkpoint, /warehouse/trips-v2 now');
  });

  it('refuses a checkpoint of another pipeline, naming the steps', async () => {
    const r = await crashed('graph');
    const e = await r.run({}, 3, (p) => void p.apply('Impulse', Impulse.create()).apply('Extra', ParDo.of(new AppendTo(r.dir, 'x.log') as unknown as DoFn<Uint8Array, never>))).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CheckpointMismatchError);
    expect((e as Error).message).toMatch(/step "Extra" is new/);
  });

  it('a finished job marks its checkpoint finished: a re-run says so and starts over, or refuses by option', async () => {
    const r = setup('finished');
    await r.run();
    expect((await new CheckpointStore(r.cp).load())?.finished).toBe(true);
    await r.run();
    expect(r.messages.some((m) => /belongs to a job that finished at .*; starting over/.test(m))).toBe(true);
    expect(lines(join(r.dir, 'seen.log'))).toEqual(['1', '2', '3', '4', '5', '1', '2', '3', '4', '5']);
    await expect(r.run({ ifFinished: 'fail' })).rejects.toThrow(CheckpointFinishedError);
    await expect(r.run({ ifFinished: 'fail' })).rejects.toThrow(/--checkpointIfFinished=restart/);
  });
});

describe('durable, exclusive, private saves', () => {
  const sample = (): Checkpoint => ({
    version: 3, identity: { pipeline: 'p', steps: {}, options: {}, inputs: {} }, savedAt: 1, finished: false,
    nodes: ['a'], rootsDone: [], roots: {}, processingTime: 0, watermarks: { a: [0, 0, 0, 0] }, operators: {}, sequence: 1,
  });

  it('never follows a planted symlink, writes owner-only files, and two saves at once both land', async () => {
    const dir = mkdtempSync(join(work, 'save-'));
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    const store = new CheckpointStore(join(dir, 'cp'));
    await store.prepare();
    // The name the old store used for its temporary file.
    symlinkSync(victim, join(dir, 'cp', `${CHECKPOINT_FILE}.tmp`));
    await Promise.all([store.save(sample()), store.save({ ...sample(), sequence: 2 })]);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(statSync(store.dir).mode & 0o077).toBe(0);
    expect([1, 2]).toContain((await store.load())!.sequence);
  });

  it('two jobs cannot share a checkpoint directory', async () => {
    const r = setup('locked');
    mkdirSync(r.cp, { recursive: true });
    writeFileSync(join(r.cp, 'checkpoint.lock'), JSON.stringify({ pid: process.ppid, host: (await import('node:os')).hostname(), since: 'earlier' }));
    const e = await r.run().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CheckpointLockedError);
    expect((e as Error).message).toContain(`is in use by process ${process.ppid}`);
  });

  it('a lock left by a process that is gone is taken over, with a message', async () => {
    const r = setup('stale');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    mkdirSync(r.cp, { recursive: true });
    writeFileSync(join(r.cp, 'checkpoint.lock'), JSON.stringify({ pid: Number(gone.stdout), host: (await import('node:os')).hostname(), since: 'earlier' }));
    await r.run();
    expect(r.messages.some((m) => m.includes(`left by process ${gone.stdout}`) && m.includes('no longer running'))).toBe(true);
    expect(existsSync(join(r.cp, 'checkpoint.lock'))).toBe(false);
  });
});

describe('a checkpoint is validated before it is trusted', () => {
  const refused = async (r: Run, field: string | RegExp) => {
    const e = await r.run({}, 3).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CheckpointFormatError);
    expect((e as CheckpointFormatError).file).toBe(file(r));
    if (typeof field === 'string') expect((e as CheckpointFormatError).field).toBe(field);
    else expect((e as CheckpointFormatError).field).toMatch(field);
    return (e as Error).message;
  };

  it('a checkpoint that is a directory', async () => {
    const r = setup('isdir');
    mkdirSync(file(r), { recursive: true });
    expect(await refused(r, '')).toMatch(/is a directory, not a checkpoint file/);
  });

  it('a readable file missing fields names the first one', async () => {
    const r = await crashed('missing');
    const { identity: _, ...rest } = readRaw(r);
    writeRaw(r, rest);
    expect(await refused(r, 'identity')).toMatch(/field "identity" is missing, not a record/);
  });

  it('an array claiming 2^32−1 elements is refused at once (it used to hang the job)', async () => {
    const r = await crashed('huge-array');
    const cp = readRaw(r);
    const nodes: unknown[] = [];
    nodes.length = 2 ** 32 - 1;
    writeRaw(r, { ...cp, nodes });
    expect(readFileSync(file(r)).length).toBeLessThan(4096);
    expect(await refused(r, 'nodes')).toMatch(/an array of 4294967295 elements in a file of \d+ bytes/);
  });

  it('a watermark that is a string', async () => {
    const r = await crashed('string-watermark');
    const cp = readRaw(r);
    const watermarks = cp.watermarks as Record<string, unknown[]>;
    const id = Object.keys(watermarks)[0]!;
    watermarks[id] = ['9', ...watermarks[id]!.slice(1)];
    writeRaw(r, cp);
    expect(await refused(r, `watermarks.${id}[0]`)).toMatch(/the string "9", not a time/);
  });

  it('a root position out of range (it used to replay or skip input)', async () => {
    for (const bad of [-3, 99, 1.5, '2']) {
      const r = await crashed('bad-root');
      const cp = readRaw(r);
      const roots = cp.roots as Record<string, unknown>;
      const id = Object.keys(roots)[0]!;
      roots[id] = bad;
      writeRaw(r, cp);
      expect(await refused(r, `roots.${id}`)).toMatch(/the position of "TestStream"\) is .*not a count of TestStream events done \(1 to \d+\)/);
      expect(lines(join(r.dir, 'seen.log'))).toEqual(['1', '2']);
    }
  });

  it('a processing time that is NaN', async () => {
    const r = await crashed('nan-time');
    writeRaw(r, { ...readRaw(r), processingTime: NaN });
    expect(await refused(r, 'processingTime')).toMatch(/is NaN, not a time/);
  });

  it('bytes that are not a checkpoint at all, and a checkpoint of an older version', async () => {
    const r = await crashed('garbage');
    writeFileSync(file(r), Buffer.from('not a checkpoint'));
    expect(await refused(r, '')).toMatch(/cannot be read|not a checkpoint record/);
    writeRaw(r, { ...readRaw((await crashed('old'))), version: 2 });
    expect(await refused(r, 'version')).toMatch(/older Tributary/);
  });
});

describe('a source checks its restored position', () => {
  it('the Kappa+ replay refuses positions it could not have reported', () => {
    const fn = new KappaReplayFn({ sources: [{ name: 'rows', table: { table: '/warehouse/t', timestampColumn: 'ts' } }], options: {}, mainOutput: true });
    expect(fn.checkRestriction({ step: 2, finished: ['/warehouse/t/a.parquet'], partial: { '/warehouse/t/b.parquet': 10 } })).toBeUndefined();
    expect(fn.checkRestriction({ step: -1, finished: [] })).toMatch(/step -1, not a step number/);
    expect(fn.checkRestriction({ step: 1.5, finished: [] })).toMatch(/not a step number/);
    expect(fn.checkRestriction({ step: 1, finished: 'x' as unknown as string[] })).toMatch(/"finished" field/);
    expect(fn.checkRestriction({ step: 1, finished: [], partial: { f: -3 } })).toMatch(/-3 rows of f were emitted/);
    expect(fn.checkRestriction(null as unknown as ReplayPosition)).toMatch(/not a replay position/);
  });

  it('a splittable read whose restored restriction its DoFn refuses fails the restore with a typed error', async () => {
    class Offsets extends OffsetRangeDoFn<Uint8Array, number> {
      initialRestriction(): OffsetRange {
        return { from: 0, to: 6 };
      }
      override checkRestriction(r: OffsetRange): string | undefined {
        return Number.isSafeInteger(r.from) && r.from >= 0 && r.from <= r.to && r.to === 6 ? undefined : `is ${JSON.stringify(r)}, not a part of offsets 0..6`;
      }
      async process(_: Uint8Array, tracker: RestrictionTracker<OffsetRange, number>, ctx: SplittableProcessContext<number>) {
        for (let i = tracker.currentRestriction().from; tracker.tryClaim(i); i++) {
          ctx.outputWithTimestamp(i, Instant.ofEpochMillis(i));
          await ctx.watermark.advance(Instant.ofEpochMillis(i));
        }
      }
    }
    const dir = mkdtempSync(join(work, 'sdf-position-'));
    const cp = join(dir, 'cp');
    const build = () => {
      const p = new Pipeline();
      p.apply(Impulse.create()).apply('Read', ParDo.of(new Offsets())).apply('Crash', ParDo.of(new CrashOnce(dir, 3))).apply('Sink', ParDo.of(new AppendTo(dir, 'seen.log')));
      return p;
    };
    const runner = () => new DirectRunner({ checkpoint: { dir: cp, intervalMs: 0, report: () => {} } });
    writeFileSync(join(dir, 'armed'), '');
    await expect(runner().run(build()).waitUntilFinish()).rejects.toThrow(/simulated crash/);
    const raw = deserialize(readFileSync(join(cp, CHECKPOINT_FILE))) as Record<string, Record<string, Array<{ restriction: Uint8Array }>>>;
    const reads = Object.values(raw.operators!).find((s) => Array.isArray(s) && s[0]?.restriction instanceof Uint8Array)!;
    const w = new ByteWriter();
    Coders.json<OffsetRange>().encode({ from: 40, to: 6 }, w, true);
    reads[0]!.restriction = w.finish();
    writeFileSync(join(cp, CHECKPOINT_FILE), serialize(raw));
    const e = await runner().run(build()).waitUntilFinish().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CheckpointError);
    expect((e as Error).message).toContain('the restriction of "Read" in the checkpoint is {"from":40,"to":6}, not a part of offsets 0..6');
  });
});
