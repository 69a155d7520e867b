/**
 * Combine.perKey, Combine.globally and Combine.groupedValues. Each is a composite whose parts
 * (GroupByKey + a ParDo that folds the values) any runner can execute; its URN and CombinePayload
 * let a runner that knows it fold values straight into accumulators instead (combiner lifting).
 */
import type { PCollection } from '../graph/pcollection.js';
import { PCollectionList } from '../graph/collections.js';
import { PTransform, type ExpandContext } from '../graph/ptransform.js';
import { encodeCombinePayload } from '../translate/combine-payload.js';
import { URN } from '../urns.js';
import { kv, type KV } from '../values/kv.js';
import type { CombineFn } from './combine-fn.js';
import { DoFn, type ProcessContext } from './dofn.js';
import { Values, WithKeys } from './element-wise.js';
import { Flatten } from './flatten.js';
import { GroupByKey, type WithLateData } from './group-by-key.js';
import { Impulse } from './impulse.js';
import { ParDo } from './pardo.js';
import { View } from './side-inputs.js';

type AnyCombineFn = CombineFn<unknown, unknown, unknown>;

class CombineGroupedValuesFn<K, I, A, O> extends DoFn<KV<K, Iterable<I>>, KV<K, O>> {
  constructor(readonly fn: CombineFn<I, A, O>) {
    super();
  }
  process(element: KV<K, Iterable<I>>, ctx: ProcessContext<KV<K, O>>): void {
    let acc = this.fn.createAccumulator();
    for (const v of element.value) acc = this.fn.addInput(acc, v);
    ctx.output(kv(element.key, this.fn.extractOutput(acc)));
  }
}

export class CombineGroupedValues<K, I, O> extends PTransform<PCollection<KV<K, Iterable<I>>>, PCollection<KV<K, O>>> {
  constructor(readonly fn: CombineFn<I, any, O>) {
    super('CombineGroupedValues');
  }
  expand(input: PCollection<KV<K, Iterable<I>>>, ctx: ExpandContext): PCollection<KV<K, O>> {
    const fn = this.fn as AnyCombineFn;
    ctx.setSpec({ urn: URN.COMBINE_GROUPED_VALUES, runsUserCode: true, payload: (w) => encodeCombinePayload(ctx.node.uniqueName, fn, w) });
    return input.apply('Combine', ParDo.of(new CombineGroupedValuesFn<K, I, unknown, O>(this.fn)));
  }
}

export class CombinePerKey<K, I, O> extends PTransform<PCollection<KV<K, I>>, PCollection<KV<K, O>>> {
  constructor(readonly fn: CombineFn<I, any, O>) {
    super('CombinePerKey');
  }

  /** Also outputs the elements dropped as too late: the result is `{ main, late }`. */
  withLateDataOutput(): CombinePerKeyWithLateData<K, I, O> {
    return new CombinePerKeyWithLateData<K, I, O>(this.fn);
  }

  expand(input: PCollection<KV<K, I>>, ctx: ExpandContext): PCollection<KV<K, O>> {
    return expandCombinePerKey(input, ctx, this.fn, false).main;
  }
}

export class CombinePerKeyWithLateData<K, I, O> extends PTransform<PCollection<KV<K, I>>, WithLateData<KV<K, O>, KV<K, I>>> {
  constructor(readonly fn: CombineFn<I, any, O>) {
    super('CombinePerKey');
  }
  expand(input: PCollection<KV<K, I>>, ctx: ExpandContext): WithLateData<KV<K, O>, KV<K, I>> {
    return expandCombinePerKey(input, ctx, this.fn, true) as WithLateData<KV<K, O>, KV<K, I>>;
  }
}

function expandCombinePerKey<K, I, O>(
  input: PCollection<KV<K, I>>,
  ctx: ExpandContext,
  combineFn: CombineFn<I, any, O>,
  withLate: boolean,
): { main: PCollection<KV<K, O>>; late?: PCollection<KV<K, I>> } {
  const fn = combineFn as AnyCombineFn;
  ctx.setSpec({ urn: URN.COMBINE_PER_KEY, runsUserCode: true, payload: (w) => encodeCombinePayload(ctx.node.uniqueName, fn, w) });
  const values = ParDo.of(new CombineGroupedValuesFn<K, I, unknown, O>(combineFn));
  if (!withLate) return { main: input.apply('GroupByKey', GroupByKey.create<K, I>()).apply('CombineValues', values) };
  const grouped = input.apply('GroupByKey', GroupByKey.create<K, I>().withLateDataOutput());
  return { main: grouped.main.apply('CombineValues', values), late: grouped.late };
}

/** Emits the combine of nothing when the global window saw no input (Beam's default value). */
class DefaultIfEmptyFn<O> extends DoFn<Uint8Array, O, {}, { combined: Iterable<O> }> {
  constructor(readonly fn: AnyCombineFn) {
    super();
  }
  process(_: Uint8Array, ctx: ProcessContext<O, {}, { combined: Iterable<O> }>): void {
    for (const _v of ctx.sideInput('combined')) return;
    ctx.output(this.fn.extractOutput(this.fn.createAccumulator()) as O);
  }
}

export class CombineGlobally<I, O> extends PTransform<PCollection<I>, PCollection<O>> {
  constructor(
    readonly fn: CombineFn<I, any, O>,
    private readonly insertDefault = true,
  ) {
    super('CombineGlobally');
  }

  /** No output for an empty input (required outside the global window). */
  withoutDefaults(): CombineGlobally<I, O> {
    return new CombineGlobally(this.fn, false);
  }

  expand(input: PCollection<I>, ctx: ExpandContext): PCollection<O> {
    const fn = this.fn as AnyCombineFn;
    const insertDefault = this.insertDefault && input.windowing.isGlobal();
    ctx.setSpec({
      urn: URN.COMBINE_GLOBALLY,
      runsUserCode: true,
      payload: (w) => encodeCombinePayload(ctx.node.uniqueName, fn, w, { insertDefault: insertDefault || undefined }),
    });
    const combined = input
      .apply('WithKeys', WithKeys.constant<null, I>(null))
      .apply('CombinePerKey', new CombinePerKey<null, I, O>(this.fn))
      .apply('Values', Values.create<O>());
    if (!insertDefault) return combined;
    const fallback = ctx.pipeline
      .apply('DefaultIfEmpty', Impulse.create())
      .apply('InsertDefault', ParDo.of(new DefaultIfEmptyFn<O>(fn)).withSideInputs({ combined: View.asIterable(combined) }));
    return PCollectionList.of([combined, fallback]).apply('Flatten', Flatten.pCollections<O>());
  }
}

export const Combine = {
  /** Combines all values of each key (in each window) with `fn`. */
  perKey<K, I, O>(fn: CombineFn<I, any, O>): CombinePerKey<K, I, O> {
    return new CombinePerKey<K, I, O>(fn);
  },
  /** Combines all elements (of each window) into one output. */
  globally<I, O>(fn: CombineFn<I, any, O>): CombineGlobally<I, O> {
    return new CombineGlobally<I, O>(fn);
  },
  /** Combines the values of already grouped `KV<K, Iterable<I>>` elements. */
  groupedValues<K, I, O>(fn: CombineFn<I, any, O>): CombineGroupedValues<K, I, O> {
    return new CombineGroupedValues<K, I, O>(fn);
  },
};
