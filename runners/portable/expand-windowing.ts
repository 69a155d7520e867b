/**
 * Group-also-by-window as a stateful ParDo, for the GroupByKeys a Beam runner cannot run as
 * written: a trigger with an element predicate (`AfterElementMatches`, the talk's
 * `EarlyResultEventTimeTrigger`: Beam's `Trigger` has no predicate) and a late-data output (Beam's
 * GroupByKey has one output). Beam's runners themselves run a GroupByKey this way (runners-core's
 * ReduceFnRunner inside a stateful DoFn); here the SDK does, with the direct runner's own reducer
 * (`runners/exec/windowing`), so the panes are the direct runner's: EARLY / ON_TIME / LATE, their
 * indexes, accumulation mode, merged sessions, the late output. Each such GroupByKey becomes a
 * composite of standard primitives:
 *
 *   ReifyWindows (ParDo: KV<K, V> → KV<K, KV<V, Iterable<window>>>, the element's windows kept)
 *   → GlobalWindows (window_into: one global window, so state is per key, whatever the windows)
 *   → GroupAlsoByWindow (stateful ParDo keyed by K: bag state `reducer` holds the key's reducer as
 *     bytes, the event-time timer family `wake` fires when the reducer's next window or trigger
 *     is due; outputs the GroupByKey's own outputs, `out` and `late`, in their windows and panes)
 *
 * The harness runs both ParDos (`runners/harness/plan/group-also-by-window.ts`). What the
 * expansion cannot know is the runner's watermark itself: the reducer learns it from its timers'
 * firing times (a lower bound), so an element is judged late against the watermark its key last
 * saw, never a later one; see docs/runners.md.
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { CoderUrns } from '../../sdk/coders/urns.js';
import { STATE_URN } from '../../sdk/state/urns.js';
import { ENVIRONMENT_ID } from '../../sdk/translate/environment.js';
import { TRIGGER_PREDICATES_URN, triggerSlotsDisplayData, triggerSlotsOf, type TriggerSlot } from '../../sdk/trigger/proto.js';
import { URN } from '../../sdk/urns.js';
import { WINDOW_FN_URN } from '../../sdk/window/window-fn-proto.js';
import { EXPANSION_URN, GABW_STATE, GABW_TIMER, type GroupAlsoByWindowSpec } from '../harness/plan/group-also-by-window.js';
import { addGlobalStrategy, coder, groupByKeyInput, type Components } from './components.js';

/** Whether the GroupByKey `t` needs the expansion: a predicate trigger or a late-data output. */
export function needsExpansion(t: beam.IPTransform, c: beam.IComponents, predicates: ReadonlyMap<string, readonly TriggerSlot[]>): boolean {
  if (t.spec?.urn !== URN.GROUP_BY_KEY) return false;
  if (Object.keys(t.outputs ?? {}).length > 1) return true;
  const input = Object.values(t.inputs ?? {})[0];
  const ws = input ? c.pcollections?.[input]?.windowingStrategyId ?? '' : '';
  return (predicates.get(ws) ?? []).some((s) => s !== null);
}

/** Rewrites, in place, every GroupByKey of `p` that needs it; returns their ids. */
export function expandWindowing(p: beam.Pipeline): string[] {
  const c = p.components as Components;
  const slots = triggerSlotsOf(p);
  const expanded: string[] = [];
  for (const id of Object.keys(c.transforms).sort()) {
    const t = c.transforms[id]!;
    if (!needsExpansion(t, c, slots)) continue;
    expandOne(id, t, c, slots);
    expanded.push(id);
  }
  // A CombinePerKey around an expanded GroupByKey: a plain composite, or the runner lifts it
  // itself (Prism does) into a precombine over raw, unmerged windows.
  for (const t of Object.values(c.transforms)) {
    if (t.spec?.urn === URN.COMBINE_PER_KEY && t.subtransforms.some((s) => expanded.includes(s))) {
      t.spec = null;
      t.environmentId = '';
    }
  }
  if (expanded.length && !p.requirements.includes(STATE_URN.REQUIRES_STATEFUL_PROCESSING)) p.requirements.push(STATE_URN.REQUIRES_STATEFUL_PROCESSING);
  // No runner-side grouping uses a predicate trigger any more (each GroupAlsoByWindow carries its
  // own copy): the runner sees the default trigger there, and no predicate slots.
  const kept = new Map<string, readonly TriggerSlot[]>();
  for (const [wsId, s] of slots) {
    if (!s.some((x) => x !== null)) kept.set(wsId, s);
    else if (c.windowingStrategies[wsId]) c.windowingStrategies[wsId]!.trigger = { default: {} };
  }
  p.displayData = [...p.displayData.filter((d) => d.urn !== TRIGGER_PREDICATES_URN), ...triggerSlotsDisplayData(kept)];
  return expanded;
}

