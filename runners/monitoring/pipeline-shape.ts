/**
 * The parts of a pipeline proto that watching needs: its leaf transforms (the ones that run) with
 * their main inputs and outputs, and readable names for transforms and PCollections.
 */
import type { pipeline as beam } from '../../portability-proto/index.js';

export interface LeafTransform {
  readonly id: string;
  readonly name: string;
  readonly urn: string;
  readonly inputs: readonly string[];
  readonly sideInputs: readonly string[];
  readonly outputs: readonly string[];
  /** The top-level composite it belongs to (its own name for a top-level leaf). */
  readonly stage: string;
}

export interface PipelineShape {
  readonly leaves: readonly LeafTransform[];
  pcollectionName(id: string): string;
  /** The leaf producing a PCollection. */
  producerOf(pcollection: string): LeafTransform | undefined;
}

/** `executed`: the transforms the runner runs as units; a composite among them (a Combine the
 *  runner executes natively) is a leaf here, since its parts never run. */
export function pipelineShape(proto: beam.IPipeline, executed?: ReadonlySet<string>): PipelineShape {
  const transforms = proto.components?.transforms ?? {};
  const pcollections = proto.components?.pcollections ?? {};
  const leaves: LeafTransform[] = [];
  const visit = (id: string, stage: string): void => {
    const t = transforms[id];
    if (!t) return;
    const subs = t.subtransforms ?? [];
    if (subs.length && !executed?.has(id)) {
      for (const s of subs) visit(s, stage);
      return;
    }
    const inputs: string[] = [];
    const sideInputs: string[] = [];
    for (const [tag, pc] of Object.entries(t.inputs ?? {})) (tag.startsWith('side:') ? sideInputs : inputs).push(pc);
    leaves.push({ id, name: t.uniqueName ?? id, urn: t.spec?.urn ?? '', inputs, sideInputs, outputs: Object.values(t.outputs ?? {}), stage });
  };
  for (const id of proto.rootTransformIds ?? []) visit(id, transforms[id]?.uniqueName ?? id);
  const producers = new Map<string, LeafTransform>();
  for (const leaf of leaves) for (const pc of leaf.outputs) producers.set(pc, leaf);
  return {
    leaves,
    pcollectionName: (id) => pcollections[id]?.uniqueName ?? id,
    producerOf: (pc) => producers.get(pc),
  };
}
