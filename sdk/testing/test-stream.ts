/**
 * TestStream (`beam:transform:teststream:v1`): a source whose elements, watermark and processing
 * time advance exactly as the test scripts them. Tests drive time with it, never with sleeps.
 *
 *   p.apply(TestStream.create<string>()
 *     .addElements({ value: 'a', timestamp: at(1) }, { value: 'b', timestamp: at(4) })
 *     .advanceWatermarkTo(at(5))
 *     .addElements({ value: 'c', timestamp: at(2) })   // late
 *     .advanceWatermarkToInfinity())
 */
import { pipeline as beam, Long } from '../../portability-proto/index.js';
import { encodeToBytes, type Coder } from '../coders/index.js';
import { coderOf } from '../translate/to-proto.js';
import { PipelineConstructionError } from '../errors.js';
import type { PBegin, PCollection } from '../graph/pcollection.js';
import { PTransform, type ExpandContext } from '../graph/ptransform.js';
import { Instant, type Duration } from '../time/instant.js';
import type { TimestampedValue } from '../transforms/create.js';
import { URN } from '../urns.js';

export type TestStreamEvent<T> =
  | { readonly kind: 'elements'; readonly elements: readonly TimestampedValue<T>[] }
  | { readonly kind: 'watermark'; readonly watermark: Instant }
  | { readonly kind: 'processingTime'; readonly advance: Duration };

export class TestStreamBuilder<T> {
  constructor(
    private readonly coder: Coder<T> | undefined,
    private readonly events: readonly TestStreamEvent<T>[],
    private readonly watermark: Instant,
  ) {}

  /** Adds elements; a bare value gets the minimum timestamp. */
  addElements(...elements: Array<TimestampedValue<T>>): TestStreamBuilder<T> {
    if (elements.length === 0) throw new PipelineConstructionError('TestStream.addElements needs at least one element');
    return new TestStreamBuilder(this.coder, [...this.events, { kind: 'elements', elements }], this.watermark);
  }

  /** Promises no more elements before `watermark`; moving it backwards is an error. */
  advanceWatermarkTo(watermark: Instant): TestStreamBuilder<T> {
    if (watermark < this.watermark) {
      throw new PipelineConstructionError(
        `TestStream.advanceWatermarkTo(${Instant.format(watermark)}) moves the watermark backwards from ${Instant.format(this.watermark)}`,
      );
    }
    return new TestStreamBuilder(this.coder, [...this.events, { kind: 'watermark', watermark }], watermark);
  }

  advanceProcessingTime(by: Duration): TestStreamBuilder<T> {
    if (by <= 0) throw new PipelineConstructionError(`TestStream.advanceProcessingTime needs a positive duration, got ${by} ms`);
    return new TestStreamBuilder(this.coder, [...this.events, { kind: 'processingTime', advance: by }], this.watermark);
  }

  /** Ends the script: the watermark goes to +∞ (every window closes). */
  advanceWatermarkToInfinity(): TestStream<T> {
    return new TestStream<T>(this.coder, [...this.events, { kind: 'watermark', watermark: Instant.MAX }]);
  }
}

export class TestStream<T> extends PTransform<PBegin, PCollection<T>> {
  constructor(
    private readonly coder: Coder<T> | undefined,
    readonly events: readonly TestStreamEvent<T>[],
  ) {
    super('TestStream');
  }

  static create<T>(coder?: Coder<T>): TestStreamBuilder<T> {
    return new TestStreamBuilder<T>(coder, [], Instant.MIN);
  }

  expand(_input: PBegin, ctx: ExpandContext): PCollection<T> {
    const events = this.events;
    const explicit = this.coder;
    // Unset, the coder follows the defaults (JSON, or KV of JSON when grouped downstream).
    const out = ctx.createOutput<T>('out', { coder: explicit ? () => explicit : undefined, isBounded: false });
    ctx.setSpec({
      urn: URN.TEST_STREAM,
      payload: (w) => {
        const coder = coderOf(out);
        return beam.TestStreamPayload.encode({
          coderId: w.coderId(coder as Coder<unknown>),
          events: events.map((e): beam.TestStreamPayload.IEvent => {
            switch (e.kind) {
              case 'elements':
                return {
                  elementEvent: {
                    elements: e.elements.map((el) => ({ encodedElement: encodeToBytes(coder, el.value), timestamp: exactMillis(el.timestamp) })),
                  },
                };
              case 'watermark':
                return { watermarkEvent: { newWatermark: exactMillis(e.watermark) } };
              case 'processingTime':
                return { processingTimeEvent: { advanceDuration: e.advance } };
            }
          }),
        }).finish();
      },
    });
    return out;
  }
}

/** int64 millis for the proto; Beam's ±∞ do not fit a double exactly, so they go as strings. */
function exactMillis(t: Instant): number | Long {
  if (t >= Instant.MAX) return Long.fromString('9223372036854775');
  if (t <= Instant.MIN) return Long.fromString('-9223372036854775');
  return t;
}
