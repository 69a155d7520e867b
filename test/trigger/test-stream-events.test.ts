import { describe, expect, it } from 'vitest';
import protobufjs from 'protobufjs/minimal.js';
import { pipeline } from '../../portability-proto/index.js';
import type { Coder } from '../../sdk/coders/coder.js';
import { Coders } from '../../sdk/coders/index.js';
import { Duration, Instant } from '../../sdk/time/instant.js';
import {
  TestStreamEvents,
  TimestampedValue,
  testStreamPayloadFromProto,
  testStreamPayloadToProto,
} from '../../sdk/testing/test-stream-events.js';

const t = (ms: number) => Instant.ofEpochMillis(ms);

describe('TestStream events', () => {
  const events = TestStreamEvents.create<string>()
    .addElements(TimestampedValue.of('a', t(1000)), TimestampedValue.of('b', t(4000)))
    .advanceWatermarkTo(t(5000))
    .advanceProcessingTime(Duration.seconds(10))
    .addElements(TimestampedValue.of('late', t(2000)))
    .advanceWatermarkToInfinity().events;

  it('is plain data', () => {
    expect(events.map((e) => e.kind)).toEqual(['elements', 'watermark', 'processingTime', 'elements', 'watermark']);
    expect(events[4]).toEqual({ kind: 'watermark', watermark: Instant.MAX });
  });

  it('rejects a watermark moving backwards and non-positive processing-time advances', () => {
    const s = TestStreamEvents.create<string>().advanceWatermarkTo(t(10));
    expect(() => s.advanceWatermarkTo(t(9))).toThrow(/cannot move backwards/);
    expect(() => s.advanceProcessingTime(Duration.ZERO)).toThrow(/positive/);
  });

  it('round-trips through TestStreamPayload with the element coder, +inf as Beam max timestamp', () => {
    const coders = new Map<string, Coder<unknown>>();
    const payload = testStreamPayloadToProto(events, Coders.string(), {
      coderId: (c) => (coders.set('c0', c), 'c0'),
      userFnId: () => 'x',
    });
    const bytes = pipeline.TestStreamPayload.encode(payload).finish();
    const decoded = pipeline.TestStreamPayload.decode(protobufjs.Reader.create(bytes));
    expect(decoded.events[4]!.watermarkEvent!.newWatermark!.toString()).toBe('9223372036854775');
    const back = testStreamPayloadFromProto<string>(decoded, { coder: (id) => coders.get(id)!, userFn: () => undefined });
    expect(back.events).toEqual(events);
  });
});
