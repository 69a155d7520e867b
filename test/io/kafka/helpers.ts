/** Running Kafka reads in tests: collect what a read emits, and wait for conditions (bounded). */
import { DirectRunner } from '../../../runners/direct/direct-runner.js';
import { DoFn, ParDo, Pipeline, type PCollection, type PipelineResult, type ProcessContext } from '../../../sdk/index.js';

export class Collected<T> {
  readonly items: Array<{ value: T; timestamp: number }> = [];
}

/** Appends every element (and its timestamp) of `pc` to `into` (the direct runner is in-process). */
export function collect<T>(pc: PCollection<T>, into: Collected<T>, name = 'Collect'): void {
  class CollectFn extends DoFn<T, never> {
    process(element: T, ctx: ProcessContext<never>): void {
      into.items.push({ value: element, timestamp: ctx.timestamp });
    }
  }
  pc.apply(name, ParDo.of(new CollectFn()));
}

/** Resolves once `condition()` holds; fails after `limitMs` naming what it waited for. */
export async function waitFor(what: string, condition: () => boolean, limitMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > limitMs) throw new Error(`gave up waiting for ${what} after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function runDirect(p: Pipeline, options: ConstructorParameters<typeof DirectRunner>[0] = {}): PipelineResult {
  return new DirectRunner(options).run(p);
}
