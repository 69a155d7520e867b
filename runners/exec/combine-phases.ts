/**
 * The lifted Combine phases a portable runner hands a worker when the SDK lifted a
 * Combine.perKey at submission (Beam's `combine_per_key_precombine`, `_merge_accumulators`,
 * `_extract_outputs`, and `combine_grouped_values` when it did not):
 *
 *   KV<K,V> -precombine-> KV<K,A> -(runner's GroupByKey)-> KV<K,Iterable<A>> -merge-> KV<K,A> -extract-> KV<K,O>
 *
 * Precombining folds a bundle's values per key and window before the shuffle, so what crosses
 * the wire is one accumulator per key per bundle, not every value. Windows must not merge (a
 * submitter does not lift under a merging window fn: sessions group first).
 */
import type { MetricsContainer } from '../../sdk/metrics/container.js';
import type { CombineFn } from '../../sdk/transforms/combine-fn.js';
import type { Instant } from '../../sdk/time/instant.js';
import { kv, type KV } from '../../sdk/values/kv.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import type { BoundedWindow } from '../../sdk/window/bounded-window.js';
import type { GroupingKey, GroupingKeyFn } from './grouping-key.js';
import { guardedCombineFn } from './user-combine-fn.js';
import { PendingDeliveries } from './pending.js';
import type { Delivery, Operator, Receiver } from './unit.js';
import { NO_FIRING } from '../../sdk/values/pane.js';

type AnyCombineFn = CombineFn<unknown, unknown, unknown>;

interface PhaseConfig {
  readonly name: string;
  readonly fn: AnyCombineFn;
  readonly output: Receiver;
  readonly metrics: MetricsContainer;
}

/** One key's partial accumulator in one window. */
interface Partial {
  readonly key: unknown;
  readonly window: BoundedWindow;
  acc: unknown;
  /** The earliest input timestamp: what an EARLIEST timestamp combiner needs; any other sees a
   *  timestamp inside the window. */
  timestamp: Instant;
}

/**
 * Keys a precombine table holds before it flushes early: a memory bound (a partial is roughly a
 * key, a window and an accumulator: ~15 MB for 100,000 small ones). Each early flush sends one
 * accumulator per held key through the runner's shuffle, where Flink spends tens of µs per element
 * in Beam's GroupByKey: with 10,000 (the bound until s7) a keyed sum over 10,000 keys flushed every
 * ~90,000 elements and sent 110,000 accumulators per million elements instead of 10,000 per bundle
 * (bench/flink/cluster.ts: one-worker processing time 5.9–7.2 s → 2.9–4.1 s for 1,000,000 elements).
 */
export const PRECOMBINE_MAX_KEYS = 100_000;

/** A precombine's settings: its CombineFn, where it sends, how it groups keys. */
export type PrecombineConfig = PhaseConfig & {
  readonly keyOf: GroupingKeyFn;
  /** Partials held before the table is flushed early (a memory bound; each unit has its default). */
  readonly maxKeys?: number;
};

/**
 * What both precombines share (this one and sessions', merging-precombine.ts): a table of partial
 * accumulators folded over a bundle, sent on at finishBundle or once it holds its bound.
 */
export abstract class BundlePrecombine implements Operator {
  readonly name: string;
  /** Partials held (for memory accounting and the early flush). */
  protected size = 0;
  /** Partials held before the table is flushed early. */
  protected readonly maxSize: number;
  private readonly deliveries = new PendingDeliveries();
  /** The user's CombineFn, called with the transform's metrics and errors naming it. */
  protected readonly fn: AnyCombineFn;

  constructor(
    protected readonly cfg: PrecombineConfig,
    defaultMax: number,
  ) {
    this.name = cfg.name;
    this.maxSize = cfg.maxKeys ?? defaultMax;
    this.fn = guardedCombineFn(cfg.fn, cfg.name, cfg.metrics);
  }

  receive(wv: WindowedValue<unknown>): Delivery {
    return this.receiveParts(wv.value, wv.timestamp, wv.windows);
  }

  /** Folds the element in at once and keeps no reference to it (Receiver.receiveParts): the
   *  ParDo before it hands its outputs on without making an element object for each. */
  abstract receiveParts(element: unknown, timestamp: Instant, windows: readonly BoundedWindow[]): Delivery;

  /** Hands every partial held to `emit`, then empties the table. */
  protected abstract takeAll(emit: (key: unknown, acc: unknown, timestamp: Instant, window: BoundedWindow) => void): void;

