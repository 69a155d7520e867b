/**
 * A state time-to-live under a portable runner clears the key's state at the TTL's event time,
 * wherever its timer arrives in the bundle. Beam's Flink runner fires the timers of one watermark
 * step in one bundle and sends the TTL family's chunk before the user family's: applied on
 * arrival, the TTL cleared the state before the user timers that precede it in event time ran
 * (suspicious-logins printed no alert on Flink). Tested on the Fn API wire with a test runner.
 */
import { describe, expect, it } from 'vitest';
import { pipeline as beam } from '../../portability-proto/index.js';
import { Coders, Create, Duration, Instant, ParDo, Pipeline, kv, type KV, type PCollection } from '../../sdk/index.js';
import { StatefulDoFn, StateSpecs, TimerSpecs, type FiredTimer, type OnTimerContext, type StatefulProcessContext } from '../../sdk/state/index.js';
import { STATE_TTL_FAMILY } from '../../sdk/state/urns.js';
import { GLOBAL_WINDOWS } from '../../sdk/window/bounded-window.js';
import { NO_FIRING } from '../../sdk/values/pane.js';
import { decodeAll, encodeAll, inGlobalWindow, stageOnTheWire } from './fn-api-runner.js';

const state = { seen: StateSpecs.bag<number>(Coders.varint()) };
const timers = { flush: TimerSpecs.eventTime() };
/** Keeps each key's values with a 20 ms TTL; a timer `value` ms after the element prints their sum. */
class SumLater extends StatefulDoFn<string, number, string, typeof state, typeof timers> {
  constructor() {
    super({ state, timers, stateTimeToLive: Duration.millis(20) });
  }
  process(e: KV<string, number>, ctx: StatefulProcessContext<string, string, typeof state, typeof timers>) {
    ctx.state.seen.add(e.value);
    ctx.timers.flush.set((ctx.timestamp + e.value) as Instant);
  }
  override onTimer(_t: FiredTimer<typeof timers>, ctx: OnTimerContext<string, string, typeof state, typeof timers>) {
    ctx.output(`${ctx.key}=${[...ctx.state.seen.read()].reduce((a, b) => a + b, 0)}`);
  }
}

const at = inGlobalWindow;

describe('state TTL on the Fn API wire: cleared at its event time within a bundle', () => {
  const wire = stageOnTheWire(
    () => {
      const p = new Pipeline();
      (p.apply('Pairs', Create.of([kv('x', 1)])).withCoder(Coders.kv(Coders.string(), Coders.varint())) as PCollection<KV<string, number>>).apply('Sum', ParDo.of(new SumLater()));
      return p;
    },
    'Sum',
    'sums',
  );
  const { runner } = wire;

  it('TTL timers sent before the user timers: a user timer before the TTL sees the state, one after it does not', async () => {
    const sums = wire.stage;
    const input = sums.pcOf('Pairs');
    const outPc = sums.pcOf('Sum');
    const sumId = sums.id('Sum');
    const closeTimers: Array<[string, string]> = [[sumId, 'flush'], [sumId, STATE_TTL_FAMILY]];
    // x: flush at 110, TTL at 120 (state still there); y: flush at 130, after its TTL at 120.
    const first = await runner.bundle('sums', { data: { [sums.source(input)]: encodeAll(sums.wire(input), [at(kv('x', 10), 100), at(kv('y', 30), 100)]) }, closeTimers });
    expect(first.response.error).toBe('');
    const payload = beam.ParDoPayload.decode(sums.descriptor.transforms![sumId]!.spec!.payload!);
    const flushCoder = sums.coder(payload.timerFamilySpecs.flush!.timerFamilyCoderId ?? '');
    const ttlCoder = sums.coder(payload.timerFamilySpecs[STATE_TTL_FAMILY]!.timerFamilyCoderId ?? '');
    const ttls = decodeAll(ttlCoder, first.timers.get(`${sumId}/${STATE_TTL_FAMILY}`)) as Array<{ userKey: string; fireTimestamp: number }>;
    expect(ttls.map((t) => [t.userKey, t.fireTimestamp])).toEqual([['x', 120], ['y', 120]]);

    // The watermark jumps past 130: every timer fires in one bundle, the TTL family's chunk first.
    const timer = (userKey: string, fireTimestamp: number, holdTimestamp: number) => ({ userKey, dynamicTimerTag: '', windows: GLOBAL_WINDOWS, clearBit: false, fireTimestamp, holdTimestamp, pane: NO_FIRING });
    const second = await runner.bundle(
      'sums',
      {
        data: { [sums.source(input)]: new Uint8Array() },
        timers: {
          [sumId]: {
            [STATE_TTL_FAMILY]: encodeAll(ttlCoder, [timer('x', 120, Instant.MAX), timer('y', 120, Instant.MAX)]),
            flush: encodeAll(flushCoder, [timer('x', 110, 110), timer('y', 130, 130)]),
          },
        },
        closeTimers,
      },
      [{ userState: {}, token: Buffer.from('t1') }],
    );
    expect(second.response.error).toBe('');
    expect(decodeAll(sums.wire(outPc), second.data.get(sums.sink(outPc))).map((wv) => wv.value)).toEqual(['x=10', 'y=0']);
    // Both keys idle past their TTL by the end of the bundle: nothing left on the runner.
    expect([...runner.bags.values()].filter((b) => b.length > 0)).toEqual([]);
  });
});
