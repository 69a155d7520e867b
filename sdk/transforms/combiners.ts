/**
 * The built-in aggregations, each a CombineFn with per-key and global forms: Count, Sum, Mean,
 * Min, Max, Top, ToList, Sample, and Distinct (a grouping, not a combine).
 */
import type { PCollection } from '../graph/pcollection.js';
import { PTransform } from '../graph/ptransform.js';
import { kv, type KV } from '../values/kv.js';
import { binaryCombineFn, callsNoUserCode, type CombineFn } from './combine-fn.js';
import { Combine, type CombineGlobally, type CombinePerKey } from './combine.js';
import { Keys, Map } from './element-wise.js';

type Compare<T> = (a: T, b: T) => number;

const naturalOrder = <T>(a: T, b: T): number => (a < b ? -1 : a > b ? 1 : 0);

export const CountFn: CombineFn<unknown, number, number> = callsNoUserCode({
  createAccumulator: () => 0,
  addInput: (acc) => acc + 1,
  mergeAccumulators(accs) {
    let n = 0;
    for (const a of accs) n += a;
    return n;
  },
  extractOutput: (acc) => acc,
});

export const SumFn: CombineFn<number, number, number> = callsNoUserCode(binaryCombineFn((a: number, b: number) => a + b, 0));

interface MeanAccumulator {
  sum: number;
  count: number;
}

export const MeanFn: CombineFn<number, MeanAccumulator, number> = callsNoUserCode({
  createAccumulator: () => ({ sum: 0, count: 0 }),
  addInput(acc, v) {
    acc.sum += v;
    acc.count += 1;
    return acc;
  },
  mergeAccumulators(accs) {
    const m = { sum: 0, count: 0 };
    for (const a of accs) {
      m.sum += a.sum;
      m.count += a.count;
    }
    return m;
  },
  extractOutput: (acc) => (acc.count === 0 ? NaN : acc.sum / acc.count),
});

/** Smallest (or largest) by `compare`; `undefined` for empty input. */
function extremeFn<T>(compare: Compare<T>, sign: 1 | -1): CombineFn<T, T | undefined, T | undefined> {
  const pick = (a: T | undefined, b: T | undefined): T | undefined => {
    if (a === undefined) return b;
    if (b === undefined) return a;
    return sign * compare(a, b) <= 0 ? a : b;
  };
  return {
    createAccumulator: () => undefined,
    addInput: pick,
    mergeAccumulators(accs) {
      let m: T | undefined;
      for (const a of accs) m = pick(m, a);
      return m;
    },
    extractOutput: (acc) => acc,
  };
}

export function minFn<T>(compare: Compare<T> = naturalOrder): CombineFn<T, T | undefined, T | undefined> {
  const fn = extremeFn(compare, 1);
  return compare === naturalOrder ? callsNoUserCode(fn) : fn;
}

export function maxFn<T>(compare: Compare<T> = naturalOrder): CombineFn<T, T | undefined, T | undefined> {
  const fn = extremeFn(compare, -1);
  return compare === naturalOrder ? callsNoUserCode(fn) : fn;
}

/** The `n` greatest elements by `compare`, greatest first. A bounded sorted array: inserts are
 *  O(n) for the small n Top is meant for. */
export function topFn<T>(n: number, compare: Compare<T> = naturalOrder): CombineFn<T, T[], T[]> {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`Top needs a non-negative count, got ${n}`);
  const add = (acc: T[], v: T): T[] => {
    if (acc.length === n && compare(v, acc[n - 1]!) <= 0) return acc;
    let i = acc.length;
    while (i > 0 && compare(v, acc[i - 1]!) > 0) i--;
    acc.splice(i, 0, v);
    if (acc.length > n) acc.pop();
    return acc;
  };
  return {
    createAccumulator: () => [],
    addInput: add,
    mergeAccumulators(accs) {
      let m: T[] = [];
      for (const a of accs) for (const v of a) m = add(m, v);
      return m;
    },
    extractOutput: (acc) => acc,
  };
}

export function toListFn<T>(): CombineFn<T, T[], T[]> {
  return callsNoUserCode({
    createAccumulator: () => [],
    addInput(acc, v) {
      acc.push(v);
      return acc;
    },
    mergeAccumulators(accs) {
      const m: T[] = [];
      for (const a of accs) for (const v of a) m.push(v);
      return m;
    },
    extractOutput: (acc) => acc,
  });
}

interface Reservoir<T> {
  seen: number;
  items: T[];
}

/** A uniform random sample of `n` elements (reservoir sampling; merges weight by count seen). */
export function sampleFn<T>(n: number, random: () => number = Math.random): CombineFn<T, Reservoir<T>, T[]> {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`Sample needs a non-negative size, got ${n}`);
  const add = (acc: Reservoir<T>, v: T): Reservoir<T> => {
    acc.seen++;
    if (acc.items.length < n) acc.items.push(v);
    else {
      const j = Math.floor(random() * acc.seen);
      if (j < n) acc.items[j] = v;
    }
    return acc;
  };
  return {
    createAccumulator: () => ({ seen: 0, items: [] }),
    addInput: add,
    mergeAccumulators(accs) {
      let merged: Reservoir<T> = { seen: 0, items: [] };
      for (const b of accs) merged = mergeTwo(merged, b, n, random);
      return merged;
    },
    extractOutput: (acc) => acc.items,
  };
}

/** Draws without replacement from both reservoirs, each side weighted by how many inputs it
 *  still stands for, so the merged sample stays uniform over the union. */
