/**
 * onWindowExpiration under a runner that does not notify the window-expiration family (Beam's
 * Flink runner: the flink runner submits the family declared but not named): the harness sets the
 * expiry timer itself for each (key, window) an element touches, and runs onWindowExpiration when
 * it fires. With the family named (Prism notifies it), the harness sets no such timer. On the Fn
 * API wire with a test runner.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipeline as beam } from '../../portability-proto/index.js';
import { startHarness, type RunningHarness } from '../../runners/harness/harness.js';
import { unnameWindowExpiration } from '../../runners/flink/window-expiration.js';
import { Coders, Create, Instant, ParDo, Pipeline, kv, type KV, type PCollection } from '../../sdk/index.js';
import { StatefulDoFn, StateSpecs, type OnWindowExpirationContext, type StatefulProcessContext } from '../../sdk/state/index.js';
import { ON_WINDOW_EXPIRATION_FAMILY } from '../../sdk/state/urns.js';
import { GLOBAL_WINDOW_MAX, GLOBAL_WINDOWS } from '../../sdk/window/bounded-window.js';
import { NO_FIRING } from '../../sdk/values/pane.js';
import { TestFnApiRunner, cut, decodeAll, encodeAll, inGlobalWindow, type Cut } from './fn-api-runner.js';

const state = { count: StateSpecs.value(Coders.varint()) };
/** Counts a key's elements; reports the count when its window expires. */
class CountAtExpiry extends StatefulDoFn<string, number, string, typeof state> {
  constructor() {
    super({ state });
  }
  process(_e: KV<string, number>, ctx: StatefulProcessContext<string, string, typeof state>) {
    ctx.state.count.update((c) => (c ?? 0) + 1);
  }
  override onWindowExpiration(ctx: OnWindowExpirationContext<string, string, typeof state>) {
    ctx.output(`${ctx.key}:${ctx.state.count.read()}`);
  }
}

interface Stage {
  readonly stage: Cut;
  readonly id: string;
  readonly closeTimers: Array<[string, string]>;
}

describe('window expiry on the Fn API wire', () => {
  const runner = new TestFnApiRunner();
  let harness: RunningHarness;
  let notified: Stage;
  let bySelf: Stage;

  beforeAll(async () => {
    await runner.start();
    const p = new Pipeline();
    (p.apply('Pairs', Create.of([kv('x', 1)])).withCoder(Coders.kv(Coders.string(), Coders.varint())) as PCollection<KV<string, number>>).apply('Count', ParDo.of(new CountAtExpiry()));
    const make = (descriptorId: string, unname: boolean): Stage => {
      const stage = cut(p, ['Count'], runner.url, descriptorId);
      if (unname) unnameWindowExpiration(stage.descriptor.transforms as Record<string, beam.IPTransform>);
      const id = stage.id('Count');
      return { stage, id, closeTimers: [[id, ON_WINDOW_EXPIRATION_FAMILY]] };
    };
    notified = make('notified', false);
    bySelf = make('bySelf', true);
    harness = await startHarness({ id: 'w1', controlEndpoint: runner.url, loggingEndpoint: runner.url, userFns: bySelf.stage.userFns });
    const registered = await runner.instruct({ register: { processBundleDescriptor: [notified.stage.descriptor, bySelf.stage.descriptor] } });
    expect(registered.error).toBe('');
  });

  afterAll(async () => {
    await harness?.stop();
    await runner.stop();
  });

  // Both stages keep state on the same runner under the same transform id: each uses keys of its own.
  const elements = (s: Stage, twice: string, once: string) => {
    const input = s.stage.pcOf('Pairs');
    return { [s.stage.source(input)]: encodeAll(s.stage.wire(input), [inGlobalWindow(kv(twice, 1), 10), inGlobalWindow(kv(twice, 1), 11), inGlobalWindow(kv(once, 1), 12)]) };
  };
  const expiryCoder = (s: Stage) => {
    const payload = beam.ParDoPayload.decode(s.stage.descriptor.transforms![s.id]!.spec!.payload!);
    return s.stage.coder(payload.timerFamilySpecs[ON_WINDOW_EXPIRATION_FAMILY]!.timerFamilyCoderId ?? '');
  };

  it('the family named (the runner notifies it): the harness sets no expiry timer', async () => {
    const r = await runner.bundle('notified', { data: elements(notified, 'a', 'b'), closeTimers: notified.closeTimers });
    expect(r.response.error).toBe('');
    expect(decodeAll(expiryCoder(notified), r.timers.get(`${notified.id}/${ON_WINDOW_EXPIRATION_FAMILY}`))).toEqual([]);
  });

  it('the family only declared: one timer per key at the window expiry, and onWindowExpiration runs when it fires', async () => {
    const coder = expiryCoder(bySelf);
    const first = await runner.bundle('bySelf', { data: elements(bySelf, 'x', 'y'), closeTimers: bySelf.closeTimers });
    expect(first.response.error).toBe('');
    const set = decodeAll(coder, first.timers.get(`${bySelf.id}/${ON_WINDOW_EXPIRATION_FAMILY}`)) as Array<{ userKey: string; fireTimestamp: number; holdTimestamp: number }>;
    expect(set.map((t) => [t.userKey, t.fireTimestamp, t.holdTimestamp])).toEqual([
      ['x', GLOBAL_WINDOW_MAX, GLOBAL_WINDOW_MAX],
      ['y', GLOBAL_WINDOW_MAX, GLOBAL_WINDOW_MAX],
    ]);

    const fired = { userKey: 'x', dynamicTimerTag: '', windows: GLOBAL_WINDOWS, clearBit: false, fireTimestamp: GLOBAL_WINDOW_MAX as Instant, holdTimestamp: GLOBAL_WINDOW_MAX as Instant, pane: NO_FIRING };
    const input = bySelf.stage.pcOf('Pairs');
    const second = await runner.bundle(
      'bySelf',
      { data: { [bySelf.stage.source(input)]: new Uint8Array() }, timers: { [bySelf.id]: { [ON_WINDOW_EXPIRATION_FAMILY]: encodeAll(coder, [fired]) } }, closeTimers: bySelf.closeTimers },
      [{ userState: {}, token: Buffer.from('t1') }],
    );
    expect(second.response.error).toBe('');
    const out = bySelf.stage.pcOf('Count');
    expect(decodeAll(bySelf.stage.wire(out), second.data.get(bySelf.stage.sink(out))).map((wv) => wv.value)).toEqual(['x:2']);
  });
});
