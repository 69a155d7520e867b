/**
 * `KafkaIO.read(options)`: an unbounded read of Kafka topics (bounded with `stopAtEnd`). Returns
 * `{ records, deadLetter }`: decoded records timestamped with their event time, and the records
 * that could not be decoded (counted in `kafka/undecodable`).
 */
import { DoFn, Impulse, ParDo, PTransform, View, type Instant, type PBegin, type PCollection, type ProcessContext } from '../../sdk/index.js';
import { validateReadOptions, type KafkaReadOptions } from './options.js';
import type { KafkaDeadLetter, KafkaRecord } from './record.js';
import { KafkaReadFn } from './read-fn.js';
import { CommitOffsetsFn } from './commit-offsets.js';

export interface KafkaReadOutputs<V> {
  readonly records: PCollection<KafkaRecord<V>>;
  readonly deadLetter: PCollection<KafkaDeadLetter>;
}

/** Starts the read only once `after` is complete (its watermark at the end of time), holding the
 *  read's watermark at `at` until then — how a one-job handoff starts its live side. */
export interface KafkaReadStart {
  readonly after: PCollection<unknown>;
  readonly at: Instant;
}

export class KafkaRead<V> extends PTransform<PBegin, KafkaReadOutputs<V>> {
  constructor(
    private readonly options: KafkaReadOptions,
    private readonly start?: KafkaReadStart,
  ) {
    super(options.name ?? 'KafkaIO.read');
    validateReadOptions(options);
  }

  expand(input: PBegin): KafkaReadOutputs<V> {
    let impulse: PCollection<Uint8Array> = input.pipeline.apply('Impulse', Impulse.create());
    const start = this.start;
    if (start) {
      // The read's one input element waits (checkpointed) for a side input that is ready only
      // once `after` is complete; stamped `at`, it holds the read's watermark there meanwhile.
      const done = start.after.apply('Completion', ParDo.of(new DropAll()));
      impulse = impulse
        .apply('AtCut', ParDo.of(new StampAt(start.at)))
        .apply('WaitForCompletion', ParDo.of(new PassAfter()).withSideInputs({ after: View.asIterable(done) }));
    }
    const out = impulse.apply('Read', ParDo.of(new KafkaReadFn<V>(this.options)).withOutputTags('deadLetter', 'positions'));
    // With a group, its committed offsets follow the read (only as far as a checkpoint covers).
    if (this.options.groupId !== undefined) out.positions.apply('CommitOffsets', ParDo.of(new CommitOffsetsFn(this.options.brokers, this.options.groupId)));
    const unbounded = !this.options.stopAtEnd;
    out.main.isBounded = !unbounded;
    out.deadLetter.isBounded = !unbounded;
    out.positions.isBounded = !unbounded;
    return { records: out.main, deadLetter: out.deadLetter };
  }
}

/** Nothing out: what remains of a PCollection is its watermark. */
class DropAll extends DoFn<unknown, never> {
  process(): void {}
}

class StampAt extends DoFn<Uint8Array, Uint8Array> {
  constructor(readonly at: Instant) {
    super();
  }
  process(e: Uint8Array, ctx: ProcessContext<Uint8Array>): void {
    ctx.outputWithTimestamp(e, this.at);
  }
}

/** Passes its element on once the `after` side input is ready (the runner waits for it). */
class PassAfter extends DoFn<Uint8Array, Uint8Array, {}, { after: Iterable<never> }> {
  process(e: Uint8Array, ctx: ProcessContext<Uint8Array, {}, { after: Iterable<never> }>): void {
    ctx.sideInput('after');
    ctx.output(e);
  }
}

