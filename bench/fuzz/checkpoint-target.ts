/**
 * Fuzz target (issue #19): damaged and crafted checkpoints. The seeds are real checkpoints of a
 * windowed, counting pipeline with a stable-input step, taken at several crash points (open
 * windows, a TestStream position, elements waiting for stable input); each case writes a mutated
 * one into a fresh checkpoint directory and runs the same pipeline to its end from it. A
 * TributaryError (a CheckpointError naming the file and the field, most often) is the expected
 * outcome of a damaged checkpoint; so is a run that completes when the mutation left a valid one.
 *
 *   node --import tsx bench/fuzz/run.ts --target checkpoint --cases 2000
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKPOINT_FILE } from '../../runners/direct/checkpoint-store.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { Coders, Count, DoFn, Duration, FixedWindows, Instant, ParDo, Pipeline, Window, kv, type KV, type ProcessContext } from '../../sdk/index.js';
import { TestStream } from '../../sdk/testing/test-stream.js';

const CRASH_POINTS = [2, 4, 6, 9];

/** Throws on element `crashOn` (the crash a seed is taken at); 0: never. */
class CrashAt extends DoFn<number, KV<string, number>> {
  constructor(private readonly crashOn: number) {
    super();
  }
  process(n: number, ctx: ProcessContext<KV<string, number>>): void {
    if (n === this.crashOn) throw new Error('seed crash');
    ctx.output(kv(`k${n % 3}`, n));
  }
}

/** A stable-input step that does nothing: its waiting elements are part of the checkpoint. */
class StableNoop extends DoFn<KV<string, number>, never> {
  readonly requiresStableInput = true;
  process(): void {}
}

function pipeline(crashOn: number): Pipeline {
  let b = TestStream.create<number>(Coders.double());
  for (let i = 1; i <= 10; i++) {
    b = b.addElements({ value: i, timestamp: Instant.ofEpochMillis(i * 1000) });
    if (i % 3 === 0) b = b.advanceWatermarkTo(Instant.ofEpochMillis(i * 1000)).advanceProcessingTime(Duration.seconds(1));
  }
  const p = new Pipeline();
  const keyed = p.apply(b.advanceWatermarkToInfinity()).apply('Crash', ParDo.of(new CrashAt(crashOn)));
  keyed
    .apply('Windows', Window.into<KV<string, number>>(FixedWindows.of(Duration.seconds(4))))
    .apply('Count', Count.perKey<string, number>())
    .apply('Commit', ParDo.of(new StableNoop() as unknown as DoFn<KV<string, number>, never>));
  keyed.apply('CommitRaw', ParDo.of(new StableNoop()));
  return p;
}

async function runFrom(dir: string, crashOn: number): Promise<void> {
  const runner = new DirectRunner({ checkpoint: { dir, intervalMs: 0, report: () => {} }, heapRelease: false });
  await runner.run(pipeline(crashOn)).waitUntilFinish();
}

/** v8 serialization tags followed by a length: dense and sparse arrays, strings, array buffers. */
const LENGTH_TAGS = new Set([0x41, 0x61, 0x22, 0x53, 0x63, 0x42]);

export default {
  name: 'checkpoint',

  async seeds(): Promise<Uint8Array[]> {
    const seeds: Uint8Array[] = [];
    for (const crashOn of CRASH_POINTS) {
      const dir = mkdtempSync(join(tmpdir(), 'fuzz-checkpoint-seed-'));
      try {
        await runFrom(dir, crashOn).then(
          () => {
            throw new Error(`the seed run crashing at ${crashOn} did not crash`);
          },
          (e: unknown) => {
            if (!String((e as Error).message).includes('seed crash')) throw e;
          },
        );
        seeds.push(new Uint8Array(readFileSync(join(dir, CHECKPOINT_FILE))));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return seeds;
  },

  lengthFieldOffsets(seed: Uint8Array): number[] {
    const out: number[] = [];
    for (let i = 0; i + 1 < seed.length; i++) if (LENGTH_TAGS.has(seed[i]!)) out.push(i + 1);
    return out;
  },

  async run(input: Uint8Array): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-checkpoint-'));
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, CHECKPOINT_FILE), input);
      await runFrom(dir, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
