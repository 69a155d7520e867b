/**
 * Root sources: what starts elements moving. Each runs as its own task and hands the executor
 * bundles and watermark moves; the executor serializes them.
 */
import { pipeline as beam, Long } from '../../portability-proto/index.js';
import { decodeFromBytes } from '../../sdk/coders/index.js';
import type { ProtoReader } from '../../sdk/translate/from-proto.js';
import { Duration, Instant } from '../../sdk/time/instant.js';
import { inGlobalWindow, type WindowedValue } from '../../sdk/values/windowed-value.js';
import { PlanError } from '../exec/errors.js';

/**
 * What a root hands the executor. `position`, when given, is where the source will be once the
 * call is processed (structured-clonable): the executor may then checkpoint right after it, and
 * a resumed run starts the source there.
 */
export interface RootContext {
  /** Processes one bundle of elements through the graph. */
  emit(elements: readonly WindowedValue<unknown>[], position?: unknown): Promise<void>;
  /** The source promises no more elements before `watermark`. */
  advanceWatermark(watermark: Instant, position?: unknown): Promise<void>;
  advanceProcessingTime(by: Duration, position?: unknown): Promise<void>;
  readonly cancelled: boolean;
}

export interface RootSource {
  /** Runs the source; `from` is a position it reported, when resuming from a checkpoint. */
  run(ctx: RootContext, from?: unknown): Promise<void>;
  /** What is wrong with a position read back from a checkpoint (undefined: nothing). A source
   *  without this method never reports positions, so any position for it is wrong. */
  checkPosition?(position: unknown): string | undefined;
}

export class ImpulseSource implements RootSource {
  async run(ctx: RootContext): Promise<void> {
    await ctx.emit([inGlobalWindow(new Uint8Array(0))]);
    await ctx.advanceWatermark(Instant.MAX);
  }
}

type TestStreamStep =
  | { readonly kind: 'elements'; readonly elements: readonly WindowedValue<unknown>[] }
  | { readonly kind: 'watermark'; readonly watermark: Instant }
  | { readonly kind: 'processingTime'; readonly advance: Duration };

/** Replays a TestStream's events in order; the watermark ends at +∞. Its position is the
 *  number of events done, so a run resumed from a checkpoint goes on with the next one. */
export class TestStreamSource implements RootSource {
  constructor(private readonly steps: readonly TestStreamStep[]) {}

  static fromPayload(payload: beam.TestStreamPayload, reader: ProtoReader): TestStreamSource {
    const coder = reader.coder(payload.coderId);
    const steps: TestStreamStep[] = payload.events.map((e): TestStreamStep => {
      if (e.elementEvent) {
        return {
          kind: 'elements',
          elements: (e.elementEvent.elements ?? []).map((el) =>
            inGlobalWindow(decodeFromBytes(coder, el.encodedElement ?? new Uint8Array()), toMillis(el.timestamp) as Instant),
          ),
        };
      }
      if (e.watermarkEvent) return { kind: 'watermark', watermark: toMillis(e.watermarkEvent.newWatermark) as Instant };
      if (e.processingTimeEvent) return { kind: 'processingTime', advance: toMillis(e.processingTimeEvent.advanceDuration) as Duration };
      throw new PlanError('', 'TestStream event with no element, watermark or processing-time part: the TestStream payload is malformed');
    });
    return new TestStreamSource(steps);
  }

  checkPosition(position: unknown): string | undefined {
    const n = this.steps.length;
    if (!Number.isSafeInteger(position) || (position as number) < 1 || (position as number) > n) {
      return `is ${typeof position === 'number' ? position : typeof position}, not a count of TestStream events done (1 to ${n})`;
    }
    return undefined;
  }

  async run(ctx: RootContext, from?: unknown): Promise<void> {
    const steps = this.steps;
    for (let i = typeof from === 'number' ? from : 0; i < steps.length; i++) {
      if (ctx.cancelled) return;
      const step = steps[i]!;
      if (step.kind === 'elements') await ctx.emit(step.elements, i + 1);
      else if (step.kind === 'watermark') await ctx.advanceWatermark(step.watermark, i + 1);
      else await ctx.advanceProcessingTime(step.advance, i + 1);
    }
    await ctx.advanceWatermark(Instant.MAX);
  }
}

function toMillis(v: number | Long | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  // Beam's bounds do not fit a double exactly; the nearest double is our ±∞ either way.
  return Number(v.toString());
}
