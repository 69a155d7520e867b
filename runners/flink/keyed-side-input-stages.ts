/**
 * Beam 2.62's Flink runner drops a stateful stage that reads side inputs when nothing outside the
 * stage consumes its output. Such a stage must be a keyed two-input operator, which
 * `FlinkStreamingPortablePipelineTranslator.translateExecutableStage` builds by hand as a raw
 * `TwoInputTransformation` and never adds to the execution environment (Beam's classic
 * translator does, `addOperator`). Flink builds only the operators reachable from ones added, so
 * the stage is in the job only if a downstream operator reads one of its outputs. A stateful
 * ParDo whose output goes to a sink fused into its own stage (examples/dynamic-rules.ts: rules
 * applied, alerts printed) never ran, and the job ended DONE having processed none of its input.
 *
 * The flink runner gives each stateful ParDo with side inputs an extra output that it never
 * writes, read by a GroupByKey (which Flink adds through `DataStream.transform`): the stage is
 * reached through it. The GroupByKey receives watermarks only; its output goes nowhere.
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { CoderUrns } from '../../sdk/coders/urns.js';
import { URN } from '../../sdk/urns.js';
import { isStatefulPayload } from '../exec/state/from-payload.js';
import { addGlobalStrategy, coder, type Components } from '../portable/components.js';

/** The output tag of the extra, never written, output. */
export const ANCHOR_TAG = 'tributary:flink-anchor';

/** Anchors every stateful ParDo of `p` that reads side inputs (changed in place); returns their ids. */
export function anchorKeyedSideInputStages(p: beam.Pipeline): string[] {
  const c = p.components as Components;
  const anchored: string[] = [];
  for (const id of Object.keys(c.transforms).sort()) {
    const t = c.transforms[id]!;
    if (t.spec?.urn !== URN.PAR_DO || t.outputs[ANCHOR_TAG]) continue;
    const payload = beam.ParDoPayload.decode(t.spec.payload ?? new Uint8Array());
    if (!isStatefulPayload(payload) || Object.keys(payload.sideInputs).length === 0) continue;
    const bytes = coder(c, CoderUrns.BYTES, []);
    const ws = c.windowingStrategies['tributary-flink-anchor'] ? 'tributary-flink-anchor' : addGlobalStrategy(c, 'tributary-flink-anchor');
    const mainInput = Object.entries(t.inputs).find(([tag]) => !payload.sideInputs[tag])?.[1] ?? '';
    const isBounded = c.pcollections[mainInput]?.isBounded;
    const pc = (suffix: string, coderId: string): string => {
      const pid = `${id}/Anchor.${suffix}`;
      c.pcollections[pid] = beam.PCollection.create({ uniqueName: pid, coderId, isBounded, windowingStrategyId: ws });
      return pid;
    };
    const unwritten = pc('out', coder(c, CoderUrns.KV, [bytes, bytes]));
    const grouped = pc('grouped', coder(c, CoderUrns.KV, [bytes, coder(c, CoderUrns.ITERABLE, [bytes])]));
    t.outputs[ANCHOR_TAG] = unwritten;
    const gbkId = `${id}/Anchor`;
    c.transforms[gbkId] = beam.PTransform.create({ uniqueName: `${t.uniqueName || id}/Anchor`, spec: { urn: URN.GROUP_BY_KEY }, inputs: { in: unwritten }, outputs: { out: grouped } });
    const parent = Object.values(c.transforms).find((x) => x.subtransforms.includes(id));
    (parent ? parent.subtransforms : p.rootTransformIds).push(gbkId);
    anchored.push(id);
  }
  return anchored;
}
