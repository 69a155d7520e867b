/** Partition: splits a PCollection into `n` by a function of each element. */
import { PipelineConstructionError } from '../errors.js';
import type { PCollection } from '../graph/pcollection.js';
import { PTransform } from '../graph/ptransform.js';
import { DoFn, type ProcessContext } from './dofn.js';
import { ParDo } from './pardo.js';

type PartitionTags = Record<string, unknown>;

class PartitionFn<T> extends DoFn<T, T, PartitionTags> {
  constructor(
    readonly n: number,
    readonly fn: (element: T, n: number) => number,
  ) {
    super();
  }
  process(element: T, ctx: ProcessContext<T, PartitionTags>): void {
    const i = this.fn(element, this.n);
    if (!Number.isInteger(i) || i < 0 || i >= this.n) {
      throw new RangeError(`the partition function returned ${String(i)}; it must be an integer in [0, ${this.n})`);
    }
    if (i === 0) ctx.output(element);
    else ctx.outputTo(`p${i}`, element);
  }
}

export class Partition<T> extends PTransform<PCollection<T>, PCollection<T>[]> {
  private constructor(
    readonly n: number,
    readonly fn: (element: T, n: number) => number,
  ) {
    super('Partition');
  }

  static of<T>(n: number, fn: (element: T, n: number) => number): Partition<T> {
    if (!Number.isInteger(n) || n < 1) throw new PipelineConstructionError(`Partition.of needs a positive number of partitions, got ${n}`);
    return new Partition(n, fn);
  }

  expand(input: PCollection<T>): PCollection<T>[] {
    const fn = new PartitionFn(this.n, this.fn);
    if (this.n === 1) return [input.apply('Split', ParDo.of(fn))];
    const tags = Array.from({ length: this.n - 1 }, (_, i) => `p${i + 1}`);
    const outs = input.apply('Split', ParDo.of(fn).withOutputTags(...tags)) as unknown as Record<string, PCollection<T>>;
    return [outs.main!, ...tags.map((t) => outs[t]!)];
  }
}
