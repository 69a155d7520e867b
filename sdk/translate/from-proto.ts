/**
 * Portable proto → graph. The rebuilt graph holds each transform's spec as it was submitted and
 * finds user functions in this program's registry by id; translating it again gives the same
 * bytes (tested), so a runner can treat either as the same pipeline.
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { coderFromSpec, type Coder } from '../coders/index.js';
import { PipelineConstructionError } from '../errors.js';
import { PCollection } from '../graph/pcollection.js';
import { Pipeline } from '../graph/pipeline.js';
import { TransformNode } from '../graph/transform-node.js';
import { windowingStrategyFromProto, type WindowingStrategy } from '../graph/windowing.js';
import { URN } from '../urns.js';
import type { ProtoReadContext, ProtoWriteContext } from './context.js';
import { decodeUserFnRef, splitUserFnId } from './user-fn-spec.js';
import { triggerSlotsOf, type TriggerSlot } from '../trigger/proto.js';
import { reRegisterStatefulParts, usesStateOrTimers } from './state-specs.js';

export class ProtoReader implements ProtoReadContext {
  private readonly coders = new Map<string, Coder<unknown>>();
  private readonly strategies = new Map<string, WindowingStrategy>();
  private slots?: Map<string, TriggerSlot[]>;
  private readingSlots: TriggerSlot[] = [];

  constructor(
    readonly proto: beam.IPipeline,
    private readonly userFns: ReadonlyMap<string, unknown>,
  ) {}

  get components(): beam.IComponents {
    return this.proto.components ?? {};
  }

  coder(id: string): Coder<unknown> {
    let coder = this.coders.get(id);
    if (!coder) {
      const spec = this.components.coders?.[id];
      if (!spec) throw new PipelineConstructionError(`the pipeline proto refers to coder "${id}", which its components do not define`);
      const components = (spec.componentCoderIds ?? []).map((c) => this.coder(c));
      coder = coderFromSpec(spec.spec?.urn ?? '', components, spec.spec?.payload ?? undefined);
      this.coders.set(id, coder);
    }
    return coder;
  }

  windowingStrategy(id: string): WindowingStrategy {
    let ws = this.strategies.get(id);
    if (!ws) {
      const proto = this.components.windowingStrategies?.[id];
      if (!proto) throw new PipelineConstructionError(`the pipeline proto refers to windowing strategy "${id}", which its components do not define`);
      this.slots ??= triggerSlotsOf(this.proto);
      this.readingSlots = [...(this.slots.get(id) ?? [])];
      ws = windowingStrategyFromProto(proto, this);
      this.strategies.set(id, ws);
    }
    return ws;
  }

  nextTriggerSlot(): TriggerSlot {
    return this.readingSlots.shift() ?? null;
  }

  userFn(id: string): unknown {
    if (!this.userFns.has(id)) {
      throw new PipelineConstructionError(
        `this program has no user function "${id}": the pipeline was built by a different program or with different options ` +
          `(run the worker with the same pipeline file and flags as the submission)`,
      );
    }
    return this.userFns.get(id);
  }

  transform(id: string): beam.IPTransform {
    const t = this.components.transforms?.[id];
    if (!t) throw new PipelineConstructionError(`the pipeline proto refers to transform "${id}", which its components do not define`);
    return t;
  }
}

/** Rebuilds a graph from a proto; `userFns` is this program's registry (see toPortable). */
export function pipelineFromProto(proto: beam.IPipeline, userFns: ReadonlyMap<string, unknown>): { pipeline: Pipeline; userFns: ReadonlyMap<string, unknown> } {
  const reader = new ProtoReader(proto, userFns);
  const p = new Pipeline();
  const pcollections = new Map<string, PCollection<unknown>>();

  const build = (id: string, parent: TransformNode): void => {
    const t = reader.transform(id);
    const node = new TransformNode(t.uniqueName ?? id, parent);
    parent.parts.push(node);
    if (t.spec?.urn) node.spec = rebuiltSpec(t, reader);
    for (const [tag, pcId] of Object.entries(t.inputs ?? {})) node.inputs.set(tag, pcollection(pcId));
    // Parts first: a composite's outputs are produced by its parts.
    for (const sub of t.subtransforms ?? []) build(sub, node);
    for (const tag of Object.keys(t.outputs ?? {}).sort()) {
      const pcId = t.outputs![tag]!;
      const existing = pcollections.get(pcId);
      node.outputs.set(tag, existing ?? pcollection(pcId, node, tag));
    }
  };

  function pcollection(id: string, producer?: TransformNode, tag?: string): PCollection<unknown> {
    const existing = pcollections.get(id);
    if (existing) return existing;
    if (!producer) throw new PipelineConstructionError(`PCollection "${id}" is consumed before any transform produces it`);
    const spec = reader.components.pcollections?.[id];
    if (!spec) throw new PipelineConstructionError(`the pipeline proto refers to PCollection "${id}", which its components do not define`);
    const pc = new PCollection<unknown>(p, producer, tag!, {
      windowing: reader.windowingStrategy(spec.windowingStrategyId ?? ''),
      isBounded: spec.isBounded !== beam.IsBounded.Enum.UNBOUNDED,
    });
    pc.withCoder(reader.coder(spec.coderId ?? ''));
    pcollections.set(id, pc);
    return pc;
  }

  for (const id of proto.rootTransformIds ?? []) build(id, p.root);
  return { pipeline: p, userFns };
}

