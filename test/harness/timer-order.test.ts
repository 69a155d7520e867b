/**
 * Event-time timers of several families fire in time order within a bundle, whatever order the
 * runner's chunks arrive in: Beam's Flink runner fires one watermark step's timers in one bundle
 * and sends each family's timers as one chunk. Tested on the Fn API wire with a test runner.
 */
import { describe, expect, it } from 'vitest';
import { pipeline as beam } from '../../portability-proto/index.js';
import { Coders, Create, Instant, ParDo, Pipeline, kv, type KV, type PCollection } from '../../sdk/index.js';
import { StatefulDoFn, StateSpecs, TimerSpecs, type FiredTimer, type OnTimerContext, type StatefulProcessContext } from '../../sdk/state/index.js';
import { GLOBAL_WINDOWS } from '../../sdk/window/bounded-window.js';
import { NO_FIRING } from '../../sdk/values/pane.js';
import { decodeAll, encodeAll, inGlobalWindow, stageOnTheWire } from './fn-api-runner.js';

const state = { log: StateSpecs.bag<string>(Coders.string()) };
const timers = { early: TimerSpecs.eventTime(), late: TimerSpecs.eventTime() };
/** Sets `late` at ts + value and `early` at ts + value / 2; each firing appends to the key's log and outputs it. */
class TwoFamilies extends StatefulDoFn<string, number, string, typeof state, typeof timers> {
  constructor() {
    super({ state, timers });
  }
  process(e: KV<string, number>, ctx: StatefulProcessContext<string, string, typeof state, typeof timers>) {
    ctx.timers.late.set((ctx.timestamp + e.value) as Instant);
    ctx.timers.early.set((ctx.timestamp + e.value / 2) as Instant);
  }
  override onTimer(t: FiredTimer<typeof timers>, ctx: OnTimerContext<string, string, typeof state, typeof timers>) {
    ctx.state.log.add(`${t.timer}@${t.fireTimestamp}`);
    ctx.output(`${ctx.key}: ${[...ctx.state.log.read()].join(' ')}`);
  }
}

const at = inGlobalWindow;

describe('event-time timers of several families on the Fn API wire', () => {
  const wire = stageOnTheWire(
    () => {
      const p = new Pipeline();
      (p.apply('Pairs', Create.of([kv('x', 1)])).withCoder(Coders.kv(Coders.string(), Coders.varint())) as PCollection<KV<string, number>>).apply('Two', ParDo.of(new TwoFamilies()));
      return p;
    },
    'Two',
    'two',
  );
  const { runner } = wire;

  it('the later family\'s chunk sent first: its timers still fire after the earlier ones, and state sees that order', async () => {
    const two = wire.stage;
    const input = two.pcOf('Pairs');
    const outPc = two.pcOf('Two');
    const id = two.id('Two');
    const closeTimers: Array<[string, string]> = [[id, 'early'], [id, 'late']];
    const first = await runner.bundle('two', { data: { [two.source(input)]: encodeAll(two.wire(input), [at(kv('x', 20), 100)]) }, closeTimers });
    expect(first.response.error).toBe('');
    const payload = beam.ParDoPayload.decode(two.descriptor.transforms![id]!.spec!.payload!);
    const coderOf = (family: string) => two.coder(payload.timerFamilySpecs[family]!.timerFamilyCoderId ?? '');

    // The watermark passes 120: both fire in one bundle, the `late` family's chunk first.
    const timer = (fireTimestamp: number) => ({ userKey: 'x', dynamicTimerTag: '', windows: GLOBAL_WINDOWS, clearBit: false, fireTimestamp, holdTimestamp: fireTimestamp, pane: NO_FIRING });
    const second = await runner.bundle(
      'two',
      { data: { [two.source(input)]: new Uint8Array() }, timers: { [id]: { late: encodeAll(coderOf('late'), [timer(120)]), early: encodeAll(coderOf('early'), [timer(110)]) } }, closeTimers },
      [{ userState: {}, token: Buffer.from('t1') }],
    );
    expect(second.response.error).toBe('');
    expect(decodeAll(two.wire(outPc), second.data.get(two.sink(outPc))).map((wv) => wv.value)).toEqual(['x: early@110', 'x: early@110 late@120']);
  });
});
