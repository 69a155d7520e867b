/**
 * The backfill → realtime handoff at a cut T (docs/kappa.md, "Going live"):
 *
 * - the backfill (a Kappa+ replay with `range.to = T`) covers every event with event time < T
 *   and ends its watermark at T;
 * - the Kafka read starts, per partition, at the first offset whose record timestamp is ≥ T − B
 *   (B = `maxOutOfOrderness`: a record arrives at most B after its event time, so nothing with
 *   event time ≥ T sits before that offset), drops and counts (`kafka/droppedBelowCut`) every
 *   record with event time < T (the backfill had it), and holds its watermark at ≥ T;
 * - the Kafka read starts only once the backfill is done (until then its watermark holds at T):
 *   it then delivers records and watermark steps as a realtime job would, and early panes hold
 *   only what arrived before their moment;
 * - the two are flattened: the combined watermark is the backfill's until it ends (≤ T), then
 *   the live one (≥ T), so it is monotone, passes T as soon as the backfill is done, and every
 *   event is in exactly one of the two inputs, hence in exactly one pane.
 *
 * The same cut as two jobs: the backfill job runs this pipeline with `startOnly: true` and a
 * checkpoint directory, and is stopped after its replay is done and a checkpoint was taken (it
 * holds the state, the watermark T and the Kafka start offsets); the realtime job runs the same
 * pipeline without `startOnly` from that checkpoint, and carries on from those offsets.
 */
import { Flatten, Map as MapT, PCollectionList, PTransform, type Instant, type PBegin, type PCollection } from '../../sdk/index.js';
import type { KafkaReadOptions } from './options.js';
import { KafkaRead } from './read.js';
import type { KafkaDeadLetter, KafkaRecord } from './record.js';

/** `options` for the live side of a handoff at `cut`: start at T − B, drop event times < T. */
export function handoffReadOptions(options: KafkaReadOptions, cut: Instant): KafkaReadOptions {
  return { ...options, cut, startAt: { timestamp: cut - options.maxOutOfOrderness } };
}

export interface HandoffOutputs<T> {
  /** The backfill's elements, then the live ones, timestamped with their event time. */
  readonly elements: PCollection<T>;
  readonly deadLetter: PCollection<KafkaDeadLetter>;
}

export interface HandoffSpec<T, V> {
  /** Reads every event with event time < cut and ends its watermark at the cut (a Kappa+
   *  replay with `range: { from, to: cut }`). */
  readonly backfill: PTransform<PBegin, PCollection<T>>;
  readonly kafka: KafkaReadOptions;
  readonly cut: Instant;
  /** A Kafka record as the backfill's element type. */
  readonly toElement: (record: KafkaRecord<V>) => T;
}

export class KafkaHandoff<T, V> extends PTransform<PBegin, HandoffOutputs<T>> {
  constructor(private readonly spec: HandoffSpec<T, V>) {
    super('KafkaIO.handoff');
  }

  expand(input: PBegin): HandoffOutputs<T> {
    const { backfill, kafka, cut, toElement } = this.spec;
    const past = input.pipeline.apply('Backfill', backfill);
    // The live read starts once the backfill is done (its watermark passed T): it then delivers
    // its records and watermark steps as a realtime job from the backfill's checkpoint would, so
    // early panes hold what arrived before their moment, not everything read meanwhile.
    const live = input.pipeline.apply('Live', new KafkaRead<V>({ name: 'KafkaIO.handoff', ...handoffReadOptions(kafka, cut) }, { after: past, at: cut }));
    const liveElements = live.records.apply('ToElement', MapT.of(toElement));
    const elements = PCollectionList.of([past, liveElements]).apply('BackfillThenLive', Flatten.pCollections<T>());
    return { elements, deadLetter: live.deadLetter };
  }
}
