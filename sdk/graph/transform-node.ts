/**
 * One applied transform in the graph: its unique name, its parts (for a composite), the
 * PCollections it consumes and produces, and — for primitives and runner-recognised composites —
 * the spec (URN and payload) that becomes its proto `FunctionSpec`.
 */
import type { ProtoWriteContext } from '../translate/context.js';
import type { PCollection } from './pcollection.js';

export interface TransformSpec {
  readonly urn: string;
  /** Builds the spec payload at translation time (user functions get ids through `ctx`). */
  payload?(ctx: ProtoWriteContext): Uint8Array;
  /** Whether the transform runs user code (its proto then names the SDK environment). */
  readonly runsUserCode?: boolean;
}

export class TransformNode {
  readonly parts: TransformNode[] = [];
  readonly inputs = new Map<string, PCollection<unknown>>();
  readonly outputs = new Map<string, PCollection<unknown>>();
  spec: TransformSpec | undefined;

  constructor(
    readonly uniqueName: string,
    readonly parent: TransformNode | undefined,
  ) {}

  get isRoot(): boolean {
    return this.parent === undefined;
  }

  /** Depth-first over this node and its parts, parents first, in application order. */
  *walk(): Generator<TransformNode> {
    yield this;
    for (const part of this.parts) yield* part.walk();
  }
}
