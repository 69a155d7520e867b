/** The splittable-DoFn phases of the harness as units alone, on in-memory elements. */
import { describe, expect, it } from 'vitest';
import { PairWithRestrictionUnit, ProcessSizedElementsUnit, SplitAndSizeUnit } from '../../runners/harness/plan/sdf.js';
import type { BundleContext } from '../../runners/harness/plan/context.js';
import type { Receiver } from '../../runners/exec/unit.js';
import { Coders, Duration, Instant, OffsetRangeDoFn, OffsetRangeTracker, ProcessContinuation, kv, type OffsetRange, type RestrictionTracker, type SplittableProcessContext } from '../../sdk/index.js';
import { restrictionWithWatermarkCoder } from '../../sdk/transforms/splittable.js';
import { MetricsContainer } from '../../sdk/metrics/container.js';
import { ByteReader, WindowedValueCoder } from '../../sdk/coders/index.js';
import { GLOBAL_WINDOWS, GlobalWindow } from '../../sdk/window/bounded-window.js';
import { NO_FIRING } from '../../sdk/values/pane.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import { pipeline as beam, type fnExecution as fn } from '../../portability-proto/index.js';

/** Offsets from the restriction's start, one output each, the watermark moved every 5. */
class Counting extends OffsetRangeDoFn<string, number> {
  initialRestriction(): OffsetRange {
    return { from: 0, to: 12 };
  }
  async process(_: string, tracker: RestrictionTracker<OffsetRange, number>, ctx: SplittableProcessContext<number>): Promise<void | ProcessContinuation> {
    for (let i = tracker.currentRestriction().from; tracker.tryClaim(i); i++) {
      ctx.outputWithTimestamp(i, (i * 1000) as Instant);
      if ((i + 1) % 5 === 0) await ctx.watermark.advance(((i + 1) * 1000) as Instant);
    }
  }
}

function sink(): Receiver & { got: WindowedValue<unknown>[] } {
  const got: WindowedValue<unknown>[] = [];
  return { got, receive: (wv) => void got.push(wv) };
}

const inputCoder = new WindowedValueCoder(Coders.kv(Coders.kv(Coders.string(), restrictionWithWatermarkCoder(Coders.json<OffsetRange>())), Coders.double()), Coders.globalWindow() as never);

/** A sized element as the runner hands it: KV(KV(element, KV(restriction, watermark estimate)), size). */
function sized(element: string, range: OffsetRange, estimate: number = Instant.MIN) {
  return kv(kv(element, kv(range, estimate)), 1);
}

function processUnit(out: Receiver) {
  return new ProcessSizedElementsUnit({
    name: 'Read', transformId: 't-read', inputId: 'in', fn: new Counting() as never, main: out, tagged: new Map(), metrics: new MetricsContainer('Read'),
    inputCoder: inputCoder as never, outputIds: ['out'], bounded: true,
  });
}

function bundle(): BundleContext & { residuals: fn.IDelayedBundleApplication[] } {
  return { residuals: [] } as unknown as BundleContext & { residuals: fn.IDelayedBundleApplication[] };
}

