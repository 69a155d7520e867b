/**
 * The state and timer parts of a ParDoPayload: `state_specs` and `timer_family_specs` with
 * Beam's spec messages, protocol URNs and standard coders, so a portable runner can serve them
 * through the Fn API state plane. Coders and CombineFns are registered in a fixed order (names
 * sorted), which a rebuilt graph repeats (`reRegisterStatefulParts`) to get the same ids.
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { Coders, type Coder } from '../coders/index.js';
import type { StateSpec } from '../state/state-spec.js';
import type { StatefulDoFn } from '../state/stateful-dofn.js';
import type { TimerSpec } from '../state/timer-spec.js';
import { ON_WINDOW_EXPIRATION_FAMILY, STATE_TTL_DUE_STATE, STATE_TTL_FAMILY, STATE_URN } from '../state/urns.js';
import { URN } from '../urns.js';
import type { BoundedWindow } from '../window/bounded-window.js';
import type { ProtoReadContext, ProtoWriteContext } from './context.js';
import { decodeUserFnRef, encodeUserFnRef, splitUserFnId } from './user-fn-spec.js';

type AnyStateful = StatefulDoFn<unknown, unknown, unknown, Record<string, StateSpec<unknown>>, Record<string, TimerSpec<boolean>>>;

export interface StatefulInput {
  readonly keyCoder: () => Coder<unknown>;
  readonly windowCoder: () => Coder<BoundedWindow>;
}

export interface StatefulPayloadParts {
  readonly stateSpecs: Record<string, beam.IStateSpec>;
  readonly timerFamilySpecs: Record<string, beam.ITimerFamilySpec>;
  readonly onWindowExpirationTimerFamilySpec: string;
}

export function encodeStatefulParts(owner: string, fn: AnyStateful, input: StatefulInput, ctx: ProtoWriteContext): StatefulPayloadParts {
  // State is per key: the input must be keyed (this throws, naming the PCollection, if not).
  const keyCoder = input.keyCoder();
  const stateSpecs: Record<string, beam.IStateSpec> = {};
  const ttl = fn.stateTimeToLive !== undefined;
  // Sorted with the TTL's state among them: a rebuilt graph registers them in this order again.
  const stateNames = [...Object.keys(fn.stateDeclarations), ...(ttl ? [STATE_TTL_DUE_STATE] : [])].sort();
  for (const name of stateNames) {
    if (name === STATE_TTL_DUE_STATE) {
      stateSpecs[name] = stateSpecProto('value', [ctx.coderId(Coders.varint())], undefined);
      continue;
    }
    const spec = fn.stateDeclarations[name]!;
    const ids = spec.coders.map((c) => ctx.coderId(c));
    const combineFnId = spec.combineFn ? ctx.userFnId(owner, `state:${name}`, spec.combineFn) : undefined;
    stateSpecs[name] = stateSpecProto(spec.kind, ids, combineFnId);
  }
  const timerFamilySpecs: Record<string, beam.ITimerFamilySpec> = {};
  const timerNames = Object.keys(fn.timerDeclarations).sort();
  const expiry = typeof fn.onWindowExpiration === 'function';
  if (timerNames.length || expiry || ttl) {
    const timerCoderId = ctx.coderId(Coders.timer(keyCoder, input.windowCoder()) as Coder<unknown>);
    for (const name of timerNames) {
      const domain = fn.timerDeclarations[name]!.domain === 'EVENT_TIME' ? beam.TimeDomain.Enum.EVENT_TIME : beam.TimeDomain.Enum.PROCESSING_TIME;
      timerFamilySpecs[name] = { timeDomain: domain, timerFamilyCoderId: timerCoderId };
    }
    if (expiry) timerFamilySpecs[ON_WINDOW_EXPIRATION_FAMILY] = { timeDomain: beam.TimeDomain.Enum.EVENT_TIME, timerFamilyCoderId: timerCoderId };
    if (ttl) timerFamilySpecs[STATE_TTL_FAMILY] = { timeDomain: beam.TimeDomain.Enum.EVENT_TIME, timerFamilyCoderId: timerCoderId };
  }
  return { stateSpecs, timerFamilySpecs, onWindowExpirationTimerFamilySpec: expiry ? ON_WINDOW_EXPIRATION_FAMILY : '' };
}

function stateSpecProto(kind: StateSpec<unknown>['kind'], ids: readonly string[], combineFnId: string | undefined): beam.IStateSpec {
  const protocol = (urn: string): beam.IFunctionSpec => ({ urn });
  switch (kind) {
    case 'value':
      return { readModifyWriteSpec: { coderId: ids[0] }, protocol: protocol(STATE_URN.BAG_USER_STATE) };
    case 'bag':
      return { bagSpec: { elementCoderId: ids[0] }, protocol: protocol(STATE_URN.BAG_USER_STATE) };
    case 'combining':
      return {
        combiningSpec: { accumulatorCoderId: ids[0], combineFn: { urn: URN.COMBINE_FN, payload: encodeUserFnRef({ id: combineFnId! }) } },
        protocol: protocol(STATE_URN.BAG_USER_STATE),
      };
    case 'map':
      return { mapSpec: { keyCoderId: ids[0], valueCoderId: ids[1] }, protocol: protocol(STATE_URN.MULTIMAP_USER_STATE) };
    case 'set':
      return { setSpec: { elementCoderId: ids[0] }, protocol: protocol(STATE_URN.MULTIMAP_USER_STATE) };
    case 'orderedList':
      return { orderedListSpec: { elementCoderId: ids[0] }, protocol: protocol(STATE_URN.ORDERED_LIST_USER_STATE) };
  }
}

/** The coder ids a state spec refers to, in registration order. */
function coderIdsOf(spec: beam.IStateSpec): string[] {
  if (spec.readModifyWriteSpec) return [spec.readModifyWriteSpec.coderId ?? ''];
  if (spec.bagSpec) return [spec.bagSpec.elementCoderId ?? ''];
  if (spec.combiningSpec) return [spec.combiningSpec.accumulatorCoderId ?? ''];
  if (spec.mapSpec) return [spec.mapSpec.keyCoderId ?? '', spec.mapSpec.valueCoderId ?? ''];
  if (spec.setSpec) return [spec.setSpec.elementCoderId ?? ''];
  if (spec.orderedListSpec) return [spec.orderedListSpec.elementCoderId ?? ''];
  return [];
}

