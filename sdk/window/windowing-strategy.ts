/**
 * A PCollection's windowing: the window fn, the trigger, accumulation mode, allowed lateness,
 * timestamp combiner, on-time and closing behaviour — Beam's WindowingStrategy, with Beam's
 * defaults (global windows, default trigger, DISCARDING, zero lateness, END_OF_WINDOW,
 * on-time FIRE_ALWAYS, closing FIRE_IF_NONEMPTY).
 *
 * `WindowOptions` is what `Window.into(fn).triggering(...)...` collects; `applyTo` turns it into
 * the output strategy from the input's (unset options keep the input's values, as in Beam).
 */
import { pipeline } from '../../portability-proto/index.js';
import { PipelineConstructionError } from '../errors.js';
import { Duration } from '../time/instant.js';
import type { ProtoReadContext, ProtoWriteContext } from '../translate/context.js';
import { DefaultTrigger } from '../trigger/default.js';
import { triggerFromProto, triggerToProto } from '../trigger/proto.js';
import type { Trigger } from '../trigger/trigger.js';
import type { BoundedWindow } from './bounded-window.js';
import { GlobalWindows } from './global.js';
import { windowFnFromProto, windowFnToProto } from './window-fn-proto.js';
import type { WindowFn } from './window-fn.js';

export type AccumulationMode = 'ACCUMULATING' | 'DISCARDING';
/** Which timestamp a pane's output gets: the window's max timestamp, or the earliest / latest
 *  element timestamp of the pane (as far as the output watermark allowed holding it). */
export type TimestampCombiner = 'END_OF_WINDOW' | 'EARLIEST' | 'LATEST';
/** Whether the ON_TIME pane fires even when it has no new elements. */
export type OnTimeBehavior = 'FIRE_ALWAYS' | 'FIRE_IF_NONEMPTY';
/** Whether the final pane at garbage collection fires even when it has no new elements. */
export type ClosingBehavior = 'FIRE_ALWAYS' | 'FIRE_IF_NONEMPTY';

export interface WindowingStrategyProps {
  readonly windowFn: WindowFn<BoundedWindow>;
  readonly trigger: Trigger;
  readonly accumulationMode: AccumulationMode;
  readonly allowedLateness: Duration;
  readonly timestampCombiner: TimestampCombiner;
  readonly onTimeBehavior: OnTimeBehavior;
  readonly closingBehavior: ClosingBehavior;
}

export class WindowingStrategy implements WindowingStrategyProps {
  readonly windowFn: WindowFn<BoundedWindow>;
  readonly trigger: Trigger;
  readonly accumulationMode: AccumulationMode;
  readonly allowedLateness: Duration;
  readonly timestampCombiner: TimestampCombiner;
  readonly onTimeBehavior: OnTimeBehavior;
  readonly closingBehavior: ClosingBehavior;

  static readonly DEFAULTS: Omit<WindowingStrategyProps, 'windowFn'> = Object.freeze({
    trigger: DefaultTrigger.INSTANCE,
    accumulationMode: 'DISCARDING',
    allowedLateness: Duration.ZERO,
    timestampCombiner: 'END_OF_WINDOW',
    onTimeBehavior: 'FIRE_ALWAYS',
    closingBehavior: 'FIRE_IF_NONEMPTY',
  });

  /** Global windows with every other option at Beam's default. */
  static globalDefault(): WindowingStrategy {
    return new WindowingStrategy({ windowFn: GlobalWindows.INSTANCE });
  }

  /** `windowFn` with every other option at Beam's default unless given. */
  static of(windowFn: WindowFn<BoundedWindow>, props: Partial<Omit<WindowingStrategyProps, 'windowFn'>> = {}): WindowingStrategy {
    return new WindowingStrategy({ ...props, windowFn });
  }

  constructor(props: Partial<WindowingStrategyProps> & { windowFn: WindowFn<BoundedWindow> }) {
    const d = WindowingStrategy.DEFAULTS;
    this.windowFn = props.windowFn;
    this.trigger = props.trigger ?? d.trigger;
    this.accumulationMode = props.accumulationMode ?? d.accumulationMode;
    this.allowedLateness = props.allowedLateness ?? d.allowedLateness;
    this.timestampCombiner = props.timestampCombiner ?? d.timestampCombiner;
    this.onTimeBehavior = props.onTimeBehavior ?? d.onTimeBehavior;
    this.closingBehavior = props.closingBehavior ?? d.closingBehavior;
    if (!(this.allowedLateness >= 0)) {
      throw new RangeError(`allowed lateness must be ≥ 0, got ${this.allowedLateness}`);
    }
    Object.freeze(this);
  }

