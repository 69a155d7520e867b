/**
 * Small pipelines for the checkpoint tests: a TestStream of numbers, a step that crashes once
 * when a switch file exists, and a sink that appends what it sees to a file — everything
 * observable goes through files, so a crashed run and its resumption can be compared.
 */
import { appendFileSync, existsSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Coders, DoFn, Instant, ParDo, Pipeline, type ProcessContext } from '../../sdk/index.js';
import { TestStream } from '../../sdk/testing/test-stream.js';

export const at = (s: number) => Instant.ofEpochMillis(s * 1000);

/** Throws once on `crashOn` while `<dir>/armed` exists (and removes it): the crash. */
export class CrashOnce extends DoFn<number, number> {
  constructor(
    private readonly dir: string,
    private readonly crashOn: number,
  ) {
    super();
  }
  process(n: number, ctx: ProcessContext<number>): void {
    const armed = join(this.dir, 'armed');
    if (n === this.crashOn && existsSync(armed)) {
      unlinkSync(armed);
      throw new Error('simulated crash');
    }
    ctx.output(n);
  }
}

/** Appends each element to `<dir>/<file>`. */
export class AppendTo extends DoFn<number, never> {
  constructor(
    private readonly dir: string,
    private readonly file: string,
  ) {
    super();
  }
  process(n: number): void {
    appendFileSync(join(this.dir, this.file), `${n}\n`);
  }
}

/** Numbers 1..n, one per TestStream event, a watermark step after each. */
export function numbers(n: number): TestStream<number> {
  let b = TestStream.create<number>(Coders.double());
  for (let i = 1; i <= n; i++) b = b.addElements({ value: i, timestamp: at(i) }).advanceWatermarkTo(at(i));
  return b.advanceWatermarkToInfinity();
}

/** numbers(n) → CrashOnce(crashOn) → AppendTo('seen.log'). */
export function crashingPipeline(dir: string, n: number, crashOn: number, extra?: (p: Pipeline) => void): Pipeline {
  const p = new Pipeline();
  p.apply(numbers(n)).apply('Crash', ParDo.of(new CrashOnce(dir, crashOn))).apply('Sink', ParDo.of(new AppendTo(dir, 'seen.log')));
  extra?.(p);
  return p;
}

export const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : []);