export function usesStateOrTimers(payload: beam.IParDoPayload): boolean {
  return Object.keys(payload.stateSpecs ?? {}).length > 0 || Object.keys(payload.timerFamilySpecs ?? {}).length > 0;
}

/**
 * For a graph rebuilt from a proto: registers the payload's state coders, state CombineFns and
 * timer coders again, in the order `encodeStatefulParts` did, and rewrites the ids.
 */
export function reRegisterStatefulParts(payload: beam.ParDoPayload, read: ProtoReadContext, write: ProtoWriteContext, owner: string): void {
  for (const name of Object.keys(payload.stateSpecs).sort()) {
    const spec = payload.stateSpecs[name]!;
    const ids = coderIdsOf(spec).map((id) => write.coderId(read.coder(id)));
    if (spec.readModifyWriteSpec) spec.readModifyWriteSpec.coderId = ids[0]!;
    if (spec.bagSpec) spec.bagSpec.elementCoderId = ids[0]!;
    if (spec.combiningSpec) {
      spec.combiningSpec.accumulatorCoderId = ids[0]!;
      const fnId = decodeUserFnRef(spec.combiningSpec.combineFn?.payload, owner).id;
      const split = splitUserFnId(fnId);
      if (split) write.userFnId(split.owner, split.role, read.userFn(fnId));
    }
    if (spec.mapSpec) [spec.mapSpec.keyCoderId, spec.mapSpec.valueCoderId] = [ids[0]!, ids[1]!];
    if (spec.setSpec) spec.setSpec.elementCoderId = ids[0]!;
    if (spec.orderedListSpec) spec.orderedListSpec.elementCoderId = ids[0]!;
  }
  const families = Object.keys(payload.timerFamilySpecs);
  if (families.length) {
    const first = payload.timerFamilySpecs[families.sort()[0]!]!;
    const id = write.coderId(read.coder(first.timerFamilyCoderId ?? ''));
    for (const f of families) payload.timerFamilySpecs[f]!.timerFamilyCoderId = id;
  }
}
