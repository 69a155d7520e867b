/**
 * beam:requirement:pardo:requires_stable_input:v1 on the direct runner: a stable-input ParDo
 * sees an element only after a durable checkpoint holds it, and sees it again, identically,
 * after a crash and a restore; without checkpoints it runs as any ParDo.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pipeline as beam } from '../../portability-proto/index.js';
import { CheckpointStore } from '../../runners/direct/checkpoint-store.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import {
  Count,
  DoFn,
  Duration,
  FixedWindows,
  Impulse,
  Instant,
  IntervalWindow,
  Map as MapFn,
  OffsetRangeDoFn,
  ParDo,
  Pipeline,
  Window,
  kv,
  type KV,
  type OffsetRange,
  type ProcessContext,
  type RestrictionTracker,
  type SplittableProcessContext,
} from '../../sdk/index.js';
import { toPortable } from '../../sdk/translate/to-proto.js';
import { URN } from '../../sdk/urns.js';
import { lines, numbers } from './checkpoint-fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'stable-input-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The sequence number of the checkpoint on disk right now (0: none yet). */
const sequenceOnDisk = async (cp: string) => (await new CheckpointStore(cp).load())?.sequence ?? 0;

/** Logs `<n> <checkpoint sequence on disk>` as it passes each element on. */
class LogArrival extends DoFn<number, number> {
  constructor(private readonly dir: string, private readonly cp: string) {
    super();
  }
  async process(n: number, ctx: ProcessContext<number>): Promise<void> {
    appendFileSync(join(this.dir, 'arrived.log'), `${n} ${await sequenceOnDisk(this.cp)}\n`);
    ctx.output(n);
  }
}

/** A stable-input DoFn: logs `<n> <sequence on disk>`; crashes once on `crashOn` while armed. */
class Commit extends DoFn<number, never> {
  readonly requiresStableInput = true;
  constructor(private readonly dir: string, private readonly cp: string, private readonly crashOn: number) {
    super();
  }
  async process(n: number): Promise<void> {
    appendFileSync(join(this.dir, 'committed.log'), `${n} ${await sequenceOnDisk(this.cp)}\n`);
    if (n === this.crashOn && lines(join(this.dir, 'armed')).length) {
      rmSync(join(this.dir, 'armed'));
      throw new Error('simulated crash after the release');
    }
  }
}

function build(dir: string, cp: string, crashOn = 0): Pipeline {
  const p = new Pipeline();
  p.apply(numbers(6)).apply('Arrive', ParDo.of(new LogArrival(dir, cp))).apply('Commit', ParDo.of(new Commit(dir, cp, crashOn)));
  return p;
}

const parse = (file: string) => lines(file).map((l) => l.split(' ').map(Number) as [number, number]);