  with(props: Partial<WindowingStrategyProps>): WindowingStrategy {
    return new WindowingStrategy({ ...this.props(), ...props });
  }
  withWindowFn(windowFn: WindowFn<BoundedWindow>): WindowingStrategy {
    return this.with({ windowFn });
  }
  withTrigger(trigger: Trigger): WindowingStrategy {
    return this.with({ trigger });
  }
  withAccumulationMode(accumulationMode: AccumulationMode): WindowingStrategy {
    return this.with({ accumulationMode });
  }
  withAllowedLateness(allowedLateness: Duration): WindowingStrategy {
    return this.with({ allowedLateness });
  }
  withTimestampCombiner(timestampCombiner: TimestampCombiner): WindowingStrategy {
    return this.with({ timestampCombiner });
  }
  withOnTimeBehavior(onTimeBehavior: OnTimeBehavior): WindowingStrategy {
    return this.with({ onTimeBehavior });
  }
  withClosingBehavior(closingBehavior: ClosingBehavior): WindowingStrategy {
    return this.with({ closingBehavior });
  }

  props(): WindowingStrategyProps {
    return {
      windowFn: this.windowFn,
      trigger: this.trigger,
      accumulationMode: this.accumulationMode,
      allowedLateness: this.allowedLateness,
      timestampCombiner: this.timestampCombiner,
      onTimeBehavior: this.onTimeBehavior,
      closingBehavior: this.closingBehavior,
    };
  }

  isGlobal(): boolean {
    return this.windowFn instanceof GlobalWindows;
  }

  isDefaultTrigger(): boolean {
    return this.trigger instanceof DefaultTrigger;
  }
  /** Alias of `isDefaultTrigger`. */
  hasDefaultTrigger(): boolean {
    return this.isDefaultTrigger();
  }

  /** True when the two can be flattened together: compatible window fns and equal options. */
  isCompatible(other: WindowingStrategy): boolean {
    return (
      this.windowFn.isCompatible(other.windowFn) &&
      this.trigger.equals(other.trigger) &&
      this.accumulationMode === other.accumulationMode &&
      this.allowedLateness === other.allowedLateness &&
      this.timestampCombiner === other.timestampCombiner &&
      this.onTimeBehavior === other.onTimeBehavior &&
      this.closingBehavior === other.closingBehavior
    );
  }

  toString(): string {
    return (
      `WindowingStrategy(${this.windowFn}, ${this.trigger}, ${this.accumulationMode}, ` +
      `lateness ${this.allowedLateness}ms, ${this.timestampCombiner}, on time ${this.onTimeBehavior}, ` +
      `closing ${this.closingBehavior})`
    );
  }
}

/**
 * The options of a `Window.into(...)`: each set option replaces the input's; unset ones keep it.
 * Immutable: every method returns a new object.
 */
export class WindowOptions {
  private constructor(private readonly set: Partial<WindowingStrategyProps>) {}

  static into(windowFn: WindowFn<BoundedWindow>): WindowOptions {
    return new WindowOptions({ windowFn });
  }
  /** Options that change only the trigger etc., keeping the input's window fn. */
  static configure(): WindowOptions {
    return new WindowOptions({});
  }

  get options(): Readonly<Partial<WindowingStrategyProps>> {
    return this.set;
  }

  private with(p: Partial<WindowingStrategyProps>): WindowOptions {
    return new WindowOptions({ ...this.set, ...p });
  }
  triggering(trigger: Trigger): WindowOptions {
    return this.with({ trigger });
  }
  discardingFiredPanes(): WindowOptions {
    return this.with({ accumulationMode: 'DISCARDING' });
  }
  accumulatingFiredPanes(): WindowOptions {
    return this.with({ accumulationMode: 'ACCUMULATING' });
  }
  /** Allowed lateness; optionally the closing behaviour with it, as Beam's two-argument form. */
  withAllowedLateness(allowedLateness: Duration, closingBehavior?: ClosingBehavior): WindowOptions {
    return this.with(closingBehavior ? { allowedLateness, closingBehavior } : { allowedLateness });
  }
  withTimestampCombiner(timestampCombiner: TimestampCombiner): WindowOptions {
    return this.with({ timestampCombiner });
  }
  withOnTimeBehavior(onTimeBehavior: OnTimeBehavior): WindowOptions {
    return this.with({ onTimeBehavior });
  }

