/**
 * Triggers to and from Beam's `Trigger` message.
 *
 * `AfterElementMatches` has no slot in Beam's `trigger` oneof. It is written wire-compatibly as
 *
 * - the oneof member `never` — what a Beam runner that does not know Tributary reads: no early
 *   firing from this trigger (the window still fires on time);
 * - plus field `ELEMENT_PREDICATE_FIELD` (50001, far outside Beam's field numbers; a Beam decoder
 *   skips it as unknown) holding a `FunctionSpec` with URN `tributary:trigger:element_predicate:v1`
 *   whose payload is the user-function reference of the predicate (JSON `{"id": ...}`, as every
 *   Tributary user function; the id comes from `ProtoWriteContext.userFnId`).
 *
 * Until `portability-proto` declares the field (`FunctionSpec tributary_element_predicate = 50001;`
 * in `Trigger`, outside the oneof), it is written through protobufjs' `$unknowns` — and read back
 * only by a decoder that keeps unknown fields (protobufjs' `Reader.discardUnknown = false`); once
 * declared, plain decoding carries it.
 */
import { pipeline } from '../../portability-proto/index.js';
import { PipelineConstructionError } from '../errors.js';
import type { Duration } from '../time/instant.js';
import type { ProtoReadContext, ProtoWriteContext } from '../translate/context.js';
import { decodeUserFnRef, encodeUserFnRef } from '../translate/user-fn-spec.js';
import { AfterAllTrigger } from './after-all.js';
import { AfterCountTrigger } from './after-count.js';
import { AfterEachTrigger } from './after-each.js';
import { AfterElementMatchesTrigger, type ElementPredicate } from './after-element-matches.js';
import { AfterFirstTrigger } from './after-first.js';
import { AfterProcessingTimeTrigger, type TimestampTransform } from './after-processing-time.js';
import { AfterWatermarkTrigger } from './after-watermark.js';
import { DefaultTrigger } from './default.js';
import { NeverTrigger } from './never.js';
import { RepeatedlyTrigger } from './repeatedly.js';
import { OrFinallyTrigger, type Trigger } from './trigger.js';

export const ELEMENT_PREDICATE_URN = 'tributary:trigger:element_predicate:v1';
/** Field number of the element-predicate FunctionSpec in Beam's Trigger message. */
export const ELEMENT_PREDICATE_FIELD = 50001;

type TriggerProto = pipeline.ITrigger & { $unknowns?: Uint8Array[] };

/** The generated name of field 50001 once `portability-proto` declares it in `Trigger`. */
const DECLARED_NAME = 'tributaryElementPredicate';
const PREDICATE_FIELD_DECLARED = DECLARED_NAME in pipeline.Trigger.prototype;

export function triggerToProto(t: Trigger, ctx: ProtoWriteContext): pipeline.ITrigger {
  const sub = (x: Trigger) => triggerToProto(x, ctx);
  if (t instanceof DefaultTrigger) return { default: {} };
  if (t instanceof NeverTrigger) return { never: {} };
  if (t instanceof AfterCountTrigger) return { elementCount: { elementCount: t.count } };
  if (t instanceof AfterWatermarkTrigger) {
    const m: pipeline.Trigger.IAfterEndOfWindow = {};
    if (t.early) m.earlyFirings = sub(t.early);
    if (t.late) m.lateFirings = sub(t.late);
    return { afterEndOfWindow: m };
  }
  if (t instanceof AfterProcessingTimeTrigger) {
    return {
      afterProcessingTime: {
        timestampTransforms: t.transforms.map((tr) =>
          tr.kind === 'delay'
            ? { delay: { delayMillis: tr.delay } }
            : { alignTo: { period: tr.period, offset: tr.offset } },
        ),
      },
    };
  }
  if (t instanceof RepeatedlyTrigger) return { repeat: { subtrigger: sub(t.repeated) } };
  if (t instanceof AfterEachTrigger) return { afterEach: { subtriggers: t.subTriggers.map(sub) } };
  if (t instanceof AfterFirstTrigger) return { afterAny: { subtriggers: t.subTriggers.map(sub) } };
  if (t instanceof AfterAllTrigger) return { afterAll: { subtriggers: t.subTriggers.map(sub) } };
  if (t instanceof OrFinallyTrigger) return { orFinally: { main: sub(t.main), finally: sub(t.until) } };
  if (t instanceof AfterElementMatchesTrigger) {
    const id = ctx.userFnId(`AfterElementMatches:${t.name}`, 'trigger-predicate', t.predicate);
    const spec = pipeline.FunctionSpec.encode({
      urn: ELEMENT_PREDICATE_URN,
      payload: encodeUserFnRef({ id, kind: 'trigger-predicate', name: t.name }),
    }).finish();
    const msg: TriggerProto = { never: {} };
    if (PREDICATE_FIELD_DECLARED) {
      (msg as Record<string, unknown>)[DECLARED_NAME] = pipeline.FunctionSpec.decode(spec);
    } else {
      msg.$unknowns = [lengthDelimitedField(ELEMENT_PREDICATE_FIELD, spec)];
    }
    return msg;
  }
  throw new PipelineConstructionError(`cannot translate trigger ${t} to the proto`);
}

