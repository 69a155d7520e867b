/**
 * The harness checks every timer user code sets with one reused setting
 * (ReusedTimerSetting.check, runners/exec/state/timer-rules.ts): each set() is checked with its
 * own family, time and output timestamp, never with what an earlier set() left behind, and a
 * timer the rules refuse fails the bundle naming it. On the Fn API wire with a test runner.
 */
import { describe, expect, it } from 'vitest';
import { pipeline as beam } from '../../portability-proto/index.js';
import { ReusedTimerSetting } from '../../runners/exec/state/timer-rules.js';
import { Coders, Create, Instant, ParDo, Pipeline, kv, type KV, type PCollection } from '../../sdk/index.js';
import { StatefulDoFn, TimerSpecs, type StatefulProcessContext } from '../../sdk/state/index.js';
import { GLOBAL_WINDOWS } from '../../sdk/window/bounded-window.js';
import { encodeAll, decodeAll, inGlobalWindow, stageOnTheWire } from './fn-api-runner.js';

const timers = { held: TimerSpecs.eventTime(), plain: TimerSpecs.eventTime() };
/**
 * Per element: `held` at ts + 100 with its output held at ts + 1 (value 1), then `plain` at
 * ts + value with no output timestamp of its own; a value of 0 asks for an output timestamp after
 * the firing time, which the rules refuse.
 */
class SetsTwo extends StatefulDoFn<string, number, string, {}, typeof timers> {
  constructor() {
    super({ timers });
  }
  process(e: KV<string, number>, ctx: StatefulProcessContext<string, string, {}, typeof timers>) {
    if (e.value === 0) {
      ctx.timers.plain.withOutputTimestamp((ctx.timestamp + 60) as Instant).set((ctx.timestamp + 50) as Instant);
      return;
    }
    ctx.timers.held.withOutputTimestamp((ctx.timestamp + 1) as Instant).set((ctx.timestamp + 100) as Instant);
    ctx.timers.plain.set((ctx.timestamp + e.value) as Instant);
  }
  override onTimer() {}
}

describe('timers set on the Fn API wire', () => {
  const wire = stageOnTheWire(
    () => {
      const p = new Pipeline();
      (p.apply('Pairs', Create.of([kv('x', 1)])).withCoder(Coders.kv(Coders.string(), Coders.varint())) as PCollection<KV<string, number>>).apply('Two', ParDo.of(new SetsTwo()));
      return p;
    },
    'Two',
    'two',
  );
  const { runner } = wire;

  const sent = async (elements: Array<[string, number, number]>) => {
    const two = wire.stage;
    const input = two.pcOf('Pairs');
    const id = two.id('Two');
    const r = await runner.bundle('two', {
      data: { [two.source(input)]: encodeAll(two.wire(input), elements.map(([k, v, ts]) => inGlobalWindow(kv(k, v), ts))) },
      closeTimers: [[id, 'held'], [id, 'plain']],
    });
    const payload = beam.ParDoPayload.decode(two.descriptor.transforms![id]!.spec!.payload!);
    const set = (family: string) =>
      (decodeAll(two.coder(payload.timerFamilySpecs[family]!.timerFamilyCoderId ?? ''), r.timers.get(`${id}/${family}`)) as Array<{ userKey: string; fireTimestamp: number; holdTimestamp: number }>).map((t) => [t.userKey, t.fireTimestamp, t.holdTimestamp]);
    return { error: r.response.error, held: set('held'), plain: set('plain') };
  };

  it('each timer is held at its own output timestamp: one without any at its firing time, not at the one set before it', async () => {
    const r = await sent([['a', 30, 1000], ['b', 70, 2000]]);
    expect(r.error).toBe('');
    expect(r.held).toEqual([['a', 1100, 1001], ['b', 2100, 2001]]);
    expect(r.plain).toEqual([['a', 1030, 1030], ['b', 2070, 2070]]);
  });

  it('a timer whose output timestamp is after its firing time fails the bundle, naming the timer', async () => {
    const r = await sent([['c', 0, 3000]]);
    expect(r.error).toMatch(/timer "plain": output timestamp 1970-01-01T00:00:03\.060Z is after its firing time 1970-01-01T00:00:03\.050Z/);
  });
});

describe('ReusedTimerSetting', () => {
  it('checks each setting with every field it is given, none left from the one before', () => {
    const s = new ReusedTimerSetting();
    const w = GLOBAL_WINDOWS[0]!;
    expect(s.check('a', '', 'EVENT_TIME', 100, 5, w, 1000, 0, 0)).toBe(5);
    expect(s.check('b', 't', 'EVENT_TIME', 100, undefined, w, 1000, 0, 0)).toBe(100);
    expect(s.check('c', '', 'PROCESSING_TIME', 900, undefined, w, 1000, 40, 0)).toBe(40);
    expect(() => s.check('d', 'x', 'EVENT_TIME', 2000, undefined, w, 1000, 0, 0)).toThrow(/timer "d" \(tag "x"\) set for .* after the expiry of window/);
    expect(() => s.check('e', '', 'EVENT_TIME', 100, undefined, w, 1000, 300, 10)).toThrow(/timer "e": output timestamp .* earlier than the current input's/);
    expect(s.check('f', '', 'EVENT_TIME', 100, undefined, w, 1000, 300, Infinity)).toBe(100);
  });
});
