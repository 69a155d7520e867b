/**
 * Combiner lifting at submission. Beam runners such as Flink's execute a CombinePerKey composite
 * as its parts — a GroupByKey of every raw value, then a ParDo that combines — so every element
 * crosses the shuffle. Lifting rewrites each `beam:transform:combine_per_key:v1` composite into
 * Beam's standard phases, which the harness runs:
 *
 *   Precombine (KV<K, V> → KV<K, A>, inside each worker before the shuffle)
 *   → GroupByKey (KV<K, A> → KV<K, Iterable<A>>)
 *   → MergeAccumulators (→ KV<K, A>) → ExtractOutputs (→ KV<K, O>)
 *
 * The composite loses its spec (a plain composite of its new parts), so a runner that would lift
 * by itself does not lift twice. A CombinePerKey whose GroupByKey also routes late data is left
 * alone: its late output holds raw values, which a precombined shuffle no longer has; so is one
 * under a merging window fn (sessions), whose values may combine only once their windows merged: it
 * loses its spec too, so a runner that lifts by itself (Prism) does not lift it either.
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { CoderUrns } from '../../sdk/coders/urns.js';
import { URN } from '../../sdk/urns.js';
import { WINDOW_FN_URN } from '../../sdk/window/window-fn-proto.js';
import { coder, only, type Components } from './components.js';

/** Sessions whose single final pane a precombine of partial sessions gives exactly: the default
 *  trigger, and a timestamp combiner the partials keep (the window's end, or the earliest). */
function premergeable(ws: beam.IWindowingStrategy): boolean {
  return ws.windowFn?.urn === WINDOW_FN_URN.SESSIONS && (ws.trigger == null || ws.trigger.default != null) && ws.outputTime !== beam.OutputTime.Enum.LATEST_IN_PANE;
}

/** A lifted copy of `proto` (the input is untouched) and the transforms that were lifted;
 *  `sessions`: also lift under session windows (only where that is exact: see
 *  runners/exec/merging-precombine.ts and runners/flink/execution-mode.ts). */
export function liftCombines(proto: beam.IPipeline, options: { sessions?: boolean } = {}): { pipeline: beam.Pipeline; lifted: string[] } {
  const p = beam.Pipeline.decode(beam.Pipeline.encode(proto).finish());
  const c = p.components as Components;
  const lifted: string[] = [];
  for (const id of Object.keys(c.transforms).sort()) {
    const t = c.transforms[id];
    if (t?.spec?.urn !== URN.COMBINE_PER_KEY) continue; // (undefined: removed by an earlier lift)
    if (liftOne(id, t, c, options.sessions === true)) lifted.push(id);
  }
  return { pipeline: p, lifted };
}

function liftOne(id: string, t: Components['transforms'][string], c: Components, sessions: boolean): boolean {
  const [gbkId, valuesId] = t.subtransforms;
  const gbk = gbkId === undefined ? undefined : c.transforms[gbkId];
  const values = valuesId === undefined ? undefined : c.transforms[valuesId];
  if (t.subtransforms.length !== 2 || gbk?.spec?.urn !== URN.GROUP_BY_KEY || !values) return false;
  if (Object.keys(gbk.outputs).length !== 1) return false; // a late-data output: see above
  const inputId = only(t.inputs);
  const outputId = only(t.outputs);
  const groupedId = only(gbk.outputs);
  if (!inputId || !outputId || !groupedId) return false;
  const input = c.pcollections[inputId]!;
  const grouped = c.pcollections[groupedId]!;
  const ws = c.windowingStrategies[input.windowingStrategyId];
  if (ws?.mergeStatus === beam.MergeStatus.Enum.NEEDS_MERGE && !(sessions && premergeable(ws))) {
    // Not lifted, and no runner may lift it either (Prism would, into a precombine over the
    // unmerged windows): a plain composite of its GroupByKey and combining ParDo.
    t.spec = null;
    t.environmentId = '';
    return false;
  }
  const kvIn = c.coders[input.coderId]!;
  if (kvIn.spec?.urn !== CoderUrns.KV || kvIn.componentCoderIds.length !== 2) return false;
  const combine = beam.CombinePayload.decode(t.spec!.payload ?? new Uint8Array());
  const keyCoder = kvIn.componentCoderIds[0]!;
  const accCoder = combine.accumulatorCoderId;

  // Before the new PCollections exist: the regrouped one may take the grouped one's id.
  delete c.pcollections[groupedId];
  const kvAcc = coder(c, CoderUrns.KV, [keyCoder, accCoder]);
  const kvAccs = coder(c, CoderUrns.KV, [keyCoder, coder(c, CoderUrns.ITERABLE, [accCoder])]);
  const pc = (name: string, coderId: string, like: beam.IPCollection): string => {
    c.pcollections[name] = beam.PCollection.create({ uniqueName: name, coderId, isBounded: like.isBounded, windowingStrategyId: like.windowingStrategyId });
    return name;
  };
  const precombined = pc(`${id}/Precombine.out`, kvAcc, input);
  const regrouped = pc(`${id}/GroupByKey.out`, kvAccs, grouped);
  const merged = pc(`${id}/MergeAccumulators.out`, kvAcc, grouped);
  const phase = (name: string, urn: string, from: string, to: string): string => {
    const tid = `${id}/${name}`;
    c.transforms[tid] = beam.PTransform.create({
      uniqueName: tid,
      spec: { urn, payload: t.spec!.payload },
      inputs: { in: from },
      outputs: { out: to },
      environmentId: t.environmentId || values.environmentId,
    });
    return tid;
  };
  const pre = phase('Precombine', URN.COMBINE_PER_KEY_PRECOMBINE, inputId, precombined);
  gbk.inputs = { in: precombined };
  gbk.outputs = { out: regrouped };
  const merge = phase('MergeAccumulators', URN.COMBINE_PER_KEY_MERGE_ACCUMULATORS, regrouped, merged);
  const extract = phase('ExtractOutputs', URN.COMBINE_PER_KEY_EXTRACT_OUTPUTS, merged, outputId);

  delete c.transforms[valuesId!];
  t.subtransforms = [pre, gbkId!, merge, extract];
  t.spec = null;
  t.environmentId = '';
  return true;
}