function expandOne(id: string, t: Components['transforms'][string], c: Components, slots: ReadonlyMap<string, readonly TriggerSlot[]>): void {
  const { name, inputId, input, wsId, ws, keyCoder, valueCoder } = groupByKeyInput(id, t, c);
  const windowCoder = ws.windowCoderId ?? '';
  // The value with its windows is opaque to the runner (length-prefixed): a runner need not
  // decode windows inside elements (Prism knows interval_window only as a window coder).
  const valueAndWindows = coder(c, CoderUrns.LENGTH_PREFIX, [coder(c, CoderUrns.KV, [valueCoder, coder(c, CoderUrns.ITERABLE, [windowCoder])])]);
  const reified = coder(c, CoderUrns.KV, [keyCoder, valueAndWindows]);
  const globalWindowCoder = coder(c, CoderUrns.GLOBAL_WINDOW, []);
  const globalWs = addGlobalStrategy(c, `${id}/GlobalWindows.strategy`, ws.environmentId || ENVIRONMENT_ID);
  const pc = (suffix: string, wsFor: string): string => {
    const pid = `${id}/${suffix}`;
    c.pcollections[pid] = beam.PCollection.create({ uniqueName: pid, coderId: reified, isBounded: input.isBounded, windowingStrategyId: wsFor });
    return pid;
  };
  const reifiedPc = pc('ReifyWindows.out', wsId);
  const globalPc = pc('GlobalWindows.out', globalWs);
  const part = (suffix: string, spec: beam.IFunctionSpec, inputs: Record<string, string>, outputs: Record<string, string>): string => {
    const tid = `${id}/${suffix}`;
    c.transforms[tid] = beam.PTransform.create({ uniqueName: `${name}/${suffix}`, spec, inputs, outputs, environmentId: ENVIRONMENT_ID });
    return tid;
  };
  const reify = part('ReifyWindows', { urn: URN.PAR_DO, payload: beam.ParDoPayload.encode({ doFn: { urn: EXPANSION_URN.REIFY_WINDOWS } }).finish() }, { in: inputId }, { out: reifiedPc });
  const toGlobal = part(
    'GlobalWindows',
    { urn: URN.WINDOW_INTO, payload: beam.WindowIntoPayload.encode({ windowFn: { urn: WINDOW_FN_URN.GLOBAL, payload: new Uint8Array() } }).finish() },
    { in: reifiedPc },
    { out: globalPc },
  );
  const spec: GroupAlsoByWindowSpec = {
    windowingStrategyId: wsId,
    windowingStrategy: Buffer.from(beam.WindowingStrategy.encode(ws).finish()).toString('base64'),
    triggerSlots: [...(slots.get(wsId) ?? [])],
    name,
  };
  const gabwPayload = beam.ParDoPayload.encode({
    doFn: { urn: EXPANSION_URN.GROUP_ALSO_BY_WINDOW, payload: new TextEncoder().encode(JSON.stringify(spec)) },
    stateSpecs: { [GABW_STATE]: { bagSpec: { elementCoderId: coder(c, CoderUrns.BYTES, []) }, protocol: { urn: STATE_URN.BAG_USER_STATE } } },
    timerFamilySpecs: { [GABW_TIMER]: { timeDomain: beam.TimeDomain.Enum.EVENT_TIME, timerFamilyCoderId: coder(c, CoderUrns.TIMER, [keyCoder, globalWindowCoder]) } },
  }).finish();
  // The GroupByKey's outputs, under the same local names (`out`, and `late` if it has one).
  const gabw = part('GroupAlsoByWindow', { urn: URN.PAR_DO, payload: gabwPayload }, { in: globalPc }, { ...t.outputs });
  t.subtransforms = [reify, toGlobal, gabw];
  t.spec = null;
  t.environmentId = '';
}
