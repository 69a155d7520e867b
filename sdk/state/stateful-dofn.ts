/**
 * A stateful DoFn: a DoFn over key/value pairs that keeps state and sets timers per key and
 * window (Beam's `@StateId` / `@TimerId` / `@OnTimer` / `@OnWindowExpiration`). The runner
 * processes one key's elements and timers one at a time, so state needs no locking.
 *
 *   const state = { seen: StateSpecs.value(Coders.bool()) };
 *   class FirstClick extends StatefulDoFn<string, Click, Click, typeof state> {
 *     constructor() { super({ state, stateTimeToLive: Duration.days(1) }); }
 *     process(e: KV<string, Click>, ctx: StatefulProcessContext<string, Click, typeof state>) {
 *       if (!ctx.state.seen.read()) { ctx.state.seen.write(true); ctx.output(e.value); }
 *     }
 *   }
 */
import type { Duration, Instant } from '../time/instant.js';
import { DoFn, type OutputContext, type ProcessContext, type ProcessResult, type TagMap } from '../transforms/dofn.js';
import type { KV } from '../values/kv.js';
import type { BoundedWindow } from '../window/bounded-window.js';
import type { StateAccessors, StateDeclarations } from './state-spec.js';
import type { FiredTimer, TimeDomain, TimerAccessors, TimerDeclarations } from './timer-spec.js';

/** What `process`, `onTimer` and `onWindowExpiration` all see: the key, and its state. */
export interface KeyedStateContext<K, S extends StateDeclarations> {
  readonly key: K;
  readonly window: BoundedWindow;
  readonly state: StateAccessors<S>;
}

/** `Sides`: the side inputs `process` reads (`ctx.sideInput(name)`, as in a stateless DoFn; the
 *  runner holds each element until they are ready for its window). */
export interface StatefulProcessContext<K, O, S extends StateDeclarations = {}, T extends TimerDeclarations = {}, Tags extends TagMap = {}, Sides extends TagMap = {}>
  extends ProcessContext<O, Tags, Sides>,
    KeyedStateContext<K, S> {
  readonly timers: TimerAccessors<T>;
}

export interface OnTimerContext<K, O, S extends StateDeclarations = {}, T extends TimerDeclarations = {}, Tags extends TagMap = {}>
  extends OutputContext<O, Tags>,
    KeyedStateContext<K, S> {
  readonly timers: TimerAccessors<T>;
  /** The firing timer's output timestamp: what `output` stamps. */
  readonly timestamp: Instant;
  readonly timeDomain: TimeDomain;
  /** No earlier than `timestamp` less the DoFn's allowed skew. */
  outputWithTimestamp(value: O, timestamp: Instant): void;
  outputToWithTimestamp<K2 extends keyof Tags & string>(tag: K2, value: Tags[K2], timestamp: Instant): void;
}

export interface OnWindowExpirationContext<K, O, S extends StateDeclarations = {}, Tags extends TagMap = {}>
  extends OutputContext<O, Tags>,
    KeyedStateContext<K, S> {
  /** The window's max timestamp: what `output` stamps. */
  readonly timestamp: Instant;
}

export interface StatefulDeclarations<S extends StateDeclarations, T extends TimerDeclarations> {
  readonly state?: S;
  readonly timers?: T;
  /**
   * In the global window (which never expires before the input ends), clear a key's state once
   * the watermark passes the latest element timestamp of the key plus this duration. Like
   * Flink's state TTL, but in event time, so replays give the same results. Pending timers stay.
   */
  readonly stateTimeToLive?: Duration;
}

export abstract class StatefulDoFn<
  K,
  V,
  O,
  S extends StateDeclarations = {},
  T extends TimerDeclarations = {},
  Tags extends TagMap = {},
  Sides extends TagMap = {},
> extends DoFn<KV<K, V>, O, Tags, Sides> {
  readonly stateDeclarations: S;
  readonly timerDeclarations: T;
  readonly stateTimeToLive: Duration | undefined;

  constructor(declarations: StatefulDeclarations<S, T>) {
    super();
    this.stateDeclarations = declarations.state ?? ({} as S);
    this.timerDeclarations = declarations.timers ?? ({} as T);
    this.stateTimeToLive = declarations.stateTimeToLive;
  }

  abstract override process(element: KV<K, V>, ctx: StatefulProcessContext<K, O, S, T, Tags, Sides>): ProcessResult<O>;
  /** Called when a timer fires, with the timer's key, window and state. */
  onTimer?(timer: FiredTimer<T>, ctx: OnTimerContext<K, O, S, T, Tags>): void | Promise<void>;
  /** Called once per key and window when the window expires (its end plus the allowed lateness;
   *  for the global window, the end of the input), just before its state is dropped. */
  onWindowExpiration?(ctx: OnWindowExpirationContext<K, O, S, Tags>): void | Promise<void>;
}

/** The state and timer declarations of a DoFn, or undefined for a stateless one. */
export function statefulPartsOf(fn: unknown): StatefulDoFn<unknown, unknown, unknown, StateDeclarations, TimerDeclarations> | undefined {
  return fn instanceof StatefulDoFn ? (fn as StatefulDoFn<unknown, unknown, unknown, StateDeclarations, TimerDeclarations>) : undefined;
}
