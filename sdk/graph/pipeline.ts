/**
 * A Pipeline is the graph of applied transforms. Applying a transform records a node with a
 * unique name (a duplicate is an error) and expands it; nothing runs until a runner executes the
 * pipeline's portable proto.
 */
import { DuplicateTransformNameError, PipelineConstructionError } from '../errors.js';
import type { Coder } from '../coders/coder.js';
import { defaultWindowingStrategy } from './windowing.js';
import type { WindowingStrategy } from './windowing.js';
import { PBegin, PCollection } from './pcollection.js';
import type { ExpandContext, PTransform } from './ptransform.js';
import { TransformNode } from './transform-node.js';

export interface PipelineOptions {
  readonly [name: string]: unknown;
}

export class Pipeline {
  readonly root = new TransformNode('', undefined);
  private readonly names = new Set<string>();
  private current: TransformNode = this.root;

  constructor(readonly options: PipelineOptions = {}) {}

  /** Applies a root transform (Create, Impulse, a source) to the pipeline's beginning. */
  apply<O>(transform: PTransform<PBegin, O>): O;
  apply<O>(name: string, transform: PTransform<PBegin, O>): O;
  apply<O>(a: string | PTransform<PBegin, O>, b?: PTransform<PBegin, O>): O {
    const begin = new PBegin(this);
    return typeof a === 'string' ? this.applyTransform(begin, b!, a) : this.applyTransform(begin, a, undefined);
  }

  /** @internal Records and expands one application; PCollection.apply lands here too. */
  applyTransform<In, Out>(input: In, transform: PTransform<In, Out>, name: string | undefined): Out {
    if (!transform || typeof (transform as { expand?: unknown }).expand !== 'function') {
      throw new PipelineConstructionError(
        `apply(${name ? `"${name}", ` : ''}...) needs a PTransform, got ${describe(transform)}`,
      );
    }
    const parent = this.current;
    const localName = name ?? this.freshDefaultName(parent, transform.defaultName);
    if (localName.includes('/')) {
      throw new PipelineConstructionError(`transform name "${localName}" must not contain "/": it separates composite levels`);
    }
    const uniqueName = parent.isRoot ? localName : `${parent.uniqueName}/${localName}`;
    if (this.names.has(uniqueName)) throw new DuplicateTransformNameError(uniqueName);
    this.names.add(uniqueName);

    const node = new TransformNode(uniqueName, parent);
    parent.parts.push(node);
    for (const [tag, pc] of flattenPValues(input)) {
      if (pc.pipeline !== this) {
        throw new PipelineConstructionError(`"${uniqueName}" is applied to ${pc}, which belongs to another pipeline`);
      }
      node.inputs.set(tag, pc);
    }

    this.current = node;
    let output: Out;
    try {
      output = transform.expand(input, this.expandContext(node, input));
    } finally {
      this.current = parent;
    }
    for (const [tag, pc] of flattenPValues(output)) {
      if (!node.outputs.has(tag) && ![...node.outputs.values()].includes(pc)) node.outputs.set(tag, pc);
    }
    return output;
  }

  /** Unnamed applications of the same transform get "Map", "Map2", "Map3"...: deterministic,
   *  because construction is. An explicit name that repeats is an error. */
  private freshDefaultName(parent: TransformNode, base: string): string {
    const prefix = parent.isRoot ? '' : `${parent.uniqueName}/`;
    let candidate = base;
    for (let n = 2; this.names.has(prefix + candidate); n++) candidate = `${base}${n}`;
    return candidate;
  }

  private expandContext(node: TransformNode, input: unknown): ExpandContext {
    const mainInput = firstPCollection(input);
    return {
      pipeline: this,
      node,
      setSpec: (spec) => {
        node.spec = spec;
      },
      createOutput: <T>(tag = 'out', props: Parameters<ExpandContext['createOutput']>[1] = {}) => {
        if (node.outputs.has(tag)) {
          throw new PipelineConstructionError(`"${node.uniqueName}" declares output "${tag}" twice`);
        }
        const pc = new PCollection<T>(this, node, tag, {
          windowing: props.windowing ?? mainInput?.windowing ?? defaultWindowingStrategy(),
          isBounded: props.isBounded ?? mainInput?.isBounded ?? true,
          coder: props.coder as (() => Coder<T>) | undefined,
        });
        node.outputs.set(tag, pc as PCollection<unknown>);
        return pc;
      },
      addInput: (tag, pc) => {
        node.inputs.set(tag, pc);
      },
    };
  }

  /** Every applied transform, parents before their parts, in application order. */
  *transforms(): Generator<TransformNode> {
    for (const part of this.root.parts) yield* part.walk();
  }

  /** Default windowing for root outputs. */
  static defaultWindowing(): WindowingStrategy {
    return defaultWindowingStrategy();
  }
}

/** The PCollections inside a transform's input or output value, with their local tags. */
export function flattenPValues(value: unknown): Array<[string, PCollection<unknown>]> {
  if (value instanceof PCollection) return [['out', value]];
  if (value === undefined || value === null || value instanceof PBegin) return [];
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => flattenPValues(v).map(([t, pc]): [string, PCollection<unknown>] => [t === 'out' ? String(i) : `${i}.${t}`, pc]));
  }
  if (typeof value === 'object') {
    const out: Array<[string, PCollection<unknown>]> = [];
    for (const [k, v] of Object.entries(value)) {
      for (const [t, pc] of flattenPValues(v)) out.push([t === 'out' ? k : `${k}.${t}`, pc]);
    }
    return out;
  }
  return [];
}

function firstPCollection(value: unknown): PCollection<unknown> | undefined {
  return flattenPValues(value)[0]?.[1];
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'function') return `a function (${v.name || 'anonymous'}); wrap it, e.g. Map.of(fn)`;
  return typeof v === 'object' ? `an object of class ${v.constructor?.name ?? 'Object'}` : typeof v;
}
