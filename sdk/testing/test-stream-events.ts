/**
 * The TestStream event model (`beam:transform:teststream:v1`) as plain data: tests drive time
 * with it — add timestamped elements, advance the watermark, advance processing time — never
 * with sleeps. The TestStream transform and its runner side build on these events.
 *
 *   const events = TestStreamEvents.create<string>()
 *     .addElements(TimestampedValue.of('a', Instant.ofEpochMillis(1000)), ...)
 *     .advanceWatermarkTo(Instant.ofEpochMillis(5000))
 *     .advanceProcessingTime(Duration.seconds(10))
 *     .advanceWatermarkToInfinity()
 *     .events;
 *
 * As in Beam, the watermark may only move forward (an error names both instants), a
 * processing-time advance must be positive, and elements may be behind the watermark (that is
 * how tests make late data). Translation to and from `TestStreamPayload` encodes each element
 * with the element coder, registered through the context.
 */
import { pipeline, Long } from '../../portability-proto/index.js';
import type { Coder } from '../coders/coder.js';
import { decodeFromBytes, encodeToBytes } from '../coders/helpers.js';
import { toExactMillis } from '../coders/timestamp.js';
import { PipelineConstructionError } from '../errors.js';
import {
  Duration,
  GLOBAL_WINDOW_MAX_EXACT,
  Instant,
  MAX_TIMESTAMP_EXACT,
  MIN_TIMESTAMP_EXACT,
} from '../time/instant.js';
import type { ProtoReadContext, ProtoWriteContext } from '../translate/context.js';

export interface TimestampedValue<T> {
  readonly value: T;
  readonly timestamp: Instant;
}

export const TimestampedValue = {
  of<T>(value: T, timestamp: Instant): TimestampedValue<T> {
    return { value, timestamp };
  },
};

export type TestStreamEvent<T> =
  | { readonly kind: 'elements'; readonly elements: readonly TimestampedValue<T>[]; readonly tag?: string }
  | { readonly kind: 'watermark'; readonly watermark: Instant; readonly tag?: string }
  | { readonly kind: 'processingTime'; readonly advanceBy: Duration };

/** An immutable list of TestStream events, built fluently. */
export class TestStreamEvents<T> {
  private constructor(
    readonly events: readonly TestStreamEvent<T>[],
    private readonly watermarks: ReadonlyMap<string, Instant>,
  ) {}

  static create<T>(): TestStreamEvents<T> {
    return new TestStreamEvents<T>([], new Map());
  }

  /** Elements with their event timestamps (for the main output). */
  addElements(...elements: Array<TimestampedValue<T>>): TestStreamEvents<T> {
    return this.addElementsTo('', ...elements);
  }

  /** Elements for a tagged output (multi-output TestStreams). */
  addElementsTo(tag: string, ...elements: Array<TimestampedValue<T>>): TestStreamEvents<T> {
    for (const e of elements) {
      if (!Number.isFinite(e.timestamp) && !Instant.isMin(e.timestamp) && !Instant.isMax(e.timestamp)) {
        throw new RangeError(`TestStream element timestamp must be an Instant, got ${e.timestamp}`);
      }
    }
    return this.push({ kind: 'elements', elements: [...elements], ...(tag ? { tag } : {}) }, this.watermarks);
  }

  advanceWatermarkTo(watermark: Instant, tag = ''): TestStreamEvents<T> {
    const current = this.watermarks.get(tag) ?? Instant.MIN;
    if (watermark < current) {
      throw new RangeError(
        `TestStream watermark${tag ? ` of "${tag}"` : ''} cannot move backwards: it is at ${Instant.format(
          current,
        )}, asked for ${Instant.format(watermark)}`,
      );
    }
    const next = new Map(this.watermarks);
    next.set(tag, watermark);
    return this.push({ kind: 'watermark', watermark, ...(tag ? { tag } : {}) }, next);
  }

  advanceWatermarkToInfinity(tag = ''): TestStreamEvents<T> {
    return this.advanceWatermarkTo(Instant.MAX, tag);
  }

  advanceProcessingTime(advanceBy: Duration): TestStreamEvents<T> {
    if (!(advanceBy > 0)) throw new RangeError(`TestStream processing time must advance by a positive duration, got ${advanceBy}`);
    return this.push({ kind: 'processingTime', advanceBy }, this.watermarks);
  }

  private push(e: TestStreamEvent<T>, watermarks: ReadonlyMap<string, Instant>): TestStreamEvents<T> {
    return new TestStreamEvents<T>([...this.events, e], watermarks);
  }
}

function int64(t: number): Long {
  return Long.fromString(toExactMillis(t).toString());
}

function fromInt64(v: unknown): Instant {
  if (v === null || v === undefined) return 0 as Instant;
  if (typeof v === 'number') return v as Instant;
  const exact = BigInt((v as { toString(): string }).toString());
  if (exact <= MIN_TIMESTAMP_EXACT) return Instant.MIN;
  if (exact >= MAX_TIMESTAMP_EXACT) return Instant.MAX;
  if (exact === GLOBAL_WINDOW_MAX_EXACT) return Number(GLOBAL_WINDOW_MAX_EXACT) as Instant;
  return Number(exact) as Instant;
}

/** The `TestStreamPayload` of these events, elements encoded with `coder` (registered in ctx). */
export function testStreamPayloadToProto<T>(
  events: readonly TestStreamEvent<T>[],
  coder: Coder<T>,
  ctx: ProtoWriteContext,
): pipeline.TestStreamPayload {
  return pipeline.TestStreamPayload.create({
    coderId: ctx.coderId(coder as Coder<unknown>),
    events: events.map((e): pipeline.TestStreamPayload.IEvent => {
      switch (e.kind) {
        case 'elements':
          return {
            elementEvent: {
              elements: e.elements.map((el) => ({
                encodedElement: encodeToBytes(coder, el.value),
                timestamp: int64(el.timestamp),
              })),
              tag: e.tag ?? '',
            },
          };
        case 'watermark':
          return { watermarkEvent: { newWatermark: int64(e.watermark), tag: e.tag ?? '' } };
        case 'processingTime':
          return { processingTimeEvent: { advanceDuration: e.advanceBy } };
      }
    }),
  });
}

export function testStreamPayloadFromProto<T = unknown>(
  msg: pipeline.ITestStreamPayload,
  ctx: ProtoReadContext,
): { coder: Coder<T>; events: TestStreamEvent<T>[] } {
  if (!msg.coderId) throw new PipelineConstructionError('a TestStreamPayload without a coder_id');
  const coder = ctx.coder(msg.coderId) as Coder<T>;
  const events = (msg.events ?? []).map((e): TestStreamEvent<T> => {
    if (e.elementEvent) {
      const tag = e.elementEvent.tag || undefined;
      return {
        kind: 'elements',
        elements: (e.elementEvent.elements ?? []).map((el) => ({
          value: decodeFromBytes(coder, el.encodedElement ?? new Uint8Array()),
          timestamp: fromInt64(el.timestamp),
        })),
        ...(tag ? { tag } : {}),
      };
    }
    if (e.watermarkEvent) {
      const tag = e.watermarkEvent.tag || undefined;
      return { kind: 'watermark', watermark: fromInt64(e.watermarkEvent.newWatermark), ...(tag ? { tag } : {}) };
    }
    if (e.processingTimeEvent) {
      return { kind: 'processingTime', advanceBy: Number(fromInt64(e.processingTimeEvent.advanceDuration)) as Duration };
    }
    throw new PipelineConstructionError('a TestStreamPayload event with no event set');
  });
  return { coder, events };
}