/** The submitted spec, re-registering the coders and user functions its payload refers to, so
 *  that translating the rebuilt graph assigns them the same ids. */
function rebuiltSpec(t: beam.IPTransform, reader: ProtoReader): TransformNode['spec'] {
  const urn = t.spec!.urn!;
  const bytes = t.spec!.payload ?? new Uint8Array();
  const reRegister = (ctx: ProtoWriteContext, id: string): void => {
    const split = splitUserFnId(id);
    if (split) ctx.userFnId(split.owner, split.role, reader.userFn(id));
  };
  return {
    urn,
    runsUserCode: !!t.environmentId,
    payload(ctx) {
      switch (urn) {
        case URN.PAR_DO: {
          const payload = beam.ParDoPayload.decode(bytes);
          reRegister(ctx, decodeUserFnRef(payload.doFn?.payload, t.uniqueName ?? '').id);
          for (const name of Object.keys(payload.sideInputs).sort()) {
            reRegister(ctx, decodeUserFnRef(payload.sideInputs[name]!.viewFn?.payload, t.uniqueName ?? '').id);
          }
          const splittable = !!payload.restrictionCoderId;
          if (!usesStateOrTimers(payload) && !splittable) return bytes;
          if (splittable) payload.restrictionCoderId = ctx.coderId(reader.coder(payload.restrictionCoderId));
          if (usesStateOrTimers(payload)) reRegisterStatefulParts(payload, reader, ctx, t.uniqueName ?? '');
          return beam.ParDoPayload.encode(payload).finish();
        }
        case URN.COMBINE_PER_KEY:
        case URN.COMBINE_GLOBALLY:
        case URN.COMBINE_GROUPED_VALUES: {
          const payload = beam.CombinePayload.decode(bytes);
          reRegister(ctx, decodeUserFnRef(payload.combineFn?.payload, t.uniqueName ?? '').id);
          payload.accumulatorCoderId = ctx.coderId(reader.coder(payload.accumulatorCoderId));
          return beam.CombinePayload.encode(payload).finish();
        }
        case URN.TEST_STREAM: {
          const payload = beam.TestStreamPayload.decode(bytes);
          payload.coderId = ctx.coderId(reader.coder(payload.coderId));
          return beam.TestStreamPayload.encode(payload).finish();
        }
        default:
          return bytes;
      }
    },
  };
}
