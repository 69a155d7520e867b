/**
 * A PTransform turns an input (a PCollection, several, or PBegin) into an output. A composite's
 * `expand` applies other transforms; a primitive's declares its spec and creates its outputs
 * through the context.
 */
import type { Coder } from '../coders/coder.js';
import type { WindowingStrategy } from './windowing.js';
import type { PCollection } from './pcollection.js';
import type { Pipeline } from './pipeline.js';
import type { TransformNode, TransformSpec } from './transform-node.js';

export interface ExpandContext {
  readonly pipeline: Pipeline;
  readonly node: TransformNode;
  /** Makes this transform a primitive (or a composite a runner may execute as one). */
  setSpec(spec: TransformSpec): void;
  /** Creates an output PCollection of this (primitive) transform. Windowing and boundedness
   *  default to those of the main input. */
  createOutput<T>(
    tag?: string,
    props?: { coder?: () => Coder<T>; windowing?: WindowingStrategy; isBounded?: boolean },
  ): PCollection<T>;
  /** Records an extra input, such as a side input, under a local tag. */
  addInput(tag: string, pcoll: PCollection<unknown>): void;
}

export abstract class PTransform<In, Out> {
  /** The name used when `apply` is not given one. */
  readonly defaultName: string;

  constructor(name?: string) {
    this.defaultName = name ?? this.constructor.name;
  }

  abstract expand(input: In, ctx: ExpandContext): Out;
}

/** A transform defined by a function, for quick composites: `transform('Parse', pc => ...)`. */
export function transform<In, Out>(name: string, expand: (input: In, ctx: ExpandContext) => Out): PTransform<In, Out> {
  return new (class extends PTransform<In, Out> {
    expand(input: In, ctx: ExpandContext): Out {
      return expand(input, ctx);
    }
  })(name);
}