export function triggerFromProto(msg: pipeline.ITrigger | null | undefined, ctx: ProtoReadContext): Trigger {
  if (!msg) return DefaultTrigger.INSTANCE;
  const sub = (x: pipeline.ITrigger | null | undefined) => triggerFromProto(x, ctx);
  const predicate = readPredicateSpec(msg as TriggerProto);
  if (predicate) {
    if (predicate.urn !== ELEMENT_PREDICATE_URN) {
      throw new PipelineConstructionError(`unknown Tributary trigger URN "${predicate.urn}"`);
    }
    const ref = decodeUserFnRef(predicate.payload, 'an element-predicate trigger');
    const fn = ctx.userFn(ref.id);
    if (typeof fn !== 'function') {
      throw new PipelineConstructionError(`user function "${ref.id}" is not an element predicate`);
    }
    return new AfterElementMatchesTrigger(fn as ElementPredicate, String(ref['name'] ?? ref.id));
  }
  if (msg.default) return DefaultTrigger.INSTANCE;
  if (msg.never) return NeverTrigger.INSTANCE;
  if (msg.elementCount) return new AfterCountTrigger(msg.elementCount.elementCount ?? 1);
  if (msg.always) return new RepeatedlyTrigger(new AfterCountTrigger(1));
  if (msg.afterEndOfWindow) {
    const m = msg.afterEndOfWindow;
    return new AfterWatermarkTrigger(
      m.earlyFirings ? sub(m.earlyFirings) : undefined,
      m.lateFirings ? sub(m.lateFirings) : undefined,
    );
  }
  if (msg.afterProcessingTime) {
    const transforms: TimestampTransform[] = (msg.afterProcessingTime.timestampTransforms ?? []).map((tr) => {
      if (tr.delay) return { kind: 'delay', delay: num(tr.delay.delayMillis) as Duration };
      if (tr.alignTo) {
        return { kind: 'alignTo', period: num(tr.alignTo.period) as Duration, offset: num(tr.alignTo.offset) as Duration };
      }
      throw new PipelineConstructionError('an AfterProcessingTime timestamp transform with neither delay nor alignTo');
    });
    return new AfterProcessingTimeTrigger(transforms);
  }
  if (msg.repeat) return new RepeatedlyTrigger(sub(msg.repeat.subtrigger));
  if (msg.afterEach) return new AfterEachTrigger((msg.afterEach.subtriggers ?? []).map(sub));
  if (msg.afterAny) return new AfterFirstTrigger((msg.afterAny.subtriggers ?? []).map(sub));
  if (msg.afterAll) return new AfterAllTrigger((msg.afterAll.subtriggers ?? []).map(sub));
  if (msg.orFinally) return new OrFinallyTrigger(sub(msg.orFinally.main), sub(msg.orFinally.finally));
  if (msg.afterSynchronizedProcessingTime) {
    throw new PipelineConstructionError(
      'AfterSynchronizedProcessingTime is a runner-internal Beam trigger; Tributary does not run it',
    );
  }
  throw new PipelineConstructionError('a Trigger message with no trigger set');
}

function num(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && typeof (v as { toNumber?: unknown }).toNumber === 'function') {
    return (v as { toNumber(): number }).toNumber();
  }
  return Number(v);
}

function varint(out: number[], v: number): void {
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

function lengthDelimitedField(field: number, bytes: Uint8Array): Uint8Array {
  const head: number[] = [];
  varint(head, field * 8 + 2);
  varint(head, bytes.length);
  const out = new Uint8Array(head.length + bytes.length);
  out.set(head, 0);
  out.set(bytes, head.length);
  return out;
}

function readVarint(b: Uint8Array, pos: { i: number }): number {
  let v = 0;
  let mul = 1;
  for (;;) {
    const byte = b[pos.i++]!;
    v += (byte & 0x7f) * mul;
    if (byte < 0x80) return v;
    mul *= 128;
  }
}

/** The element-predicate FunctionSpec, whether declared by the generated code or unknown. */
function readPredicateSpec(msg: TriggerProto): pipeline.FunctionSpec | undefined {
  const declared = (msg as Record<string, unknown>)['tributaryElementPredicate'];
  if (declared) return pipeline.FunctionSpec.fromObject(declared as object);
  for (const raw of msg.$unknowns ?? []) {
    const pos = { i: 0 };
    const tag = readVarint(raw, pos);
    if (tag === ELEMENT_PREDICATE_FIELD * 8 + 2) {
      const len = readVarint(raw, pos);
      return pipeline.FunctionSpec.decode(raw.subarray(pos.i, pos.i + len));
    }
  }
  return undefined;
}
