/**
 * The element-wise transforms every pipeline uses, as thin ParDos over plain functions: Map,
 * FlatMap, Filter, WithKeys, Keys, Values, KvSwap. A function may be async; the ParDo then runs
 * up to `maxConcurrency` calls at once.
 */
import { Duration, type Instant } from '../time/instant.js';
import { kv, type KV } from '../values/kv.js';
import type { BatchOf, ColumnBatch, KeyedColumnBatch } from '../values/column-batch.js';
import { DoFn, type BatchedDoFn, type ProcessContext } from './dofn.js';
import { ParDo, type ParDoOptions } from './pardo.js';

type MaybePromise<T> = T | Promise<T>;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}

class MapFn<I, O> extends DoFn<I, O> {
  constructor(readonly fn: (element: I) => MaybePromise<O>) {
    super();
  }
  process(element: I, ctx: ProcessContext<O>): void | Promise<void> {
    const out = this.fn(element);
    if (isThenable(out)) return (out as Promise<O>).then((v) => ctx.output(v));
    ctx.output(out);
  }
}

/** The function of a `Map.of` DoFn (undefined for any other DoFn): a runner may call it directly,
 *  one output per input, when it has proved synchronous. */
export function mapFunctionOf(fn: unknown): ((element: unknown) => unknown) | undefined {
  return fn instanceof MapFn ? (fn.fn as (element: unknown) => unknown) : undefined;
}

class FlatMapFn<I, O> extends DoFn<I, O> {
  constructor(readonly fn: (element: I) => MaybePromise<Iterable<O>>) {
    super();
  }
  process(element: I, ctx: ProcessContext<O>): void | Promise<void> | O[] {
    const out = this.fn(element);
    // An array is returned as it is: a runner hands it on whole (one call for all its elements).
    if (Array.isArray(out)) return out as O[];
    return outputFlatMapResult(out, ctx);
  }
}

/** The function of a `FlatMap.of` DoFn (undefined for any other DoFn): a runner may call it
 *  directly and hand on the arrays it returns, when it has proved synchronous; any other result
 *  goes to `outputFlatMapResult`. */
export function flatMapFunctionOf(fn: unknown): ((element: unknown) => unknown) | undefined {
  return fn instanceof FlatMapFn ? (fn.fn as (element: unknown) => unknown) : undefined;
}

/** What a `FlatMap.of` DoFn does with a result of its function that is not an array: a Promise's
 *  iterable is output once it resolves (the Promise returned), an iterable's values at once. */
export function outputFlatMapResult<O>(out: MaybePromise<Iterable<O>>, ctx: ProcessContext<O>): void | Promise<void> {
  if (isThenable(out)) {
    return (out as Promise<Iterable<O>>).then((vs) => {
      for (const v of vs) ctx.output(v);
    });
  }
  for (const v of out as Iterable<O>) ctx.output(v);
}

class FilterFn<T> extends DoFn<T, T> {
  constructor(readonly predicate: (element: T) => MaybePromise<boolean>) {
    super();
  }
  process(element: T, ctx: ProcessContext<T>): void | Promise<void> {
    const keep = this.predicate(element);
    if (isThenable(keep)) {
      return (keep as Promise<boolean>).then((k) => {
        if (k) ctx.output(element);
      });
    }
    if (keep) ctx.output(element);
  }
}

function elementWise<I, O>(fn: DoFn<I, O>, name: string, options: ParDoOptions): ParDo<I, O, {}, {}> {
  return ParDo.fromDescription<I, O>(
    { fn: fn as never, sideInputs: {}, outputTags: [], options, elementWise: true },
    name,
  );
}

export const Map = {
  /** Applies `fn` to every element: one output per input. */
  of<I, O>(fn: (element: I) => MaybePromise<O>, options: ParDoOptions = {}): ParDo<I, O, {}, {}> {
    return elementWise(new MapFn(fn), 'Map', options);
  },
};