function mergeTwo<T>(a: Reservoir<T>, b: Reservoir<T>, n = Math.max(a.items.length, b.items.length), random = Math.random): Reservoir<T> {
  if (a.seen === 0) return { seen: b.seen, items: [...b.items] };
  if (b.seen === 0) return { seen: a.seen, items: [...a.items] };
  const pools: [T[], T[]] = [[...a.items], [...b.items]];
  const weights = [a.seen, b.seen];
  const items: T[] = [];
  const size = Math.min(n, a.seen + b.seen);
  while (items.length < size && (pools[0].length || pools[1].length)) {
    const side = !pools[1].length || (pools[0].length && random() * (weights[0]! + weights[1]!) < weights[0]!) ? 0 : 1;
    const pool = pools[side];
    items.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
    weights[side]!--;
  }
  return { seen: a.seen + b.seen, items };
}

/** Any `n` elements, cheaply: the first to arrive. */
export function anyFn<T>(n: number): CombineFn<T, T[], T[]> {
  return {
    createAccumulator: () => [],
    addInput(acc, v) {
      if (acc.length < n) acc.push(v);
      return acc;
    },
    mergeAccumulators(accs) {
      const m: T[] = [];
      for (const a of accs) for (const v of a) if (m.length < n) m.push(v);
      return m;
    },
    extractOutput: (acc) => acc,
  };
}

export const Count = {
  globally<T>(): CombineGlobally<T, number> {
    return Combine.globally(CountFn as CombineFn<T, number, number>);
  },
  perKey<K, V>(): CombinePerKey<K, V, number> {
    return Combine.perKey(CountFn as CombineFn<V, number, number>);
  },
  /** How many times each distinct element occurs: `KV<element, count>`. */
  perElement<T>(): PTransform<PCollection<T>, PCollection<KV<T, number>>> {
    return new CountPerElement<T>();
  },
};

class CountPerElement<T> extends PTransform<PCollection<T>, PCollection<KV<T, number>>> {
  constructor() {
    super('CountPerElement');
  }
  expand(input: PCollection<T>): PCollection<KV<T, number>> {
    return input.apply('Pair', Map.of((e: T) => kv(e, null))).apply('Count', Count.perKey<T, null>());
  }
}

export const Sum = {
  globally(): CombineGlobally<number, number> {
    return Combine.globally(SumFn);
  },
  perKey<K>(): CombinePerKey<K, number, number> {
    return Combine.perKey(SumFn);
  },
};

export const Mean = {
  globally(): CombineGlobally<number, number> {
    return Combine.globally(MeanFn);
  },
  perKey<K>(): CombinePerKey<K, number, number> {
    return Combine.perKey(MeanFn);
  },
};

export const Min = {
  globally<T>(compare?: Compare<T>): CombineGlobally<T, T | undefined> {
    return Combine.globally(minFn(compare));
  },
  perKey<K, T>(compare?: Compare<T>): CombinePerKey<K, T, T | undefined> {
    return Combine.perKey(minFn(compare));
  },
};

export const Max = {
  globally<T>(compare?: Compare<T>): CombineGlobally<T, T | undefined> {
    return Combine.globally(maxFn(compare));
  },
  perKey<K, T>(compare?: Compare<T>): CombinePerKey<K, T, T | undefined> {
    return Combine.perKey(maxFn(compare));
  },
};

export const Top = {
  /** The `n` largest elements, largest first. */
  largest<T>(n: number, compare?: Compare<T>): CombineGlobally<T, T[]> {
    return Combine.globally(topFn(n, compare));
  },
  /** The `n` smallest elements, smallest first. */
  smallest<T>(n: number, compare: Compare<T> = naturalOrder): CombineGlobally<T, T[]> {
    return Combine.globally(topFn(n, (a: T, b: T) => compare(b, a)));
  },
  largestPerKey<K, T>(n: number, compare?: Compare<T>): CombinePerKey<K, T, T[]> {
    return Combine.perKey(topFn(n, compare));
  },
  smallestPerKey<K, T>(n: number, compare: Compare<T> = naturalOrder): CombinePerKey<K, T, T[]> {
    return Combine.perKey(topFn(n, (a: T, b: T) => compare(b, a)));
  },
};

export const ToList = {
  globally<T>(): CombineGlobally<T, T[]> {
    return Combine.globally(toListFn<T>());
  },
  perKey<K, T>(): CombinePerKey<K, T, T[]> {
    return Combine.perKey(toListFn<T>());
  },
};

export const Sample = {
  /** Any `n` elements (no randomness: the cheapest `n`). */
  any<T>(n: number): CombineGlobally<T, T[]> {
    return Combine.globally(anyFn<T>(n));
  },
  /** A uniform random sample of `n` elements. */
  fixedSizeGlobally<T>(n: number): CombineGlobally<T, T[]> {
    return Combine.globally(sampleFn<T>(n));
  },
  fixedSizePerKey<K, T>(n: number): CombinePerKey<K, T, T[]> {
    return Combine.perKey(sampleFn<T>(n));
  },
};

export class Distinct<T> extends PTransform<PCollection<T>, PCollection<T>> {
  static create<T>(): Distinct<T> {
    return new Distinct<T>('Distinct');
  }
  expand(input: PCollection<T>): PCollection<T> {
    const none: CombineFn<null, null, null> = { createAccumulator: () => null, addInput: () => null, mergeAccumulators: () => null, extractOutput: () => null };
    return input
      .apply('Pair', Map.of((e: T) => kv(e, null)))
      .apply('Group', Combine.perKey<T, null, null>(none))
      .apply('Keys', Keys.create<T>());
  }
}
