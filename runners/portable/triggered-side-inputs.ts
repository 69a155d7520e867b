/**
 * A side input re-fired by a trigger (Beam's slowly-updating side input: rules or mapping specs
 * that change while the job runs) means, in Tributary, every element the side input has received
 * so far, in arrival order: a singleton view is the latest one, a map view each key's latest value
 * (runners/exec/side-input-views.ts). A Beam runner materializes a side input by grouping it with
 * its own windowing strategy and serves the harness the window's LATEST pane only: Beam's Flink
 * runner writes each pane over the last (runners-core `SideInputHandler.addSideInputValue`, a
 * value state per window). Under a discarding trigger that is the last element alone — on Flink
 * examples/dynamic-rules.ts saw one rule at a time, examples/identity-graph.ts one mapping spec.
 *
 * So the submission reads such a side input from a copy of its PCollection whose panes
 * accumulate: a runner-executed Flatten of the one PCollection into a new one whose windowing
 * strategy is the same but ACCUMULATING. Its latest pane then holds every element so far, in
 * arrival order — what the direct runner's view is made of. The trigger is the user's: it still
 * says when a new pane (a new view) reaches the main input. Each pane carries the whole history,
 * so a side input updated n times moves O(n²) elements through the runner: right for rules and
 * specs, not for a stream of facts (join those with state instead).
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { URN } from '../../sdk/urns.js';
import type { Components } from './components.js';

/** `transform (side input "tag" from pcollection)` for each side input of `p` re-fired by a
 *  trigger (a non-default trigger on its PCollection's windowing strategy). */
export function triggeredSideInputs(p: beam.IPipeline): Array<{ transformId: string; tag: string; pcollection: string; label: string }> {
  const c = p.components ?? {};
  const out: Array<{ transformId: string; tag: string; pcollection: string; label: string }> = [];
  for (const [id, t] of Object.entries(c.transforms ?? {})) {
    if (t.spec?.urn !== URN.PAR_DO) continue;
    const payload = beam.ParDoPayload.decode(t.spec.payload ?? new Uint8Array());
    for (const tag of Object.keys(payload.sideInputs ?? {}).sort()) {
      const pc = t.inputs?.[tag];
      const ws = pc ? c.windowingStrategies?.[c.pcollections?.[pc]?.windowingStrategyId ?? ''] : undefined;
      if (pc && ws?.trigger && !ws.trigger.default) out.push({ transformId: id, tag, pcollection: pc, label: `${t.uniqueName || id} (side input "${tag}" from ${pc})` });
    }
  }
  return out;
}

/**
 * Points every triggered side input of `p` (changed in place) at an accumulating copy of its
 * PCollection; one copy per PCollection, however many ParDos read it. Returns the copies' ids.
 *
 * A map or multimap view of such a side input is read whole, with iterable access: the elements
 * in arrival order give each key its latest value and the map its keys in the order they first
 * came, as on the direct runner (multimap access hands out the keys in the runner's order — a
 * Java HashMap's on Flink — and costs a state read per key).
 */
export function accumulateTriggeredSideInputs(p: beam.Pipeline): string[] {
  const c = p.components as Components;
  const copies = new Map<string, string>();
  for (const { transformId, tag, pcollection } of triggeredSideInputs(p)) {
    let copy = copies.get(pcollection);
    if (!copy) copies.set(pcollection, (copy = addAccumulatingCopy(p, c, pcollection, transformId)));
    const t = c.transforms[transformId]!;
    t.inputs[tag] = copy;
    const payload = beam.ParDoPayload.decode(t.spec!.payload!);
    payload.sideInputs[tag]!.accessPattern = { urn: URN.SIDE_INPUT_ITERABLE };
    t.spec!.payload = beam.ParDoPayload.encode(payload).finish();
  }
  return [...copies.values()];
}

function addAccumulatingCopy(p: beam.Pipeline, c: Components, pcId: string, readerId: string): string {
  const pc = c.pcollections[pcId]!;
  const wsId = `${pc.windowingStrategyId}/accumulating`;
  if (!c.windowingStrategies[wsId]) {
    const ws = beam.WindowingStrategy.decode(beam.WindowingStrategy.encode(c.windowingStrategies[pc.windowingStrategyId]!).finish());
    ws.accumulationMode = beam.AccumulationMode.Enum.ACCUMULATING;
    c.windowingStrategies[wsId] = ws;
  }
  const copyId = `${pcId}/AllPanes.out`;
  c.pcollections[copyId] = beam.PCollection.create({ uniqueName: `${pc.uniqueName || pcId}/AllPanes.out`, coderId: pc.coderId, isBounded: pc.isBounded, windowingStrategyId: wsId });
  const flattenId = `${pcId}/AllPanes`;
  c.transforms[flattenId] = beam.PTransform.create({ uniqueName: `${pc.uniqueName || pcId}/AllPanes`, spec: { urn: URN.FLATTEN }, inputs: { in: pcId }, outputs: { out: copyId } });
  // Beside its first reader, in the reader's composite (or at the top level).
  const parent = Object.values(c.transforms).find((t) => t.subtransforms.includes(readerId));
  const siblings = parent ? parent.subtransforms : p.rootTransformIds;
  siblings.splice(Math.max(0, siblings.indexOf(readerId)), 0, flattenId);
  return copyId;
}
