/**
 * Window.into (`beam:transform:window_into:v1`): assigns elements to windows and sets how and
 * when grouping operations downstream fire (trigger, accumulation, lateness, timestamp
 * combiner). Beam's builder, by name:
 *
 *   pcoll.apply(Window.into<Event>(FixedWindows.of(Duration.minutes(1)))
 *     .triggering(AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterCount.of(10)))
 *     .withAllowedLateness(Duration.hours(1))
 *     .accumulatingFiredPanes())
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import type { PCollection } from '../graph/pcollection.js';
import { PTransform, type ExpandContext } from '../graph/ptransform.js';
import { coderOf } from '../translate/to-proto.js';
import type { Trigger } from '../trigger/trigger.js';
import type { Duration } from '../time/instant.js';
import { URN } from '../urns.js';
import type { BoundedWindow } from '../window/bounded-window.js';
import type { WindowFn } from '../window/window-fn.js';
import { windowFnToProto } from '../window/window-fn-proto.js';
import { WindowOptions, type ClosingBehavior, type OnTimeBehavior, type TimestampCombiner } from '../window/windowing-strategy.js';

export class Window<T> extends PTransform<PCollection<T>, PCollection<T>> {
  private constructor(private readonly options: WindowOptions) {
    super('Window');
  }

  /** Assigns elements to the windows of `windowFn`. */
  static into<T>(windowFn: WindowFn<BoundedWindow>): Window<T> {
    return new Window<T>(WindowOptions.into(windowFn));
  }

  /** Keeps the window fn and changes only triggering, lateness or accumulation. */
  static configure<T>(): Window<T> {
    return new Window<T>(WindowOptions.configure());
  }

  triggering(trigger: Trigger): Window<T> {
    return new Window<T>(this.options.triggering(trigger));
  }
  discardingFiredPanes(): Window<T> {
    return new Window<T>(this.options.discardingFiredPanes());
  }
  accumulatingFiredPanes(): Window<T> {
    return new Window<T>(this.options.accumulatingFiredPanes());
  }
  withAllowedLateness(lateness: Duration, closingBehavior?: ClosingBehavior): Window<T> {
    return new Window<T>(this.options.withAllowedLateness(lateness, closingBehavior));
  }
  withTimestampCombiner(combiner: TimestampCombiner): Window<T> {
    return new Window<T>(this.options.withTimestampCombiner(combiner));
  }
  withOnTimeBehavior(behavior: OnTimeBehavior): Window<T> {
    return new Window<T>(this.options.withOnTimeBehavior(behavior));
  }

  expand(input: PCollection<T>, ctx: ExpandContext): PCollection<T> {
    const windowing = this.options.applyTo(input.windowing);
    ctx.setSpec({
      urn: URN.WINDOW_INTO,
      payload: (w) => beam.WindowIntoPayload.encode({ windowFn: windowFnToProto(windowing.windowFn, w) }).finish(),
    });
    return ctx.createOutput<T>('out', {
      windowing,
      coder: () => coderOf(input),
    });
  }
}