describe('requires stable input', () => {
  it('is declared in the proto: the ParDo payload flag and the pipeline requirement', () => {
    const p = new Pipeline();
    p.apply(numbers(1)).apply('Commit', ParDo.of(new Commit(work, work, 0)));
    p.apply('Other', numbers(1)).apply('Plain', ParDo.of(new (class extends DoFn<number, never> { process() {} })()));
    const { proto } = toPortable(p);
    expect(proto.requirements).toContain(URN.REQUIREMENT_REQUIRES_STABLE_INPUT);
    const flags = Object.values(proto.components!.transforms!)
      .filter((t) => t.spec?.urn === URN.PAR_DO)
      .map((t) => [t.uniqueName, beam.ParDoPayload.decode(t.spec!.payload!).requiresStableInput]);
    expect(Object.fromEntries(flags)).toEqual({ Commit: true, Plain: false });
    const viaOption = new Pipeline();
    viaOption.apply(numbers(1)).apply('Opt', ParDo.of(new (class extends DoFn<number, never> { process() {} })(), { requiresStableInput: true }));
    expect(toPortable(viaOption).proto.requirements).toContain(URN.REQUIREMENT_REQUIRES_STABLE_INPUT);
  });

  it('hands an element to the DoFn only after a checkpoint taken since it arrived is durable', async () => {
    const dir = mkdtempSync(join(work, 'durable-'));
    const cp = join(dir, 'cp');
    await new DirectRunner({ checkpoint: { dir: cp, intervalMs: 0, report: () => {} } }).run(build(dir, cp)).waitUntilFinish();
    const arrived = new Map(parse(join(dir, 'arrived.log')));
    const committed = parse(join(dir, 'committed.log'));
    expect(committed.map(([n]) => n)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const [n, seq] of committed) expect(seq, `element ${n}`).toBeGreaterThan(arrived.get(n)!);
  });

  it('after a crash, the restored run hands the DoFn the same element again, and nothing else twice', async () => {
    const dir = mkdtempSync(join(work, 'crash-'));
    const cp = join(dir, 'cp');
    writeFileSync(join(dir, 'armed'), 'x\n');
    const runner = () => new DirectRunner({ checkpoint: { dir: cp, intervalMs: 0, report: () => {} } });
    await expect(runner().run(build(dir, cp, 4)).waitUntilFinish()).rejects.toThrow(/simulated crash after the release/);
    const firstRun = parse(join(dir, 'committed.log')).map(([n]) => n);
    expect(firstRun).toEqual([1, 2, 3, 4]);
    await runner().run(build(dir, cp, 4)).waitUntilFinish();
    const all = parse(join(dir, 'committed.log')).map(([n]) => n);
    expect(all).toEqual([1, 2, 3, 4, 4, 5, 6]);
    // Upstream of the stable step, element 4 was processed once: the restored run did not replay it.
    expect(parse(join(dir, 'arrived.log')).map(([n]) => n)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('without a checkpoint directory, runs as a plain ParDo', async () => {
    const dir = mkdtempSync(join(work, 'plain-'));
    await new DirectRunner().run(build(dir, join(dir, 'none'))).waitUntilFinish();
    expect(parse(join(dir, 'committed.log'))).toEqual([1, 2, 3, 4, 5, 6].map((n) => [n, 0]));
  });
});

/** Offsets 0..29 at that many seconds, the watermark advanced after every ten. */
class TenAtATime extends OffsetRangeDoFn<Uint8Array, number> {
  initialRestriction(): OffsetRange {
    return { from: 0, to: 30 };
  }
  async process(_: Uint8Array, tracker: RestrictionTracker<OffsetRange, number>, ctx: SplittableProcessContext<number>) {
    for (let i = tracker.currentRestriction().from; tracker.tryClaim(i); i++) {
      ctx.outputWithTimestamp(i, Instant.ofEpochMillis(i * 1000));
      if ((i + 1) % 10 === 0) await ctx.watermark.advance(Instant.ofEpochMillis((i + 1) * 1000));
    }
  }
}

class LogWindowCount extends DoFn<KV<string, number>, never> {
  constructor(private readonly dir: string) {
    super();
  }
  process(e: KV<string, number>, ctx: ProcessContext<never>): void {
    appendFileSync(join(this.dir, 'counts.log'), `${(ctx.window as IntervalWindow).start} ${e.value}\n`);
  }
}

describe('requires stable input beside a splittable read', () => {
  it('a restored run releases the waiting elements only once the read is back, so windows do not fire early', async () => {
    const dir = mkdtempSync(join(work, 'sdf-'));
    const cp = join(dir, 'cp');
    const build = () => {
      const p = new Pipeline();
      const read = p.apply(Impulse.create()).apply('Read', ParDo.of(new TenAtATime()));
      read
        .apply('Tens', Window.into<number>(FixedWindows.of(Duration.seconds(10))))
        .apply('Key', MapFn.of((n: number) => kv('k', n)))
        .apply('Count', Count.perKey<string, number>())
        .apply('LogCounts', ParDo.of(new LogWindowCount(dir)));
      read.apply('Commit', ParDo.of(new Commit(dir, cp, 12)));
      return p;
    };
    writeFileSync(join(dir, 'armed'), 'x\n');
    const runner = () => new DirectRunner({ checkpoint: { dir: cp, intervalMs: 0, report: () => {} } });
    await expect(runner().run(build()).waitUntilFinish()).rejects.toThrow(/simulated crash/);
    await runner().run(build()).waitUntilFinish();
    expect(lines(join(dir, 'counts.log'))).toEqual(['0 10', '10000 10', '20000 10']);
    expect(new Set(parse(join(dir, 'committed.log')).map(([n]) => n)).size).toBe(30);
  });
});
