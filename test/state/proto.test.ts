/**
 * State and timers in the portable proto: Beam's spec messages, protocol URNs and standard coders
 * in ParDoPayload, the stateful-processing requirement, a byte-identical round trip through
 * fromProto, and Beam's own generated classes reading the specs.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { pipeline as beam } from '../../portability-proto/index.js';
import {
  Coders,
  Create,
  Duration,
  ParDo,
  Pipeline,
  Sessions,
  StateSpecs,
  StatefulDoFn,
  TimerSpecs,
  Window,
  encodePipeline,
  kv,
  pipelineFromProto,
  toPortable,
  type KV,
  type StatefulProcessContext,
} from '../../sdk/index.js';
import { SumFn } from '../../sdk/transforms/combiners.js';

const state = {
  value: StateSpecs.value(Coders.varint()),
  bag: StateSpecs.bag(Coders.string()),
  sum: StateSpecs.combining(SumFn, Coders.double()),
  map: StateSpecs.map(Coders.string(), Coders.bool()),
  set: StateSpecs.set<string>(),
  list: StateSpecs.orderedList(Coders.string()),
};
const timers = { flush: TimerSpecs.processingTime(), expiry: TimerSpecs.eventTimeFamily() };
type S = typeof state;
type T = typeof timers;

class Everything extends StatefulDoFn<string, number, number, S, T> {
  constructor() {
    super({ state, timers, stateTimeToLive: Duration.hours(1) });
  }
  process(e: KV<string, number>, ctx: StatefulProcessContext<string, number, S, T>): void {
    ctx.state.value.write(e.value);
  }
  override onTimer(): void {}
  override onWindowExpiration(): void {}
}

function pipelineWithState(): Pipeline {
  const p = new Pipeline();
  p.apply('In', Create.of([kv('a', 1)])).apply('Stateful', ParDo.of(new Everything()));
  return p;
}

describe('state and timers in the proto', () => {
  const { proto } = toPortable(pipelineWithState());
  const payload = beam.ParDoPayload.decode(proto.components!.transforms!['Stateful']!.spec!.payload!);
  const coderUrn = (id: string | null | undefined) => proto.components!.coders![id ?? '']!.spec!.urn;

  it('declares every state with its spec message, coder and protocol URN', () => {
    const s = payload.stateSpecs;
    // The state time-to-live's due time is a value state of its own (served by a portable runner).
    expect(Object.keys(s).sort()).toEqual(['__stateTtlDue', 'bag', 'list', 'map', 'set', 'sum', 'value']);
    expect(coderUrn(s.__stateTtlDue!.readModifyWriteSpec!.coderId)).toBe('beam:coder:varint:v1');
    expect(coderUrn(s.value!.readModifyWriteSpec!.coderId)).toBe('beam:coder:varint:v1');
    expect(coderUrn(s.bag!.bagSpec!.elementCoderId)).toBe('beam:coder:string_utf8:v1');
    expect(coderUrn(s.sum!.combiningSpec!.accumulatorCoderId)).toBe('beam:coder:double:v1');
    expect(s.sum!.combiningSpec!.combineFn!.urn).toBe('tributary:combinefn:v1');
    expect(JSON.parse(Buffer.from(s.sum!.combiningSpec!.combineFn!.payload!).toString())).toEqual({ id: 'Stateful#state:sum' });
    expect([coderUrn(s.map!.mapSpec!.keyCoderId), coderUrn(s.map!.mapSpec!.valueCoderId)]).toEqual(['beam:coder:string_utf8:v1', 'beam:coder:bool:v1']);
    expect(coderUrn(s.set!.setSpec!.elementCoderId)).toBe('tributary:coder:json:v1');
    expect(coderUrn(s.list!.orderedListSpec!.elementCoderId)).toBe('beam:coder:string_utf8:v1');
    const protocols = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.protocol!.urn]));
    expect(protocols).toEqual({
      __stateTtlDue: 'beam:user_state:bag:v1',
      value: 'beam:user_state:bag:v1',
      bag: 'beam:user_state:bag:v1',
      sum: 'beam:user_state:bag:v1',
      map: 'beam:user_state:multimap:v1',
      set: 'beam:user_state:multimap:v1',
      list: 'beam:user_state:ordered_list:v1',
    });
  });

  it('declares timer families with their time domain and the timer coder of key and window coders', () => {
    const t = payload.timerFamilySpecs;
    expect(Object.keys(t).sort()).toEqual(['__onWindowExpiration', '__stateTtl', 'expiry', 'flush']);
    expect(t.flush!.timeDomain).toBe(beam.TimeDomain.Enum.PROCESSING_TIME);
    expect(t.__stateTtl!.timeDomain).toBe(beam.TimeDomain.Enum.EVENT_TIME);
    expect(t.expiry!.timeDomain).toBe(beam.TimeDomain.Enum.EVENT_TIME);
    expect(payload.onWindowExpirationTimerFamilySpec).toBe('__onWindowExpiration');
    const timerCoder = proto.components!.coders![t.flush!.timerFamilyCoderId ?? '']!;
    expect(timerCoder.spec!.urn).toBe('beam:coder:timer:v1');
    expect(timerCoder.componentCoderIds!.map((id: string) => coderUrn(id))).toEqual(['tributary:coder:json:v1', 'beam:coder:global_window:v1']);
    expect(JSON.parse(Buffer.from(payload.doFn!.payload!).toString())).toMatchObject({ stateTimeToLiveMs: 3_600_000 });
  });

  it('requires stateful processing; a stateless pipeline requires nothing', () => {
    expect(proto.requirements).toEqual(['beam:requirement:pardo:stateful:v1']);
    const p = new Pipeline();
    p.apply(Create.of([1]));
    expect(toPortable(p).proto.requirements).toEqual([]);
  });

  it('build → toProto → fromProto → toProto is byte-identical, state coders and CombineFns included', () => {
    const first = toPortable(pipelineWithState());
    const bytes = encodePipeline(first.proto);
    const rebuilt = pipelineFromProto(beam.Pipeline.decode(bytes), first.userFns);
    const again = toPortable(rebuilt.pipeline, rebuilt.userFns);
    expect(Buffer.from(encodePipeline(again.proto)).equals(Buffer.from(bytes))).toBe(true);
    expect([...again.userFns.keys()].sort()).toEqual([...first.userFns.keys()].sort());
  });

  it("Beam's own generated classes read the state and timer specs", () => {
    const require = createRequire(import.meta.url);
    const { ParDoPayload } = require('apache-beam/proto/org/apache/beam/model/pipeline/v1/beam_runner_api') as {
      ParDoPayload: { fromBinary(b: Uint8Array): { stateSpecs: Record<string, { spec: { oneofKind: string } }>; timerFamilySpecs: Record<string, { timeDomain: number }>; onWindowExpirationTimerFamilySpec: string } };
    };
    const decoded = ParDoPayload.fromBinary(proto.components!.transforms!['Stateful']!.spec!.payload!);
    expect(decoded.stateSpecs['value']!.spec.oneofKind).toBe('readModifyWriteSpec');
    expect(decoded.stateSpecs['list']!.spec.oneofKind).toBe('orderedListSpec');
    expect(decoded.stateSpecs['sum']!.spec.oneofKind).toBe('combiningSpec');
    expect(decoded.timerFamilySpecs['flush']!.timeDomain).toBe(2);
    expect(decoded.onWindowExpirationTimerFamilySpec).toBe('__onWindowExpiration');
  });
});

describe('applying a stateful DoFn checks its input and declarations', () => {
  class Plain extends StatefulDoFn<string, number, number, { v: typeof state.value }> {
    constructor() {
      super({ state: { v: state.value } });
    }
    process(): void {}
  }

  it('rejects merging windows', () => {
    const p = new Pipeline();
    const sessions = p.apply(Create.of([kv('a', 1)])).apply(Window.into<KV<string, number>>(Sessions.withGapDuration(Duration.minutes(1))));
    expect(() => sessions.apply('S', ParDo.of(new Plain()))).toThrow(/stateful ParDo "S": state and timers cannot follow merging windows/);
  });

  it('rejects input whose coder is not a KV coder, naming the PCollection', () => {
    const p = new Pipeline();
    const notKv = p.apply('Pairs', Create.of([kv('a', 1)]).withCoder(Coders.json()));
    notKv.apply('S', ParDo.of(new Plain()));
    expect(() => toPortable(p)).toThrow(/"S" needs key\/value elements with a KV coder/);
  });

  it('rejects timers without onTimer, and reserved names', () => {
    class NoOnTimer extends StatefulDoFn<string, number, number, {}, { t: ReturnType<typeof TimerSpecs.eventTime> }> {
      constructor() {
        super({ timers: { t: TimerSpecs.eventTime() } });
      }
      process(): void {}
    }
    class Reserved extends StatefulDoFn<string, number, number, { __x: typeof state.value }> {
      constructor() {
        super({ state: { __x: state.value } });
      }
      process(): void {}
    }
    const p = new Pipeline();
    const input = p.apply(Create.of([kv('a', 1)]));
    expect(() => input.apply('A', ParDo.of(new NoOnTimer()))).toThrow(/stateful ParDo "A": it declares timers but has no onTimer method/);
    expect(() => input.apply('B', ParDo.of(new Reserved()))).toThrow(/may not start with "__"/);
  });
});
