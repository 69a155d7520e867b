/**
 * Wrong state and timer access does not compile: the `@ts-expect-error` lines fail `npm test`'s
 * type check if they ever start compiling. The runtime assertions pin the accessor types.
 */
import { describe, expectTypeOf, it } from 'vitest';
import {
  Coders,
  StateSpecs,
  StatefulDoFn,
  TimerSpecs,
  type KV,
  type StatefulProcessContext,
  type OnTimerContext,
  type FiredTimer,
  type OrderedListState,
  type Timer,
  type TimerFamily,
} from '../../sdk/index.js';
import { SumFn } from '../../sdk/transforms/combiners.js';
import type { TimestampedValue } from '../../sdk/transforms/create.js';

const state = {
  count: StateSpecs.value(Coders.varint()),
  names: StateSpecs.set(Coders.string()),
  total: StateSpecs.combining(SumFn),
  byId: StateSpecs.map<number, string>(),
  recent: StateSpecs.orderedList<string>(),
};
const timers = { flush: TimerSpecs.eventTime(), perTag: TimerSpecs.processingTimeFamily() };
type S = typeof state;
type T = typeof timers;

class Typed extends StatefulDoFn<string, number, string, S, T> {
  constructor() {
    super({ state, timers });
  }
  process(e: KV<string, number>, ctx: StatefulProcessContext<string, string, S, T>): void {
    expectTypeOf(ctx.key).toEqualTypeOf<string>();
    expectTypeOf(ctx.state.count.read()).toEqualTypeOf<number | undefined>();
    expectTypeOf(ctx.state.total.read()).toEqualTypeOf<number>();
    expectTypeOf(ctx.state.byId.get(1)).toEqualTypeOf<string | undefined>();
    expectTypeOf(ctx.state.recent).toEqualTypeOf<OrderedListState<string>>();
    expectTypeOf(ctx.state.recent.read()).toEqualTypeOf<Array<TimestampedValue<string>>>();
    expectTypeOf(ctx.timers.flush).toEqualTypeOf<Timer>();
    expectTypeOf(ctx.timers.perTag).toEqualTypeOf<TimerFamily>();
    // @ts-expect-error a ValueState<number> holds numbers
    ctx.state.count.write('one');
    // @ts-expect-error a SetState<string> holds strings
    ctx.state.names.add(e.value);
    // @ts-expect-error undeclared state
    ctx.state.missing.read();
    // @ts-expect-error undeclared timer
    ctx.timers.other.set(ctx.timestamp);
    // @ts-expect-error a plain timer has no tags
    ctx.timers.flush.get('x');
    // @ts-expect-error times are Instants, not bare numbers
    ctx.timers.flush.set(5);
    // @ts-expect-error the main output is a string
    ctx.output(e.value);
  }
  override onTimer(t: FiredTimer<T>, ctx: OnTimerContext<string, string, S, T>): void {
    expectTypeOf(t.timer).toEqualTypeOf<'flush' | 'perTag'>();
    // @ts-expect-error a timer's name is a declared one
    if (t.timer === 'nope') ctx.output('x');
  }
}

describe('state and timer types', () => {
  it('type-checks (see the @ts-expect-error lines)', () => {
    expectTypeOf(new Typed().stateDeclarations).toEqualTypeOf<S>();
  });
});
