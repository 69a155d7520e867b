/**
 * ParDo: the element-wise primitive (`beam:transform:pardo:v1`). The DoFn itself never leaves the
 * program: the proto names it by an id that the re-run program resolves to the same object.
 */
import { PipelineConstructionError } from '../errors.js';
import type { PCollection } from '../graph/pcollection.js';
import { PTransform, type ExpandContext } from '../graph/ptransform.js';
import type { DoFn, TagMap } from './dofn.js';
import type { SplittableDoFn } from './splittable.js';
import type { PCollectionView } from './side-inputs.js';
import { encodeParDoPayload } from '../translate/pardo-payload.js';
import { prepareStatefulInput } from '../state/stateful-input.js';

export interface ParDoOptions {
  /** Most `process` calls in flight at once for an async DoFn (like Flink's Async I/O capacity). */
  readonly maxConcurrency?: number;
  /**
   * Beam's `@RequiresStableInput`: the DoFn sees an element only once the runner can give it the
   * very same element again after a failure (on the direct runner: once a durable checkpoint
   * holds it), and does see it again, identically, after a restore. For side effects that must
   * not be repeated with other input — committing files, a transaction — written idempotently.
   * A DoFn may also declare it with a `requiresStableInput = true` field.
   */
  readonly requiresStableInput?: boolean;
}

export type SideInputViews<Sides extends TagMap> = { readonly [K in keyof Sides]: PCollectionView<Sides[K]> };

/** The outputs of a ParDo with tagged outputs: `main` plus one PCollection per tag. */
export type TaggedOutputs<O, Tags extends TagMap> = { readonly main: PCollection<O> } & {
  readonly [K in keyof Tags]: PCollection<Tags[K]>;
};

export interface ParDoDescription {
  readonly fn: DoFn<unknown, unknown, TagMap, TagMap>;
  readonly sideInputs: Readonly<Record<string, PCollectionView<unknown>>>;
  readonly outputTags: readonly string[];
  readonly options: ParDoOptions;
  /** True for the built-in Map/FlatMap/Filter wrappers, which never observe the window. */
  readonly elementWise?: boolean;
}

abstract class ParDoBase<I, Out> extends PTransform<PCollection<I>, Out> {
  constructor(
    protected readonly desc: ParDoDescription,
    name?: string,
  ) {
    super(name ?? (desc.fn.constructor.name && desc.fn.constructor.name !== 'Object' ? `ParDo(${desc.fn.constructor.name})` : 'ParDo'));
    validateFn(desc.fn);
  }

  protected expandOutputs(input: PCollection<I>, ctx: ExpandContext): Record<string, PCollection<unknown>> {
    for (const [name, view] of Object.entries(this.desc.sideInputs)) {
      if (!view || !view.pcollection) {
        throw new PipelineConstructionError(`side input "${name}" of "${ctx.node.uniqueName}" is not a view: use View.asSingleton/asList/asMap(...)`);
      }
      ctx.addInput(`side:${name}`, view.pcollection);
    }
    const desc = this.desc;
    const stateful = prepareStatefulInput(desc.fn, input as PCollection<unknown>, ctx.node.uniqueName);
    ctx.setSpec({
      urn: 'beam:transform:pardo:v1',
      runsUserCode: true,
      payload: (w) => encodeParDoPayload(ctx.node.uniqueName, desc, w, stateful),
    });
    const outputs: Record<string, PCollection<unknown>> = { main: ctx.createOutput('out') };
    for (const tag of desc.outputTags) outputs[tag] = ctx.createOutput(tag);
    return outputs;
  }
}