  /** The output strategy of a Window.into applied to a PCollection with `input` windowing. */
  applyTo(input: WindowingStrategy): WindowingStrategy {
    const s = this.set;
    if (s.trigger && !(s.trigger instanceof DefaultTrigger) && s.accumulationMode === undefined && input.isDefaultTrigger()) {
      throw new PipelineConstructionError(
        `Window.into(...).triggering(${s.trigger}) needs an accumulation mode: ` +
          'add .discardingFiredPanes() or .accumulatingFiredPanes()',
      );
    }
    return input.with(s);
  }
}

const ACC_TO_PROTO = { DISCARDING: 1, ACCUMULATING: 2 } as const;
const OUTPUT_TIME_TO_PROTO = { END_OF_WINDOW: 1, LATEST: 2, EARLIEST: 3 } as const;
const CLOSING_TO_PROTO = { FIRE_ALWAYS: 1, FIRE_IF_NONEMPTY: 2 } as const;
const ON_TIME_TO_PROTO = { FIRE_ALWAYS: 1, FIRE_IF_NONEMPTY: 2 } as const;

function invert<K extends string>(m: Record<K, number>): Record<number, K> {
  const out: Record<number, K> = {};
  for (const [k, v] of Object.entries(m) as Array<[K, number]>) out[v] = k;
  return out;
}
const ACC_FROM = invert(ACC_TO_PROTO);
const OUTPUT_TIME_FROM = invert(OUTPUT_TIME_TO_PROTO);
const CLOSING_FROM = invert(CLOSING_TO_PROTO);
const ON_TIME_FROM = invert(ON_TIME_TO_PROTO);

export function windowingStrategyToProto(ws: WindowingStrategy, ctx: ProtoWriteContext): pipeline.WindowingStrategy {
  return pipeline.WindowingStrategy.create({
    windowFn: windowFnToProto(ws.windowFn, ctx),
    mergeStatus: ws.windowFn.isMerging ? pipeline.MergeStatus.Enum.NEEDS_MERGE : pipeline.MergeStatus.Enum.NON_MERGING,
    windowCoderId: ctx.coderId(ws.windowFn.windowCoder() as never),
    trigger: triggerToProto(ws.trigger, ctx),
    accumulationMode: ACC_TO_PROTO[ws.accumulationMode],
    outputTime: OUTPUT_TIME_TO_PROTO[ws.timestampCombiner],
    closingBehavior: CLOSING_TO_PROTO[ws.closingBehavior],
    allowedLateness: ws.allowedLateness,
    onTimeBehavior: ON_TIME_TO_PROTO[ws.onTimeBehavior],
    assignsToOneWindow: ws.windowFn.assignsToOneWindow,
  });
}

function enumOr<K extends string>(table: Record<number, K>, v: number | null | undefined, dflt: K, what: string): K {
  if (!v) return dflt; // UNSPECIFIED
  const k = table[v];
  if (!k) throw new PipelineConstructionError(`unsupported ${what} ${v} in a WindowingStrategy proto`);
  return k;
}

export function windowingStrategyFromProto(msg: pipeline.IWindowingStrategy, ctx: ProtoReadContext): WindowingStrategy {
  const d = WindowingStrategy.DEFAULTS;
  const lateness = msg.allowedLateness;
  const latenessMs =
    lateness === null || lateness === undefined
      ? 0
      : typeof lateness === 'number'
        ? lateness
        : (lateness as { toNumber(): number }).toNumber();
  if (msg.accumulationMode === pipeline.AccumulationMode.Enum.RETRACTING) {
    throw new PipelineConstructionError('RETRACTING accumulation mode is not supported (nor by Beam runners)');
  }
  return new WindowingStrategy({
    windowFn: windowFnFromProto(msg.windowFn, ctx),
    trigger: triggerFromProto(msg.trigger, ctx),
    accumulationMode: enumOr(ACC_FROM, msg.accumulationMode, d.accumulationMode, 'accumulation mode'),
    allowedLateness: latenessMs as Duration,
    timestampCombiner: enumOr(OUTPUT_TIME_FROM, msg.outputTime, d.timestampCombiner, 'output time'),
    closingBehavior: enumOr(CLOSING_FROM, msg.closingBehavior, d.closingBehavior, 'closing behavior'),
    onTimeBehavior: enumOr(ON_TIME_FROM, msg.onTimeBehavior, d.onTimeBehavior, 'on-time behavior'),
  });
}
