/** ParDoPayload for a ParDo: the DoFn reference, its side inputs, and its state and timer specs. */
import { pipeline } from '../../portability-proto/index.js';
import { URN } from '../urns.js';
import type { ParDoDescription } from '../transforms/pardo.js';
import type { ProtoWriteContext } from './context.js';
import { encodeUserFnRef } from './user-fn-spec.js';
import { statefulPartsOf } from '../state/stateful-dofn.js';
import { encodeStatefulParts, type StatefulInput } from './state-specs.js';
import { isSplittable, restrictionWithWatermarkCoder } from '../transforms/splittable.js';

export function encodeParDoPayload(owner: string, desc: ParDoDescription, ctx: ProtoWriteContext, input?: StatefulInput): Uint8Array {
  const fnId = ctx.userFnId(owner, 'dofn', desc.fn);
  const sideInputs: Record<string, pipeline.ISideInput> = {};
  for (const [name, view] of Object.entries(desc.sideInputs)) {
    const keyed = view.kind === 'map' || view.kind === 'multimap';
    const viewId = ctx.userFnId(owner, `side:${name}`, view);
    sideInputs[`side:${name}`] = {
      accessPattern: { urn: keyed ? URN.SIDE_INPUT_MULTIMAP : URN.SIDE_INPUT_ITERABLE },
      viewFn: { urn: URN.VIEW_FN, payload: encodeUserFnRef({ id: viewId, kind: view.kind, hasDefault: view.defaultValue !== undefined }) },
      windowMappingFn: { urn: URN.WINDOW_MAPPING_FN, payload: encodeUserFnRef({ id: 'default', kind: 'main-window' }) },
    };
  }
  const stateful = statefulPartsOf(desc.fn);
  const parts = stateful && input ? encodeStatefulParts(owner, stateful, input, ctx) : undefined;
  return pipeline.ParDoPayload.encode({
    doFn: {
      urn: URN.DOFN,
      payload: encodeUserFnRef({
        id: fnId,
        class: desc.fn.constructor.name,
        maxConcurrency: desc.options.maxConcurrency ?? (desc.fn as { maxConcurrency?: number }).maxConcurrency,
        elementWise: desc.elementWise || undefined,
        outputTags: desc.outputTags.length ? [...desc.outputTags] : undefined,
        stateTimeToLiveMs: stateful?.stateTimeToLive,
      }),
    },
    sideInputs,
    ...parts,
    // A splittable DoFn is marked by its restriction coder, as in Beam (with the watermark
    // estimate beside the restriction, as Beam keeps an estimator's state).
    restrictionCoderId: isSplittable(desc.fn) ? ctx.coderId(restrictionWithWatermarkCoder(desc.fn.restrictionCoder())) : undefined,
    requiresStableInput: requiresStableInput(desc) || undefined,
  }).finish();
}

/** Whether a ParDo asks for stable input, by its options or by a field of its DoFn. */
export function requiresStableInput(desc: ParDoDescription): boolean {
  return desc.options.requiresStableInput ?? (desc.fn as { requiresStableInput?: boolean }).requiresStableInput ?? false;
}