describe('splittable-DoFn phases in the harness', () => {
  it('pair with restriction, then split and size, give KV(KV(element, restriction), 1)', () => {
    const out = sink();
    const pair = new PairWithRestrictionUnit({ name: 'Pair', fn: new Counting() as never, output: new SplitAndSizeUnit('Split', out), metrics: new MetricsContainer('p') });
    pair.receive({ value: 'table', timestamp: Instant.MIN, windows: GLOBAL_WINDOWS, pane: NO_FIRING });
    expect(out.got.map((wv) => wv.value)).toEqual([sized('table', { from: 0, to: 12 })]);
  });

  it('a watermark advance checkpoints the read at its next claim: outputs so far, the rest as a residual with the watermark', async () => {
    const out = sink();
    const unit = processUnit(out);
    const b = bundle();
    unit.start(b);
    const element = { value: sized('table', { from: 0, to: 12 }), timestamp: Instant.MIN, windows: GLOBAL_WINDOWS, pane: NO_FIRING };
    await unit.receive(element);
    expect(out.got.map((wv) => wv.value)).toEqual([0, 1, 2, 3, 4]);
    expect(b.residuals).toHaveLength(1);
    const app = b.residuals[0]!.application!;
    expect(app.transformId).toBe('t-read');
    expect(app.inputId).toBe('in');
    // Beam's IsBounded: UNSPECIFIED 0, UNBOUNDED 1, BOUNDED 2 (a bounded read's residual was sent as UNBOUNDED).
    expect(app.isBounded).toBe(beam.IsBounded.Enum.BOUNDED);
    const residual = inputCoder.decode(new ByteReader(app.element!), true);
    expect(residual.value).toEqual(sized('table', { from: 5, to: 12 }, 5000));
    expect(residual.windows[0]).toBe(GlobalWindow.INSTANCE);
    expect(Number(app.outputWatermarks!.out!.seconds)).toBe(5);
    expect(b.residuals[0]!.requestedTimeDelay).toBeUndefined();

    // The runner sends the residual back: the read goes on from 5, and ends without a residual.
    const rest = sink();
    const again = processUnit(rest);
    const b2 = bundle();
    again.start(b2);
    await again.receive(residual);
    expect(rest.got.map((wv) => wv.value)).toEqual([5, 6, 7, 8, 9]);
    const last = inputCoder.decode(new ByteReader(b2.residuals[0]!.application!.element!), true);
    const b3 = bundle();
    const final = sink();
    const third = processUnit(final);
    third.start(b3);
    await third.receive(last);
    expect(final.got.map((wv) => wv.value)).toEqual([10, 11]);
    expect(b3.residuals).toHaveLength(0);
  });

  it('a read that advances its watermark after its last claim and ends: a residual of nothing left carries the estimate (the runner sees it before the end of input)', async () => {
    /** Claims its whole range, then moves the watermark to the range's end (a replay's last step). */
    class AdvancesLast extends Counting {
      override async process(_: string, tracker: RestrictionTracker<OffsetRange, number>, ctx: SplittableProcessContext<number>) {
        let i = tracker.currentRestriction().from;
        for (; tracker.tryClaim(i); i++) ctx.outputWithTimestamp(i, (i * 1000) as Instant);
        await ctx.watermark.advance((i * 1000) as Instant);
      }
    }
    const make = (out: Receiver) => new ProcessSizedElementsUnit({ name: 'R', transformId: 't', inputId: 'in', fn: new AdvancesLast() as never, main: out, tagged: new Map(), metrics: new MetricsContainer('R'), inputCoder: inputCoder as never, outputIds: ['out'], bounded: true });
    const out = sink();
    const b = bundle();
    const unit = make(out);
    unit.start(b);
    await unit.receive({ value: sized('t', { from: 0, to: 3 }), timestamp: Instant.MIN, windows: GLOBAL_WINDOWS, pane: NO_FIRING });
    expect(out.got.map((wv) => wv.value)).toEqual([0, 1, 2]);
    expect(b.residuals).toHaveLength(1);
    const app = b.residuals[0]!.application!;
    expect(Number(app.outputWatermarks!.out!.seconds)).toBe(3);
    // It asks the runner to wait a moment, so the estimate reaches a busy stage downstream first.
    expect(b.residuals[0]!.requestedTimeDelay!.nanos).toBe(500_000_000);
    const residual = inputCoder.decode(new ByteReader(app.element!), true);
    expect(residual.value).toEqual(sized('t', { from: 3, to: 3 }, 3000));

    // Its estimate is rounded up to a whole second (Beam's Java runners drop the milliseconds of
    // a residual's watermark; nothing more can come from it, so rounding up is safe).
    class AdvancesPast extends AdvancesLast {
      override async process(e: string, tracker: RestrictionTracker<OffsetRange, number>, ctx: SplittableProcessContext<number>) {
        await super.process(e, tracker, ctx);
        await ctx.watermark.advance(2_500 as Instant);
      }
    }
    const b0 = bundle();
    const past = new ProcessSizedElementsUnit({ name: 'R', transformId: 't', inputId: 'in', fn: new AdvancesPast() as never, main: sink(), tagged: new Map(), metrics: new MetricsContainer('R'), inputCoder: inputCoder as never, outputIds: ['out'], bounded: true });
    past.start(b0);
    await past.receive({ value: sized('t', { from: 0, to: 2 }), timestamp: Instant.MIN, windows: GLOBAL_WINDOWS, pane: NO_FIRING });
    expect(Number(b0.residuals[0]!.application!.outputWatermarks!.out!.seconds)).toBe(3);
    expect(b0.residuals[0]!.application!.outputWatermarks!.out!.nanos).toBe(0);

    // Resumed, it claims nothing: no output, and no residual again (it would be resumed forever).
    const rest = sink();
    const b2 = bundle();
    const again = make(rest);
    again.start(b2);
    await again.receive(residual);
    expect(rest.got).toHaveLength(0);
    expect(b2.residuals).toHaveLength(0);
  });

  it('the DoFn gets its own tracker object: methods of its own still work through the claim guard', async () => {
    class Custom extends OffsetRangeTracker {
      note(): string {
        return 'mine';
      }
    }
    const seen: string[] = [];
    class UsesOwn extends Counting {
      override newTracker(r: OffsetRange) {
        return new Custom(r);
      }
      override async process(_: string, tracker: RestrictionTracker<OffsetRange, number>, ctx: SplittableProcessContext<number>) {
        seen.push((tracker as Custom).note());
        if (tracker.tryClaim(0)) ctx.outputWithTimestamp(0, 0 as Instant);
      }
    }
    const out = sink();
    const unit = new ProcessSizedElementsUnit({ name: 'R', transformId: 't', inputId: 'in', fn: new UsesOwn() as never, main: out, tagged: new Map(), metrics: new MetricsContainer('R'), inputCoder: inputCoder as never, outputIds: ['out'], bounded: true });
    unit.start(bundle());
    await unit.receive({ value: sized('t', { from: 0, to: 1 }), timestamp: Instant.MIN, windows: GLOBAL_WINDOWS, pane: NO_FIRING });
    expect(seen).toEqual(['mine']);
    expect(out.got).toHaveLength(1);
  });

  it('an idle read returns resume(): the rest as a residual with its estimate and the resume delay; called again, it starts from that estimate', async () => {
    /** Claims what is there (up to 2), moves the watermark, then has nothing more for now. */
    const seen: Array<{ current: number; requested: boolean[] }> = [];
    class Idle extends Counting {
      override async process(_: string, tracker: RestrictionTracker<OffsetRange, number>, ctx: SplittableProcessContext<number>) {
        const requested: boolean[] = [ctx.resumeRequested];
        seen.push({ current: ctx.watermark.current, requested });
        let i = tracker.currentRestriction().from;
        for (; i < 2 && tracker.tryClaim(i); i++) ctx.outputWithTimestamp(i, (i * 1000) as Instant);
        // An advance to where the estimate already is hands nothing over: no resume asked.
        await ctx.watermark.advance(ctx.watermark.current);
        requested.push(ctx.resumeRequested);
        await ctx.watermark.advance(Math.max(ctx.watermark.current, 7000) as Instant);
        requested.push(ctx.resumeRequested);
        return ProcessContinuation.resume(Duration.millis(1500));
      }
    }
    const make = (out: Receiver) => new ProcessSizedElementsUnit({ name: 'R', transformId: 't', inputId: 'in', fn: new Idle() as never, main: out, tagged: new Map(), metrics: new MetricsContainer('R'), inputCoder: inputCoder as never, outputIds: ['out'], bounded: false });
    const out = sink();
    const b = bundle();
    const unit = make(out);
    unit.start(b);
    await unit.receive({ value: sized('t', { from: 0, to: Number.MAX_SAFE_INTEGER }), timestamp: Instant.MIN, windows: GLOBAL_WINDOWS, pane: NO_FIRING });
    expect(out.got.map((wv) => wv.value)).toEqual([0, 1]);
    expect(seen[0]).toEqual({ current: Instant.MIN, requested: [false, false, true] });
    expect(b.residuals).toHaveLength(1);
    const app = b.residuals[0]!;
    expect(Number(app.application!.outputWatermarks!.out!.seconds)).toBe(7);
    expect(app.application!.isBounded).toBe(beam.IsBounded.Enum.UNBOUNDED);
    expect(Number(app.requestedTimeDelay!.seconds)).toBe(1);
    expect(app.requestedTimeDelay!.nanos).toBe(500_000_000);
    const residual = inputCoder.decode(new ByteReader(app.application!.element!), true);
    expect(residual.value).toEqual(sized('t', { from: 2, to: Number.MAX_SAFE_INTEGER }, 7000));

    // Resumed: its estimator starts at 7 s, so advancing there again asks for nothing.
    const b2 = bundle();
    const again = make(sink());
    again.start(b2);
    await again.receive(residual);
    expect(seen[1]).toEqual({ current: 7000, requested: [false, false, false] });
    expect(Number(b2.residuals[0]!.application!.outputWatermarks!.out!.seconds)).toBe(7);
  });
});
