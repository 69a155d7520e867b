/**
 * Graph → portable proto. Ids are deterministic (transforms by unique name, PCollections by
 * producer and output tag, coders and windowing strategies numbered in traversal order), so
 * building the same program twice gives byte-identical protos — which is how a worker proves it
 * rebuilt the submitted graph.
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { Coders, type Coder } from '../coders/index.js';
import { PipelineConstructionError } from '../errors.js';
import type { PCollection } from '../graph/pcollection.js';
import type { Pipeline } from '../graph/pipeline.js';
import type { TransformNode } from '../graph/transform-node.js';
import { windowingStrategyToProto, type WindowingStrategy } from '../graph/windowing.js';
import { URN } from '../urns.js';
import type { ProtoWriteContext } from './context.js';
import { userFnIdFor } from './user-fn-spec.js';
import { requirementsOf } from './requirements.js';
import { triggerSlotsDisplayData, type TriggerSlot } from '../trigger/proto.js';
import { defaultEnvironment, ENVIRONMENT_ID } from './environment.js';

export { ENVIRONMENT_ID };

/** A pipeline as a runner receives it: the proto, and this program's user functions by id. */
export interface PortablePipeline {
  readonly proto: beam.Pipeline;
  readonly userFns: ReadonlyMap<string, unknown>;
}

const CODER_DEFAULTS = { json: () => Coders.json() as Coder<unknown>, kv: (k: Coder<unknown>, v: Coder<unknown>) => Coders.kv(k, v) as Coder<unknown> };

/** The coder a PCollection will have on the wire (explicit, derived, or the default). */
export function coderOf<T>(pc: PCollection<T>): Coder<T> {
  return pc.coder(CODER_DEFAULTS);
}

/**
 * A PCollection's id in the proto: `<producer>.<tag>`, never equal to a transform id. Beam Java's
 * fuser orders transforms and PCollections by id in one sort and collapses equal ids, so a
 * PCollection named like its producer made every pipeline fail on Beam's Java job servers
 * ("consumed but never produced"). The readable name stays in the PCollection's unique_name.
 */
export function pcollectionId(pc: PCollection<unknown>): string {
  return `${pc.producer.uniqueName}.${pc.tag}`;
}

export function toPortable(p: Pipeline, inherited?: ReadonlyMap<string, unknown>): PortablePipeline {
  propagateKeyedness(p);
  const w = new ProtoWriter(inherited);
  const transforms: Record<string, beam.IPTransform> = {};
  const pcollections: Record<string, beam.IPCollection> = {};

  for (const node of p.transforms()) {
    transforms[node.uniqueName] = w.transform(node);
    for (const tag of [...node.outputs.keys()].sort()) {
      const pc = node.outputs.get(tag)!;
      const id = pcollectionId(pc);
      if (pc.producer !== node || pcollections[id]) continue;
      pcollections[id] = {
        uniqueName: pc.name,
        coderId: w.coderIdFor(pc),
        isBounded: pc.isBounded ? beam.IsBounded.Enum.BOUNDED : beam.IsBounded.Enum.UNBOUNDED,
        windowingStrategyId: w.windowingId(pc.windowing),
      };
    }
  }
  for (const id of Object.keys(pcollections)) {
    if (transforms[id]) {
      throw new PipelineConstructionError(
        `the PCollection id "${id}" equals the name of a transform: rename that transform (names ending in ".<output tag>" are reserved for PCollections)`,
      );
    }
  }
  const proto = beam.Pipeline.create({
    components: {
      transforms,
      pcollections,
      coders: w.coders,
      windowingStrategies: w.windowingStrategies,
      environments: { [ENVIRONMENT_ID]: defaultEnvironment() },
    },
    rootTransformIds: p.root.parts.map((n) => n.uniqueName),
    displayData: triggerSlotsDisplayData(w.triggerSlots),
    requirements: requirementsOf(transforms),
  });
  return { proto, userFns: w.userFns };
}

/** A Flatten, Window.into or Reshuffle whose output is grouped by key needs key/value coders on
 *  its inputs too (their inputs and output share one coder: a runner passes the elements through
 *  as they are, Beam's Flink batch Reshuffle included), so keyedness flows upstream through them. */
