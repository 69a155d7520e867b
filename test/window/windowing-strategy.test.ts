import { describe, expect, it } from 'vitest';
import { pipeline } from '../../portability-proto/index.js';
import type { Coder } from '../../sdk/coders/coder.js';
import { Duration, Instant } from '../../sdk/time/instant.js';
import type { ProtoReadContext, ProtoWriteContext } from '../../sdk/translate/context.js';
import {
  AfterAll,
  AfterCount,
  AfterEach,
  AfterElementMatches,
  AfterFirst,
  AfterProcessingTime,
  AfterWatermark,
  DefaultTrigger,
  EarlyResultEventTimeTrigger,
  Never,
  Repeatedly,
  type Trigger,
} from '../../sdk/trigger/index.js';
import { IntervalWindow } from '../../sdk/window/bounded-window.js';
import { FixedWindows } from '../../sdk/window/fixed.js';
import { GlobalWindows } from '../../sdk/window/global.js';
import { Sessions } from '../../sdk/window/sessions.js';
import { SlidingWindows } from '../../sdk/window/sliding.js';
import { customWindowFn } from '../../sdk/window/window-fn.js';
import {
  WindowingStrategy,
  WindowOptions,
  windowingStrategyFromProto,
  windowingStrategyToProto,
} from '../../sdk/window/windowing-strategy.js';
import { Coders } from '../../sdk/coders/index.js';

/** A context that keeps coders and user functions in maps, as the translator does. */
function contexts(): { write: ProtoWriteContext; read: ProtoReadContext } {
  const coders = new Map<string, Coder<unknown>>();
  const fns = new Map<string, unknown>();
  const slots: Array<Record<string, unknown> | null> = [];
  const write: ProtoWriteContext = {
    triggerSlot: (slot) => void slots.push(slot),
    coderId(c) {
      const id = `c${coders.size}`;
      coders.set(id, c);
      return id;
    },
    userFnId(owner, role, fn) {
      const id = `${owner}#${role}`;
      fns.set(id, fn);
      return id;
    },
  };
  const read: ProtoReadContext = {
    coder: (id) => coders.get(id)!,
    nextTriggerSlot: () => slots.shift() ?? null,
    userFn(id) {
      if (!fns.has(id)) throw new Error(`no user fn ${id}`);
      return fns.get(id);
    },
  };
  return { write, read };
}

function roundTrip(ws: WindowingStrategy): { back: WindowingStrategy; proto: pipeline.WindowingStrategy } {
  const { write, read } = contexts();
  const proto = windowingStrategyToProto(ws, write);
  const decoded = pipeline.WindowingStrategy.decode(pipeline.WindowingStrategy.encode(proto).finish());
  return { back: windowingStrategyFromProto(decoded, read), proto: decoded };
}

const isEnd = (v: { type: string }) => v.type === 'end';

