/**
 * With the `tributary_timers_before_elements` experiment (the flink runner sends it), the harness
 * takes a data-plane message's timers before its elements. Beam's Flink runner fires a stateful
 * stage's timers only between bundles, so a bundle's timers precede its elements there; both
 * travel in one message, and read elements-first a TTL that fired at 10 cleared the state after
 * the element at 15 had read it (the state suite's TTL case gave a:2 on Flink). On the Fn API
 * wire with a test runner whose provision info carries the experiment.
 */
import { describe, expect, it } from 'vitest';
import { pipeline as beam } from '../../portability-proto/index.js';
import { TIMERS_FIRST_EXPERIMENT } from '../../runners/harness/experiments.js';
import { Coders, Create, Duration, Instant, ParDo, Pipeline, kv, type KV, type PCollection } from '../../sdk/index.js';
import { StatefulDoFn, StateSpecs, type StatefulProcessContext } from '../../sdk/state/index.js';
import { STATE_TTL_FAMILY } from '../../sdk/state/urns.js';
import { GLOBAL_WINDOWS } from '../../sdk/window/bounded-window.js';
import { NO_FIRING } from '../../sdk/values/pane.js';
import { decodeAll, encodeAll, inGlobalWindow, stageOnTheWire } from './fn-api-runner.js';

const state = { count: StateSpecs.value(Coders.varint()) };
/** `key:n` for the key's n-th element since its state last expired (TTL 10 ms). */
class CountWithTtl extends StatefulDoFn<string, number, string, typeof state> {
  constructor() {
    super({ state, stateTimeToLive: Duration.millis(10) });
  }
  process(e: KV<string, number>, ctx: StatefulProcessContext<string, string, typeof state>) {
    ctx.output(`${e.key}:${ctx.state.count.update((c) => (c ?? 0) + 1)}`);
  }
}

describe('a bundle of a TTL timer and a later element, with timers first', () => {
  const wire = stageOnTheWire(
    () => {
      const p = new Pipeline();
      (p.apply('Pairs', Create.of([kv('x', 1)])).withCoder(Coders.kv(Coders.string(), Coders.varint())) as PCollection<KV<string, number>>).apply('Count', ParDo.of(new CountWithTtl()));
      return p;
    },
    'Count',
    'count',
    { provision: { pipelineOptions: { fields: { 'beam:option:experiments:v1': { listValue: { values: [{ stringValue: TIMERS_FIRST_EXPERIMENT }] } } } } } },
  );
  const { runner } = wire;

  it('the TTL at 10 clears the state before the element at 15 reads it', async () => {
    const stage = wire.stage;
    const id = stage.id('Count');
    const input = stage.pcOf('Pairs');
    const out = stage.pcOf('Count');
    const closeTimers: Array<[string, string]> = [[id, STATE_TTL_FAMILY]];
    const first = await runner.bundle('count', { data: { [stage.source(input)]: encodeAll(stage.wire(input), [inGlobalWindow(kv('a', 1), 0)]) }, closeTimers });
    expect(first.response.error).toBe('');
    expect(decodeAll(stage.wire(out), first.data.get(stage.sink(out))).map((wv) => wv.value)).toEqual(['a:1']);

    const payload = beam.ParDoPayload.decode(stage.descriptor.transforms![id]!.spec!.payload!);
    const ttlCoder = stage.coder(payload.timerFamilySpecs[STATE_TTL_FAMILY]!.timerFamilyCoderId ?? '');
    const ttl = { userKey: 'a', dynamicTimerTag: '', windows: GLOBAL_WINDOWS, clearBit: false, fireTimestamp: 10 as Instant, holdTimestamp: Instant.MAX, pane: NO_FIRING };
    // One message: the element, then the timer, as Beam's data plane lays them out.
    const second = await runner.bundle(
      'count',
      { data: { [stage.source(input)]: encodeAll(stage.wire(input), [inGlobalWindow(kv('a', 1), 15)]) }, timers: { [id]: { [STATE_TTL_FAMILY]: encodeAll(ttlCoder, [ttl]) } }, closeTimers },
      [{ userState: {}, token: Buffer.from('t1') }],
    );
    expect(second.response.error).toBe('');
    expect(decodeAll(stage.wire(out), second.data.get(stage.sink(out))).map((wv) => wv.value)).toEqual(['a:1']);
  });
});
