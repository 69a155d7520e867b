/**
 * What both cluster-bench pipelines share: the options, and the first steps — one Impulse, one
 * element per shard, a Reshuffle (Flink spreads the shards over its parallel subtasks), then each
 * shard generates its events. Each shard records the wall-clock time it started in the
 * distribution `bench/startMs`; the pipelines' last step records when it saw its elements in
 * `bench/endMs`: the bench takes the processing time as max(endMs) − min(startMs), which leaves
 * out job submission, task deployment and worker start-up (all processes run on one machine, so
 * one clock). `bench/workerStartMs` records when each worker began its first shard,
 * `bench/generatedMs` when each shard made its last event and `bench/workerGeneratedMs` when
 * each worker's bundle of shards did: the bench splits the window into generation and tail.
 */
import { DoFn, Impulse, Metrics, ParDo, Reshuffle, type Pipeline, type PCollection, type ProcessContext } from '../../../sdk/index.js';
import { defineOptions, type OptionsOf } from '../../../sdk/options/index.js';
import { shardRange } from './events.js';

export const options = defineOptions({
  elements: { type: 'number', integer: true, default: 200_000, describe: 'events in all' },
  shards: { type: 'number', integer: true, default: 8, describe: 'input shards (spread over the workers)' },
});
export type BenchOptions = OptionsOf<typeof options>;

const started = Metrics.distribution('bench', 'startMs');
const workerStarted = Metrics.distribution('bench', 'workerStartMs');
const ended = Metrics.distribution('bench', 'endMs');
const generated = Metrics.distribution('bench', 'generatedMs');
const workerGenerated = Metrics.distribution('bench', 'workerGeneratedMs');

/** Marks the moment an element reached the pipeline's last step. */
export function markEnd(): void {
  ended.update(Date.now());
}

class ShardsFn extends DoFn<Uint8Array, number> {
  constructor(private readonly shards: number) {
    super();
  }
  *process(): Generator<number> {
    for (let s = 0; s < this.shards; s++) yield s;
  }
}

/** Each shard's events, made by `make(i)` for its indices (timestamps, if any, set by `make`'s caller). */
export function shardedInput<T>(p: Pipeline, o: BenchOptions, emit: (i: number, ctx: ProcessContext<T>) => void): PCollection<T> {
  class GenerateFn extends DoFn<number, T> {
    override allowedTimestampSkew = Infinity;
    private first = true;
    private shardsInBundle = 0;
    process(s: number, ctx: ProcessContext<T>): void {
      const now = Date.now();
      started.update(now);
      // Once per worker (a DoFn instance): the spread of these is how much later one worker
      // started working than another (harness start-up on a loaded machine).
      if (this.first) workerStarted.update(now);
      this.first = false;
      this.shardsInBundle++;
      const { from, to } = shardRange(o.elements, o.shards, s);
      for (let i = from; i < to; i++) emit(i, ctx);
      generated.update(Date.now());
    }
    // A worker's shards are one bundle: this is when it made its last event (its precombine has
    // not flushed yet). The spread of these is how unevenly the workers' generation ended.
    override finishBundle(): void {
      if (this.shardsInBundle > 0) workerGenerated.update(Date.now());
      this.shardsInBundle = 0;
    }
  }
  return p
    .apply(Impulse.create())
    .apply('Shards', ParDo.of(new ShardsFn(o.shards)))
    .apply(Reshuffle.viaRandomKey<number>())
    .apply('Events', ParDo.of(new GenerateFn()));
}
