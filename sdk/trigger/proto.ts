/**
 * Triggers to and from Beam's `Trigger` message.
 *
 * `AfterElementMatches` has no slot in Beam's `trigger` oneof, and a field of our own inside
 * `Trigger` would be an unknown field to Beam's decoders (Beam's TypeScript classes cannot even
 * skip one). So the trigger message holds only standard members:
 *
 * - the element-predicate trigger is written as the oneof member `never` — what a Beam runner
 *   reads: no early firing from it. A portable runner refuses such a pipeline at submission
 *   (runners/portable/unsupported.ts), since it would emit other panes;
 * - which `never` nodes are predicates, and which predicate, is said once per windowing strategy
 *   in the pipeline's display data (standard `DisplayData{urn, payload}`, which runners ignore):
 *   urn `TRIGGER_PREDICATES_URN`, payload JSON `{"<windowing strategy id>": [slot, ...]}` with one
 *   slot per `never` node in the order this file writes and reads the tree — `null` for a real
 *   `never`, else the predicate's user-function reference `{"id", "kind", "name"}` (as every
 *   Tributary user function: a worker rebuilds the same program and finds it by id).
 *
 * The contexts carry the slots: `ProtoWriteContext.triggerSlot` collects them while a windowing
 * strategy is written, `ProtoReadContext.nextTriggerSlot` hands them back while it is read.
 */
import { pipeline } from '../../portability-proto/index.js';
import { PipelineConstructionError } from '../errors.js';
import type { Duration } from '../time/instant.js';
import type { ProtoReadContext, ProtoWriteContext } from '../translate/context.js';
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
/** Display data of a pipeline whose triggers have element predicates (see above). */
export const TRIGGER_PREDICATES_URN = 'tributary:display_data:trigger_predicates:v1';

/** A `never` node's slot: null, or the reference of the predicate written in its place. */
export type TriggerSlot = Record<string, unknown> | null;

export function triggerToProto(t: Trigger, ctx: ProtoWriteContext): pipeline.ITrigger {
  const sub = (x: Trigger) => triggerToProto(x, ctx);
  if (t instanceof DefaultTrigger) return { default: {} };
  if (t instanceof NeverTrigger) {
    ctx.triggerSlot?.(null);
    return { never: {} };
  }
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
    if (!ctx.triggerSlot) throw new PipelineConstructionError(`${t} can be written only as part of a pipeline (its predicate travels in the pipeline's display data)`);
    const id = ctx.userFnId(`AfterElementMatches:${t.name}`, 'trigger-predicate', t.predicate);
    ctx.triggerSlot({ id, kind: 'trigger-predicate', name: t.name });
    return { never: {} };
  }
  throw new PipelineConstructionError(`cannot translate trigger ${t} to the proto`);
}

export function triggerFromProto(msg: pipeline.ITrigger | null | undefined, ctx: ProtoReadContext): Trigger {
  if (!msg) return DefaultTrigger.INSTANCE;
  const sub = (x: pipeline.ITrigger | null | undefined) => triggerFromProto(x, ctx);
  if (msg.default) return DefaultTrigger.INSTANCE;
  if (msg.never) {
    const slot = ctx.nextTriggerSlot?.() ?? null;
    if (slot === null) return NeverTrigger.INSTANCE;
    const fn = ctx.userFn(String(slot.id));
    if (typeof fn !== 'function') throw new PipelineConstructionError(`user function "${String(slot.id)}" is not an element predicate`);
    return new AfterElementMatchesTrigger(fn as ElementPredicate, String(slot.name ?? slot.id));
  }
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

/** The predicate slots of each windowing strategy, from a pipeline's display data. */
export function triggerSlotsOf(proto: pipeline.IPipeline): Map<string, TriggerSlot[]> {
  const out = new Map<string, TriggerSlot[]>();
  for (const d of proto.displayData ?? []) {
    if (d.urn !== TRIGGER_PREDICATES_URN) continue;
    const table = JSON.parse(new TextDecoder().decode(d.payload ?? new Uint8Array())) as Record<string, TriggerSlot[]>;
    for (const [ws, slots] of Object.entries(table)) out.set(ws, slots);
  }
  return out;
}

/** The names of the element predicates in each windowing strategy's trigger. */
export function elementPredicatesOf(proto: pipeline.IPipeline): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [ws, slots] of triggerSlotsOf(proto)) {
    const names = slots.filter((s): s is Record<string, unknown> => s !== null).map((s) => String(s.name ?? s.id));
    if (names.length) out.set(ws, names);
  }
  return out;
}

/** The display data entry for `table` (windowing strategy id → slots), or none when empty. */
export function triggerSlotsDisplayData(table: ReadonlyMap<string, readonly TriggerSlot[]>): pipeline.IDisplayData[] {
  const entries = [...table].filter(([, slots]) => slots.some((s) => s !== null)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return [];
  return [{ urn: TRIGGER_PREDICATES_URN, payload: new TextEncoder().encode(JSON.stringify(Object.fromEntries(entries))) }];
}
