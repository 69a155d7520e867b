/**
 * `KafkaIO.read(options)`: an unbounded read of Kafka topics (bounded with `stopAtEnd`). Returns
 * `{ records, deadLetter }`: decoded records timestamped with their event time, and the records
 * that could not be decoded (counted in `kafka/undecodable`).
 */
import { Impulse, ParDo, PTransform, type PBegin, type PCollection } from '../../sdk/index.js';
import { validateReadOptions, type KafkaReadOptions } from './options.js';
import type { KafkaDeadLetter, KafkaRecord } from './record.js';
import { KafkaReadFn } from './read-fn.js';
import { CommitOffsetsFn } from './commit-offsets.js';

export interface KafkaReadOutputs<V> {
  readonly records: PCollection<KafkaRecord<V>>;
  readonly deadLetter: PCollection<KafkaDeadLetter>;
}

export class KafkaRead<V> extends PTransform<PBegin, KafkaReadOutputs<V>> {
  constructor(private readonly options: KafkaReadOptions) {
    super(options.name ?? 'KafkaIO.read');
    validateReadOptions(options);
  }

  expand(input: PBegin): KafkaReadOutputs<V> {
    const impulse = input.pipeline.apply('Impulse', Impulse.create());
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