function propagateKeyedness(p: Pipeline): void {
  const nodes = [...p.transforms()].reverse();
  for (const node of nodes) {
    if (node.spec?.urn !== URN.FLATTEN && node.spec?.urn !== URN.WINDOW_INTO && node.spec?.urn !== URN.RESHUFFLE) continue;
    const out = node.outputs.get('out');
    if (!out?.keyedConsumer) continue;
    for (const input of node.inputs.values()) input.keyedConsumer ??= out.keyedConsumer;
  }
}

export function encodePipeline(proto: beam.IPipeline): Uint8Array {
  return beam.Pipeline.encode(proto).finish();
}

class ProtoWriter implements ProtoWriteContext {
  readonly coders: Record<string, beam.ICoder> = {};
  readonly windowingStrategies: Record<string, beam.IWindowingStrategy> = {};
  readonly userFns = new Map<string, unknown>();
  /** Windowing strategy id → the slots of its trigger's `never` nodes (see sdk/trigger/proto.ts). */
  readonly triggerSlots = new Map<string, TriggerSlot[]>();
  private collectingSlots: TriggerSlot[] | undefined;
  private readonly coderIds = new Map<string, string>();
  private readonly coderObjects = new Map<Coder<unknown>, string>();
  private readonly windowingIds = new Map<string, string>();
  private readonly windowingObjects = new Map<WindowingStrategy, string>();

  constructor(inherited?: ReadonlyMap<string, unknown>) {
    if (inherited) for (const [k, v] of inherited) this.userFns.set(k, v);
  }

  transform(node: TransformNode): beam.IPTransform {
    const t: beam.IPTransform = {
      uniqueName: node.uniqueName,
      subtransforms: node.parts.map((n) => n.uniqueName),
      inputs: Object.fromEntries([...node.inputs].map(([tag, pc]) => [tag, pcollectionId(pc)])),
      outputs: Object.fromEntries([...node.outputs].map(([tag, pc]) => [tag, pcollectionId(pc)])),
    };
    if (node.spec) {
      t.spec = { urn: node.spec.urn, payload: node.spec.payload?.(this) ?? new Uint8Array() };
      if (node.spec.runsUserCode) t.environmentId = ENVIRONMENT_ID;
    } else if (node.parts.length === 0) {
      throw new PipelineConstructionError(
        `transform "${node.uniqueName}" applied no transform and is not a primitive: its expand must apply something`,
      );
    }
    return t;
  }

  coderIdFor(pc: PCollection<unknown>): string {
    return this.coderId(coderOf(pc));
  }

  coderId(coder: Coder<unknown>): string {
    const known = this.coderObjects.get(coder);
    if (known) return known;
    const componentIds = coder.components.map((c) => this.coderId(c));
    const payload = coder.payload ?? new Uint8Array();
    const key = `${coder.urn}|${componentIds.join(',')}|${Buffer.from(payload).toString('base64')}`;
    let id = this.coderIds.get(key);
    if (!id) {
      id = `c${this.coderIds.size}`;
      this.coderIds.set(key, id);
      this.coders[id] = { spec: { urn: coder.urn, payload }, componentCoderIds: componentIds };
    }
    this.coderObjects.set(coder, id);
    return id;
  }

  windowingId(ws: WindowingStrategy): string {
    const known = this.windowingObjects.get(ws);
    if (known) return known;
    const slots: TriggerSlot[] = [];
    this.collectingSlots = slots;
    let proto: beam.WindowingStrategy;
    try {
      proto = windowingStrategyToProto(ws, this);
    } finally {
      this.collectingSlots = undefined;
    }
    proto.environmentId = ENVIRONMENT_ID;
    // Two strategies that differ only in a trigger's predicate have the same message bytes.
    const key = `${Buffer.from(beam.WindowingStrategy.encode(proto).finish()).toString('base64')}|${JSON.stringify(slots)}`;
    let id = this.windowingIds.get(key);
    if (!id) {
      id = `ws${this.windowingIds.size}`;
      this.windowingIds.set(key, id);
      this.windowingStrategies[id] = proto;
      this.triggerSlots.set(id, slots);
    }
    this.windowingObjects.set(ws, id);
    return id;
  }

  triggerSlot(slot: TriggerSlot): void {
    this.collectingSlots?.push(slot);
  }

  userFnId(owner: string, role: string, fn: unknown): string {
    const id = userFnIdFor(owner, role);
    const existing = this.userFns.get(id);
    if (existing !== undefined && existing !== fn) {
      throw new PipelineConstructionError(`two user functions claim the id "${id}": transform names must be unique`);
    }
    this.userFns.set(id, fn);
    return id;
  }
}
