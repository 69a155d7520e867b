/**
 * A PCollection is a distributed, possibly unbounded, collection of elements of one type. It
 * records what produced it, its coder and its windowing; elements only exist once a runner
 * executes the graph.
 */
import type { Coder } from '../coders/coder.js';
import { CoderMismatchError } from '../errors.js';
import type { WindowingStrategy } from './windowing.js';
import type { PTransform } from './ptransform.js';
import type { Pipeline } from './pipeline.js';
import type { TransformNode } from './transform-node.js';

/** How a PCollection's coder is decided when the user did not set one. */
export type CoderSource<T> = () => Coder<T>;

export class PCollection<T> {
  /** Phantom field: makes `PCollection` covariant in `T`, so a `PCollection<string>` cannot be
   *  passed where a `PCollection<KV<K, V>>` is required. Never set at run time. */
  declare readonly __elementType: T;

  private explicitCoder: Coder<T> | undefined;
  private derivedCoder: CoderSource<T> | undefined;
  /** Set when a consumer needs key/value elements, so the default coder becomes a KV coder. */
  keyedConsumer: string | undefined;
  windowing: WindowingStrategy;
  isBounded: boolean;

  constructor(
    readonly pipeline: Pipeline,
    readonly producer: TransformNode,
    readonly tag: string,
    props: { windowing: WindowingStrategy; isBounded: boolean; coder?: CoderSource<T> },
  ) {
    this.windowing = props.windowing;
    this.isBounded = props.isBounded;
    this.derivedCoder = props.coder;
  }

  /** Unique within the pipeline: the producing transform's unique name and the output tag. */
  get name(): string {
    return this.tag === 'out' ? this.producer.uniqueName : `${this.producer.uniqueName}.${this.tag}`;
  }

  apply<O>(transform: PTransform<PCollection<T>, O>): O;
  apply<O>(name: string, transform: PTransform<PCollection<T>, O>): O;
  apply<O>(a: string | PTransform<PCollection<T>, O>, b?: PTransform<PCollection<T>, O>): O {
    return typeof a === 'string'
      ? this.pipeline.applyTransform(this, b!, a)
      : this.pipeline.applyTransform(this, a, undefined);
  }

  /** Overrides the coder of this PCollection's elements. */
  withCoder(coder: Coder<T>): this {
    this.explicitCoder = coder;
    return this;
  }

  /** The coder used on the wire: explicit, else derived from the producer, else the default. */
  coder(defaults: { json(): Coder<unknown>; kv(k: Coder<unknown>, v: Coder<unknown>): Coder<unknown> }): Coder<T> {
    if (this.explicitCoder) return this.explicitCoder;
    if (this.derivedCoder) {
      try {
        return this.derivedCoder();
      } catch (e) {
        if (e instanceof CoderMismatchError) throw e;
        throw new CoderMismatchError(this.name, e instanceof Error ? e.message : String(e), { cause: e });
      }
    }
    if (this.keyedConsumer) return defaults.kv(defaults.json(), defaults.json()) as Coder<T>;
    return defaults.json() as Coder<T>;
  }

  hasExplicitCoder(): boolean {
    return this.explicitCoder !== undefined;
  }

  /** Whether the coder is set or derived from the producer (not a default chosen at translation). */
  hasOwnCoder(): boolean {
    return this.explicitCoder !== undefined || this.derivedCoder !== undefined;
  }

  toString(): string {
    return `PCollection(${this.name})`;
  }
}

/** The input of a root transform such as Create or Impulse. */
export class PBegin {
  constructor(readonly pipeline: Pipeline) {}
}

/** The output of a transform that produces nothing, such as a sink's final step. */
export class PDone {
  constructor(readonly pipeline: Pipeline) {}
}