export const FlatMap = {
  /** Applies `fn` to every element and emits each element of the returned iterable. */
  of<I, O>(fn: (element: I) => MaybePromise<Iterable<O>>, options: ParDoOptions = {}): ParDo<I, O, {}, {}> {
    return elementWise(new FlatMapFn(fn), 'FlatMap', options);
  },
};

export const Filter = {
  /** Keeps the elements for which `predicate` is true. */
  by<T>(predicate: (element: T) => MaybePromise<boolean>, options: ParDoOptions = {}): ParDo<T, T, {}, {}> {
    return elementWise(new FilterFn(predicate), 'Filter', options);
  },
};

/** Keys each row by one of its columns; batched, the key column is the batch's keys as is. */
class ColumnKeyFn<R, C extends keyof R> extends DoFn<R, KV<R[C], R>> implements BatchedDoFn<R, KV<R[C], R>> {
  constructor(readonly column: C) {
    super();
  }
  process(row: R, ctx: ProcessContext<KV<R[C], R>>): void {
    ctx.output(kv(row[this.column], row));
  }
  processBatch(rows: BatchOf<R>): KeyedColumnBatch<R[C], R> {
    const batch = rows as ColumnBatch<R>;
    return { length: batch.length, columns: batch.columns, keys: batch.columns[this.column] };
  }
}

export const WithKeys = {
  /** Pairs every element with the key `fn` computes from it. */
  of<K, V>(fn: (element: V) => K): ParDo<V, KV<K, V>, {}, {}> {
    return elementWise(new MapFn((v: V) => kv(fn(v), v)), 'WithKeys', {});
  },
  /**
   * Pairs every row with the value of its column `column` as the key. Same result as
   * `WithKeys.of((row) => row[column])`, but batch-aware: rows that arrive as column batches
   * (a Kappa+ replay feeding a batch-aware combine) stay in their batch.
   */
  ofColumn<R, C extends keyof R & string>(column: C): ParDo<R, KV<R[C], R>, {}, {}> {
    return elementWise(new ColumnKeyFn<R, C>(column), 'WithKeys', {});
  },
  /** Pairs every element with the same key. */
  constant<K, V>(key: K): ParDo<V, KV<K, V>, {}, {}> {
    return elementWise(new MapFn((v: V) => kv(key, v)), 'WithKeys', {});
  },
};

export const Keys = {
  /** The key of every key/value pair. */
  create<K>(): ParDo<KV<K, unknown>, K, {}, {}> {
    return elementWise(new MapFn((e: KV<K, unknown>) => e.key), 'Keys', {});
  },
};

export const Values = {
  /** The value of every key/value pair. */
  create<V>(): ParDo<KV<unknown, V>, V, {}, {}> {
    return elementWise(new MapFn((e: KV<unknown, V>) => e.value), 'Values', {});
  },
};

export const KvSwap = {
  /** Swaps key and value of every pair. */
  create<K, V>(): ParDo<KV<K, V>, KV<V, K>, {}, {}> {
    return elementWise(new MapFn((e: KV<K, V>) => kv(e.value, e.key)), 'KvSwap', {});
  },
};

class WithTimestampsFn<T> extends DoFn<T, T> {
  constructor(
    readonly fn: (element: T) => Instant,
    skew: Duration,
  ) {
    super();
    this.allowedTimestampSkew = skew;
  }
  process(element: T, ctx: ProcessContext<T>): void {
    ctx.outputWithTimestamp(element, this.fn(element));
  }
}

export const WithTimestamps = {
  /** Sets each element's event timestamp from its contents. Moving a timestamp earlier than the
   *  element's current one is allowed only within `allowedSkew` (Beam's rule); elements coming
   *  from Create or Impulse are at the minimum timestamp, so any new timestamp is later. */
  of<T>(fn: (element: T) => Instant, options: { allowedSkew?: Duration } = {}): ParDo<T, T, {}, {}> {
    return elementWise(new WithTimestampsFn(fn, options.allowedSkew ?? Duration.ZERO), 'WithTimestamps', {});
  },
};
