/**
 * A minimal TestStream for the connector tests (`beam:transform:teststream:v1`, elements coded
 * with the JSON coder): add timestamped elements, advance the watermark; the direct runner
 * replays the events in order. Enough to make a partition's pane late, deterministically.
 */
import { pipeline as beam } from '../../../portability-proto/index.js';
import { Coders, encodeToBytes } from '../../../sdk/coders/index.js';
import { PTransform, URN, type ExpandContext, type PBegin, type PCollection } from '../../../sdk/index.js';

type Event<T> = { elements: { value: T; timestamp: number }[] } | { watermark: number };

export class TestEvents<T> extends PTransform<PBegin, PCollection<T>> {
  private readonly events: Event<T>[] = [];
  constructor() {
    super('TestStream');
  }
  addElements(...elements: { value: T; timestamp: number }[]): this {
    this.events.push({ elements });
    return this;
  }
  advanceWatermarkTo(watermark: number): this {
    this.events.push({ watermark });
    return this;
  }
  expand(_input: PBegin, ctx: ExpandContext): PCollection<T> {
    const events = this.events;
    const coder = Coders.json<T>();
    ctx.setSpec({
      urn: URN.TEST_STREAM,
      payload: (w) =>
        beam.TestStreamPayload.encode({
          coderId: w.coderId(coder as never),
          events: events.map((e) =>
            'watermark' in e
              ? { watermarkEvent: { newWatermark: e.watermark } }
              : { elementEvent: { elements: e.elements.map((el) => ({ encodedElement: encodeToBytes(coder, el.value), timestamp: el.timestamp })) } },
          ),
        }).finish(),
    });
    return ctx.createOutput<T>('out', { coder: () => coder, isBounded: false });
  }
}