  /** Flushes early when the table holds its bound. */
  protected flushIfFull(): Delivery {
    if (this.size >= this.maxSize) return this.flush();
  }

  finishBundle(): Delivery {
    return this.flush();
  }

  bufferedElements(): number {
    return this.size;
  }

  private flush(): Delivery {
    this.takeAll((key, acc, timestamp, window) => this.deliveries.deliver(this.cfg.output, { value: kv(key, acc), timestamp, windows: [window], pane: NO_FIRING }));
    this.size = 0;
    return this.deliveries.settle();
  }
}

/** Precombine: folds each key's values per window until the bundle ends (or the table is full). */
export class PrecombineUnit extends BundlePrecombine {
  private readonly table = new Map<string, Map<GroupingKey, Partial>>();
  /**
   * The last window's partials: consecutive elements nearly always share their window (every
   * element of a global-window pipeline shares one object), so this skips the lookup by id.
   */
  private lastWindow: BoundedWindow | undefined;
  private lastByKey: Map<GroupingKey, Partial> | undefined;

  private readonly keyOf: GroupingKeyFn;

  constructor(cfg: PrecombineConfig) {
    super(cfg, PRECOMBINE_MAX_KEYS);
    this.keyOf = cfg.keyOf;
  }

  receiveParts(element: unknown, timestamp: Instant, windows: readonly BoundedWindow[]): Delivery {
    const { key, value } = element as KV<unknown, unknown>;
    const gk = this.keyOf(key);
    for (let i = 0; i < windows.length; i++) {
      const window = windows[i]!;
      const byKey = window === this.lastWindow ? this.lastByKey! : this.partialsOf(window);
      const p = byKey.get(gk);
      if (p === undefined) {
        byKey.set(gk, { key, window, acc: this.fn.addInput(this.fn.createAccumulator(), value), timestamp });
        this.size++;
      } else {
        if (timestamp < p.timestamp) p.timestamp = timestamp;
        p.acc = this.fn.addInput(p.acc, value);
      }
    }
    return this.flushIfFull();
  }

  private partialsOf(window: BoundedWindow): Map<GroupingKey, Partial> {
    let byKey = this.table.get(window.id);
    if (!byKey) this.table.set(window.id, (byKey = new Map()));
    this.lastWindow = window;
    this.lastByKey = byKey;
    return byKey;
  }

  protected takeAll(emit: (key: unknown, acc: unknown, timestamp: Instant, window: BoundedWindow) => void): void {
    for (const byKey of this.table.values()) for (const p of byKey.values()) emit(p.key, p.acc, p.timestamp, p.window);
    this.table.clear();
    this.lastWindow = undefined;
    this.lastByKey = undefined;
  }
}

/** A unit that maps each KV's value, keeping key, timestamp, windows and pane. */
abstract class ValuePhase implements Operator {
  readonly name: string;
  /** The user's CombineFn, called with the transform's metrics and errors naming it. */
  protected readonly fn: AnyCombineFn;
  constructor(protected readonly cfg: PhaseConfig) {
    this.name = cfg.name;
    this.fn = guardedCombineFn(cfg.fn, cfg.name, cfg.metrics);
  }
  protected abstract map(value: unknown): unknown;
  receive(wv: WindowedValue<unknown>): Delivery {
    const { key, value } = wv.value as KV<unknown, unknown>;
    return this.cfg.output.receive({ value: kv(key, this.map(value)), timestamp: wv.timestamp, windows: wv.windows, pane: wv.pane });
  }
}

/** Merge accumulators: KV<K, Iterable<A>> (the runner grouped the precombined) to KV<K, A>. */
export class MergeAccumulatorsUnit extends ValuePhase {
  protected map(accs: unknown): unknown {
    return this.fn.mergeAccumulators(accs as Iterable<unknown>);
  }
}

/** Extract outputs: KV<K, A> to KV<K, O>. */
export class ExtractOutputsUnit extends ValuePhase {
  protected map(acc: unknown): unknown {
    return this.fn.extractOutput(acc);
  }
}

/** Combine grouped values (not lifted): KV<K, Iterable<V>> to KV<K, O>. */
export class CombineGroupedValuesUnit extends ValuePhase {
  protected map(values: unknown): unknown {
    const fn = this.fn;
    let acc = fn.createAccumulator();
    for (const v of values as Iterable<unknown>) acc = fn.addInput(acc, v);
    return fn.extractOutput(acc);
  }
}
