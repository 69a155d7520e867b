/**
 * GroupByKey (`beam:transform:group_by_key:v1`): all values of a key in a window, once the
 * window's trigger fires. Keys group by their encoded bytes, so the key coder must be
 * deterministic.
 */
import { Coders, type Coder } from '../coders/index.js';
import { CoderMismatchError } from '../errors.js';
import type { PCollection } from '../graph/pcollection.js';
import { PTransform, type ExpandContext } from '../graph/ptransform.js';
import { coderOf } from '../translate/to-proto.js';
import { URN } from '../urns.js';
import type { KV } from '../values/kv.js';

export class GroupByKey<K, V> extends PTransform<PCollection<KV<K, V>>, PCollection<KV<K, V[]>>> {
  static create<K, V>(): GroupByKey<K, V> {
    return new GroupByKey<K, V>('GroupByKey');
  }

  /** Also outputs the elements dropped as too late (past the allowed lateness), like Flink's
   *  `sideOutputLateData`: the result is `{ main, late }`. They are counted either way. */
  withLateDataOutput(): GroupByKeyWithLateData<K, V> {
    return new GroupByKeyWithLateData<K, V>(this.defaultName);
  }

  expand(input: PCollection<KV<K, V>>, ctx: ExpandContext): PCollection<KV<K, V[]>> {
    return expandGroupByKey(input, ctx);
  }
}

/** The outputs of a grouping with a late-data output. */
export interface WithLateData<O, I> {
  readonly main: PCollection<O>;
  /** Elements dropped as droppably late, in the windows they were assigned to. */
  readonly late: PCollection<I>;
}

export class GroupByKeyWithLateData<K, V> extends PTransform<PCollection<KV<K, V>>, WithLateData<KV<K, V[]>, KV<K, V>>> {
  expand(input: PCollection<KV<K, V>>, ctx: ExpandContext): WithLateData<KV<K, V[]>, KV<K, V>> {
    const main = expandGroupByKey(input, ctx);
    return { main, late: lateOutput(input, ctx) };
  }
}

function expandGroupByKey<K, V>(input: PCollection<KV<K, V>>, ctx: ExpandContext): PCollection<KV<K, V[]>> {
  input.keyedConsumer ??= ctx.node.uniqueName;
  ctx.setSpec({ urn: URN.GROUP_BY_KEY });
  const by = ctx.node.uniqueName;
  return ctx.createOutput<KV<K, V[]>>('out', {
    coder: () => {
      const [key, value] = kvComponents(input, by);
      return Coders.kv(key, Coders.iterable(value)) as unknown as Coder<KV<K, V[]>>;
    },
  });
}

/** The `late` output of a grouping (a Tributary extension: Beam's GroupByKey has one output). */
export function lateOutput<T>(input: PCollection<T>, ctx: ExpandContext): PCollection<T> {
  return ctx.createOutput<T>('late', { coder: () => coderOf(input), windowing: input.windowing });
}

/** The key and value coders of a keyed input; a clear error naming the PCollection otherwise. */
export function kvComponents<K, V>(input: PCollection<KV<K, V>>, consumer: string): [Coder<K>, Coder<V>] {
  const coder = coderOf(input);
  if (coder.urn !== 'beam:coder:kv:v1' || coder.components.length !== 2) {
    throw new CoderMismatchError(
      input.name,
      `"${consumer}" needs key/value elements with a KV coder (beam:coder:kv:v1), but the coder is ${coder.urn}; ` +
        `produce KV objects ({ key, value }) and leave the coder unset, or set Coders.kv(keyCoder, valueCoder)`,
    );
  }
  const [key, value] = coder.components as [Coder<K>, Coder<V>];
  if (!key.deterministic) {
    throw new CoderMismatchError(
      input.name,
      `"${consumer}" groups by key, but the key coder ${key.urn} is not deterministic: equal keys could encode differently. ` +
        `Use a deterministic key coder (string, varint, bytes, json...)`,
    );
  }
  return [key, value];
}