/** A ParDo with only a main output. */
export class ParDo<I, O, Tags extends TagMap, Sides extends TagMap> extends ParDoBase<I, PCollection<O>> {
  /** Applies `fn` to every element (a splittable DoFn reads a restriction per element). */
  static of<I, O, R, P, Tags extends TagMap = {}>(fn: SplittableDoFn<I, O, R, P, Tags>): ParDo<I, O, Tags, {}>;
  static of<I, O, Tags extends TagMap = {}, Sides extends TagMap = {}>(fn: DoFn<I, O, Tags, Sides>, options?: ParDoOptions): ParDo<I, O, Tags, Sides>;
  static of<I, O, Tags extends TagMap = {}, Sides extends TagMap = {}>(
    fn: DoFn<I, O, Tags, Sides> | SplittableDoFn<I, O, unknown, unknown, Tags>,
    options: ParDoOptions = {},
  ): ParDo<I, O, Tags, Sides> {
    return new ParDo<I, O, Tags, Sides>({ fn: fn as unknown as ParDoDescription['fn'], sideInputs: {}, outputTags: [], options });
  }

  /** @internal */
  static fromDescription<I, O>(desc: ParDoDescription, name?: string): ParDo<I, O, {}, {}> {
    return new ParDo<I, O, {}, {}>(desc, name);
  }

  /** Supplies the side inputs the DoFn reads; their names and types must match the DoFn's. */
  withSideInputs(views: SideInputViews<Sides>): ParDo<I, O, Tags, Sides> {
    return new ParDo<I, O, Tags, Sides>({ ...this.desc, sideInputs: views as ParDoDescription['sideInputs'] }, this.defaultName);
  }

  withMaxConcurrency(maxConcurrency: number): ParDo<I, O, Tags, Sides> {
    return new ParDo<I, O, Tags, Sides>({ ...this.desc, options: { ...this.desc.options, maxConcurrency } }, this.defaultName);
  }

  /** Beam's `@RequiresStableInput` (see `ParDoOptions.requiresStableInput`). */
  withStableInput(): ParDo<I, O, Tags, Sides> {
    return new ParDo<I, O, Tags, Sides>({ ...this.desc, options: { ...this.desc.options, requiresStableInput: true } }, this.defaultName);
  }

  /** Declares tagged outputs; the result is `{ main, ...tags }`. */
  withOutputTags<K extends keyof Tags & string>(...tags: K[]): ParDoWithOutputs<I, O, Pick<Tags, K>> {
    if (tags.length === 0) throw new PipelineConstructionError('withOutputTags needs at least one tag');
    for (const t of tags) {
      if (t === 'main' || t === 'out') throw new PipelineConstructionError(`output tag "${t}" is reserved for the main output`);
    }
    if (new Set(tags).size !== tags.length) throw new PipelineConstructionError(`output tags repeat: ${tags.join(', ')}`);
    return new ParDoWithOutputs<I, O, Pick<Tags, K>>({ ...this.desc, outputTags: tags }, this.defaultName);
  }

  expand(input: PCollection<I>, ctx: ExpandContext): PCollection<O> {
    return this.expandOutputs(input, ctx).main as PCollection<O>;
  }
}

export class ParDoWithOutputs<I, O, Tags extends TagMap> extends ParDoBase<I, TaggedOutputs<O, Tags>> {
  expand(input: PCollection<I>, ctx: ExpandContext): TaggedOutputs<O, Tags> {
    return this.expandOutputs(input, ctx) as TaggedOutputs<O, Tags>;
  }
}

function validateFn(fn: unknown): void {
  if (!fn || typeof (fn as { process?: unknown }).process !== 'function') {
    const hint = typeof fn === 'function' ? ': pass a DoFn instance, or use Map.of / FlatMap.of for a plain function' : '';
    throw new PipelineConstructionError(`ParDo.of needs a DoFn with a process method${hint}`);
  }
  const concurrency = (fn as { maxConcurrency?: unknown }).maxConcurrency;
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && (concurrency as number) > 0)) {
    throw new PipelineConstructionError(`maxConcurrency must be a positive integer, got ${String(concurrency)}`);
  }
  const stable = (fn as { requiresStableInput?: unknown }).requiresStableInput;
  if (stable !== undefined && typeof stable !== 'boolean') {
    throw new PipelineConstructionError(`requiresStableInput must be true or false, got ${String(stable)}`);
  }
}