describe('WindowingStrategy', () => {
  it("has Beam's defaults", () => {
    const ws = WindowingStrategy.globalDefault();
    expect(ws.isGlobal()).toBe(true);
    expect(ws.trigger).toBe(DefaultTrigger.INSTANCE);
    expect(ws.accumulationMode).toBe('DISCARDING');
    expect(ws.allowedLateness).toBe(0);
    expect(ws.timestampCombiner).toBe('END_OF_WINDOW');
    expect(ws.onTimeBehavior).toBe('FIRE_ALWAYS');
    expect(ws.closingBehavior).toBe('FIRE_IF_NONEMPTY');
  });

  it('WindowOptions applies set options over the input strategy', () => {
    const input = WindowingStrategy.globalDefault().withAllowedLateness(Duration.minutes(5));
    const out = WindowOptions.into(FixedWindows.of(Duration.minutes(1)))
      .triggering(AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterCount.of(10)))
      .accumulatingFiredPanes()
      .withTimestampCombiner('EARLIEST')
      .applyTo(input);
    expect(out.windowFn.toString()).toBe('FixedWindows(60000ms)');
    expect(out.allowedLateness).toBe(Duration.minutes(5));
    expect(out.accumulationMode).toBe('ACCUMULATING');
    expect(out.timestampCombiner).toBe('EARLIEST');
    expect(() => WindowOptions.into(GlobalWindows.of()).triggering(AfterCount.of(2)).applyTo(WindowingStrategy.globalDefault())).toThrow(
      /needs an accumulation mode/,
    );
  });

  const triggers: Array<[string, Trigger]> = [
    ['default', DefaultTrigger.of()],
    ['never', Never.ever()],
    ['after count', AfterCount.of(3)],
    ['watermark', AfterWatermark.pastEndOfWindow()],
    [
      'watermark early+late',
      AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(Duration.seconds(5))).withLateFirings(AfterCount.of(1)),
    ],
    ['processing time aligned', AfterProcessingTime.pastFirstElementInPane().alignedTo(Duration.minutes(1), Duration.seconds(7)).plusDelayOf(Duration.seconds(2))],
    ['repeatedly', Repeatedly.forever(AfterCount.of(2))],
    ['each', AfterEach.inOrder(AfterCount.of(1), AfterWatermark.pastEndOfWindow())],
    ['first', AfterFirst.of(AfterCount.of(5), AfterWatermark.pastEndOfWindow())],
    ['all', AfterAll.of(AfterCount.of(5), AfterWatermark.pastEndOfWindow())],
    ['or finally', Repeatedly.forever(AfterCount.of(2)).orFinally(AfterCount.of(7))],
  ];
  for (const [name, trigger] of triggers) {
    it(`round-trips the trigger through the proto: ${name}`, () => {
      const ws = WindowingStrategy.of(FixedWindows.of(Duration.seconds(10)), { trigger, accumulationMode: 'ACCUMULATING' });
      const { back } = roundTrip(ws);
      expect(back.trigger.toString()).toBe(trigger.toString());
    });
  }

  it('round-trips every option and the standard window fns with their payloads', () => {
    const fns = [
      GlobalWindows.of(),
      FixedWindows.of(Duration.minutes(1)).withOffset(Duration.seconds(7)),
      SlidingWindows.of(Duration.hours(1)).every(Duration.minutes(5)).withOffset(Duration.millis(1500)),
      Sessions.withGapDuration(Duration.minutes(30)),
    ];
    for (const fn of fns) {
      const ws = WindowingStrategy.of(fn, {
        accumulationMode: 'ACCUMULATING',
        allowedLateness: Duration.hours(2),
        timestampCombiner: 'LATEST',
        onTimeBehavior: 'FIRE_IF_NONEMPTY',
        closingBehavior: 'FIRE_ALWAYS',
      });
      const { back, proto } = roundTrip(ws);
      expect(back.isCompatible(ws)).toBe(true);
      expect(back.windowFn.toString()).toBe(fn.toString());
      expect(proto.mergeStatus).toBe(fn.isMerging ? pipeline.MergeStatus.Enum.NEEDS_MERGE : pipeline.MergeStatus.Enum.NON_MERGING);
      expect(proto.outputTime).toBe(pipeline.OutputTime.Enum.LATEST_IN_PANE);
      expect(proto.closingBehavior).toBe(pipeline.ClosingBehavior.Enum.EMIT_ALWAYS);
    }
  });

  it("writes Beam's standard URN and payload for fixed windows", () => {
    const { proto } = roundTrip(WindowingStrategy.of(FixedWindows.of(Duration.seconds(90)).withOffset(Duration.millis(250))));
    expect(proto.windowFn!.urn).toBe('beam:window_fn:fixed_windows:v1');
    const p = pipeline.FixedWindowsPayload.decode(proto.windowFn!.payload!);
    expect(Number(p.size!.seconds)).toBe(90);
    expect(Number(p.offset!.nanos)).toBe(250_000_000);
  });

  it('a custom window fn travels as tributary:window_fn:custom:v1 and comes back as the same object', () => {
    const fn = customWindowFn({
      name: 'evenOdd',
      assign: (ts) => [new IntervalWindow(ts, (ts + 1) as Instant)],
      coder: () => Coders.intervalWindow() as never,
    });
    const { back, proto } = roundTrip(WindowingStrategy.of(fn));
    expect(proto.windowFn!.urn).toBe('tributary:window_fn:custom:v1');
    expect(back.windowFn).toBe(fn);
  });

  it('the element-predicate trigger survives the proto; the trigger message holds only `never` in its place', () => {
    const trigger = EarlyResultEventTimeTrigger.of(isEnd, 'isEnd');
    const ws = WindowingStrategy.of(Sessions.withGapDuration(Duration.hours(1)), { trigger, accumulationMode: 'ACCUMULATING' });
    const { back, proto } = roundTrip(ws);
    expect(back.trigger.toString()).toBe('AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterElementMatches(isEnd))');
    const early = (back.trigger as unknown as { early: { predicate: unknown } }).early;
    expect(early.predicate).toBe(isEnd);
    const earlyProto = proto.trigger!.afterEndOfWindow!.earlyFirings!;
    expect(earlyProto.never).toBeTruthy();
    expect(pipeline.Trigger.toObject(earlyProto as pipeline.Trigger)).toEqual({ never: {} });
    expect(AfterElementMatches.of(isEnd, 'isEnd').toString()).toBe('AfterElementMatches(isEnd)');
  });
});
