/**
 * GroupByKey and Combine.perKey / Combine.globally, executed in-process. Both fold each key's
 * values into an aggregation (a list for GroupByKey, the CombineFn's accumulator for a combine —
 * combiner lifting: values are never held as a list). The global window with the default trigger
 * takes a fast path: one Map, emitted when the watermark passes the end of the global window.
 * Every other windowing strategy goes through the event-time reducer. A Window.into feeding
 * only this grouping is fused into it: elements arrive unassigned and get their windows here
 * (`receiveUnassigned`).
 */
import type { MetricsContainer } from '../../../sdk/metrics/container.js';
import { Instant } from '../../../sdk/time/instant.js';
import { kv, type KV } from '../../../sdk/values/kv.js';
import type { PaneInfo } from '../../../sdk/values/pane.js';
import type { WindowedValue } from '../../../sdk/values/windowed-value.js';
import { GLOBAL_WINDOW_MAX, GLOBAL_WINDOWS, type BoundedWindow } from '../../../sdk/window/bounded-window.js';
import type { WindowingStrategy } from '../../../sdk/window/windowing-strategy.js';
import { KeyedWindowReducer, type Aggregation } from '../../exec/windowing/keyed-window-reducer.js';
import type { GroupingKey, GroupingKeyFn } from '../../exec/grouping-key.js';
import { NOT_NOW, type Delivery, type Operator, type Receiver, type RunValues } from '../../exec/unit.js';
import { GROUP_FORMAT, groupCodec, readGlobalGroups, writeGlobalGroups, type GroupCoders, type GroupSnapshot } from '../../exec/windowing/group-snapshot.js';
import { CheckpointError } from '../../exec/snapshot-bytes.js';
import type { ReducerCodec } from '../../exec/windowing/reducer-snapshot.js';
import { PendingDeliveries } from '../../exec/pending.js';
import type { ColumnBatch, KeyedColumnBatch } from '../../../sdk/values/column-batch.js';
import { BatchRow, type WindowedBatch } from '../../exec/batches.js';
import { usesBuckets } from '../../exec/windowing/bucket-reducer.js';
import { FixedWindows } from '../../../sdk/window/fixed.js';
import { Sessions } from '../../../sdk/window/sessions.js';
import { floorMod } from '../../../sdk/window/window-fn.js';
import type { DistributionCell } from '../../../sdk/metrics/container.js';
import { NO_ARRIVALS, type ArrivalClock } from '../../exec/arrival-clock.js';

export type { Aggregation };

const EMPTY_BATCH: ColumnBatch<unknown> = { length: 0, columns: {} };
const ON_TIME_ONLY_PANE: PaneInfo = Object.freeze({ isFirst: true, isLast: true, timing: 'ON_TIME', index: 0, onTimeIndex: 0 });

export interface GroupConfig {
  readonly name: string;
  readonly strategy: WindowingStrategy;
  readonly aggregation: Aggregation<unknown, unknown, unknown>;
  readonly groupingKey: GroupingKeyFn | undefined; // undefined: Combine.globally, one group
  readonly output: Receiver;
  /** Late side output, if the pipeline asked for one. */
  readonly late?: Receiver;
  readonly metrics: MetricsContainer;
  /** Combine.globally in the global window: emit the empty combine when there was no input. */
  readonly defaultWhenEmpty?: boolean;
  /** What the state is checkpointed with (without them the grouping cannot be checkpointed). */
  readonly coders?: GroupCoders;
  /** Stamps input with its arrival: panes then record `tributary/arrivalToPaneMs`. */
  readonly arrivals?: ArrivalClock;
}

interface Group {
  readonly key: unknown;
  acc: unknown;
  /** Arrival stamp of the newest input (arrival-clock.ts). */
  arrived: number;
}

/** How a fused Window.into assigns: by the window fn, or inline for the built-in fns whose
 *  windows are plain arithmetic (no window object per element). */
const ASSIGN_BY_FN = 0;
const ASSIGN_SESSION = 1;
const ASSIGN_FIXED = 2;
const END_OF_GLOBAL = GLOBAL_WINDOW_MAX + 1;

export class GroupOperator implements Operator {
  readonly name: string;
  private readonly fast: boolean;
  private readonly groups = new Map<GroupingKey, Group>();
  private readonly reducer: KeyedWindowReducer<unknown, unknown, unknown, unknown> | undefined;
  private readonly deliveries = new PendingDeliveries();
  private sawInput = false;
  private fired = false;
  /** Fast path: elements held (values for GroupByKey, one per group for a combine). */
  private fastHeld = 0;
  private readonly countsValues: boolean;
  private readonly assign: number;
  /** Session gap or fixed-window size, and fixed-window offset, for inline assignment. */
  private readonly span: number;
  private readonly offset: number;
  private readonly arrivals: ArrivalClock;
  /** Processing time from the newest input a pane reflects to the pane (arrival-clock.ts). */
  private arrivalToPane: DistributionCell | undefined;
  /** Where a row of a batch is added from (`receiveUnassignedBatch`). */
  private readonly row = new BatchRow();
  /**
   * Whether a fused Window.into may hand this grouping batches: a keyed combine whose CombineFn
   * adds rows where they lie, into fixed windows fired by the default trigger (or the global
   * window). There every value is folded at once and never kept, so the one moving `BatchRow`
   * cursor is safe; a list, a merging window or a trigger that reads elements would keep it.
   */
  readonly takesBatches: boolean;
  /**
   * Present on the fast path (the global window, default trigger), where an element is folded in
   * at once and nothing waits: a run of elements is a loop here, not a call per element.
   */
  readonly receiveMany?: (count: number, values: RunValues) => Delivery;

  constructor(private readonly cfg: GroupConfig) {
    this.name = cfg.name;
    this.arrivals = cfg.arrivals ?? NO_ARRIVALS;
    this.fast = cfg.strategy.isGlobal() && cfg.strategy.isDefaultTrigger();
    if (this.fast) this.receiveMany = (count, values) => this.receiveManyFast(count, values);
    this.countsValues = cfg.aggregation.held !== undefined;
    // Exact classes only: a subclass may assign differently.
    const fn = cfg.strategy.windowFn;
    if (fn.constructor === Sessions) {
      this.assign = ASSIGN_SESSION;
      this.span = (fn as Sessions).gap;
      this.offset = 0;
    } else if (fn.constructor === FixedWindows) {
      this.assign = ASSIGN_FIXED;
      this.span = (fn as FixedWindows).size;
      this.offset = (fn as FixedWindows).offset;
    } else {
      this.assign = ASSIGN_BY_FN;
      this.span = 0;
      this.offset = 0;
    }
    this.takesBatches =
      cfg.groupingKey !== undefined && cfg.aggregation.takesRows === true && (this.fast || (this.assign === ASSIGN_FIXED && usesBuckets(cfg.strategy)));
    if (!this.fast) {
      const droppedLate = cfg.metrics.counter('tributary', 'droppedLate');
      this.reducer = new KeyedWindowReducer<unknown, unknown, unknown, unknown>({
        strategy: cfg.strategy,
        aggregation: cfg.aggregation,
        emit: (key, output, timestamp, window, pane, arrived) => this.emit(key, output, timestamp, this.windowsOf(window), pane, arrived),
        arrivals: this.arrivals,
        late: (key, value, timestamp, window) => {
          droppedLate.inc(1);
          if (!cfg.late) return;
          const v = value instanceof BatchRow ? value.materialize() : value;
          this.deliver(cfg.late, { value: cfg.groupingKey ? kv(key, v) : v, timestamp, windows: [window], pane: ON_TIME_ONLY_PANE });
        },
      });
    }
  }

  receive(wv: WindowedValue<unknown>): Delivery {
    return this.receiveParts(wv.value, wv.timestamp, wv.windows);
  }

  /** Folds the element in at once and keeps no reference to it (Receiver.receiveParts). */
  receiveParts(element: unknown, timestamp: Instant, windows: readonly BoundedWindow[]): Delivery {
    this.sawInput = true;
    const keyed = this.cfg.groupingKey;
    const key = keyed ? (element as KV<unknown, unknown>).key : null;
    const value = keyed ? (element as KV<unknown, unknown>).value : element;
    const gk = keyed ? keyed(key) : null;
    if (this.fast) return this.addFast(gk, key, value);
    this.reducer!.processElement(gk as string | number, key, value, timestamp, windows);
    return this.settle();
  }

  /** A run of elements, folded in one after another (Receiver.receiveMany): the fast path only. */
  private receiveManyFast(count: number, values: RunValues): Delivery {
    this.sawInput = true;
    const keyed = this.cfg.groupingKey;
    if (keyed) {
      for (let i = 0; i < count; i++) {
        const e = values.at(i) as KV<unknown, unknown>;
        const key = e.key;
        this.addFast(keyed(key), key, e.value);
      }
    } else for (let i = 0; i < count; i++) this.addFast(null, null, values.at(i));
  }

  /**
   * An element of the Window.into fused into this grouping (see `FusedWindowInto`): its windows
   * are this grouping's window fn's, assigned here, so no windowed copy of it is made.
   */
  receiveUnassigned(element: unknown, ts: Instant): Delivery {
    this.sawInput = true;
    const keyed = this.cfg.groupingKey;
    const key = keyed ? (element as KV<unknown, unknown>).key : null;
    const value = keyed ? (element as KV<unknown, unknown>).value : element;
    const gk = keyed ? keyed(key) : null;
    if (this.fast) return this.addFast(gk, key, value);
    const reducer = this.reducer!;
    if (this.assign === ASSIGN_SESSION) {
      reducer.processInterval(gk as string | number, key, value, ts, ts, ts + this.span);
    } else if (this.assign === ASSIGN_FIXED) {
      // FixedWindows.assignWindow, as numbers.
      const start = ts - floorMod(ts - this.offset, this.span);
      const end = start + this.span;
      reducer.processInterval(gk as string | number, key, value, ts, start, end < END_OF_GLOBAL ? end : END_OF_GLOBAL);
    } else {
      reducer.processElement(gk as string | number, key, value, ts, this.cfg.strategy.windowFn.assignWindows(ts, element));
    }
    return this.settle();
  }

  /**
   * A keyed batch of the Window.into fused into this grouping (only when `takesBatches`): each
   * row goes where `receiveUnassigned` would put the element it stands for, in row order.
   */
  receiveUnassignedBatch(wb: WindowedBatch): Delivery {
    const batch = wb.batch as KeyedColumnBatch<unknown, unknown>;
    const n = batch.length;
    if (n === 0) return;
    this.sawInput = true;
    const keys = batch.keys;
    const times = wb.timestamps;
    const groupingKey = this.cfg.groupingKey!;
    const row = this.row;
    row.batch = batch;
    if (this.fast) {
      for (let i = 0; i < n; i++) {
        const key = keys[i];
        row.index = i;
        this.addFast(groupingKey(key), key, row);
      }
    } else {
      const reducer = this.reducer!;
      const span = this.span;
      const offset = this.offset;
      for (let i = 0; i < n; i++) {
        const key = keys[i];
        const ts = times[i]! as Instant;
        const start = ts - floorMod(ts - offset, span);
        const end = start + span;
        row.index = i;
        reducer.processInterval(groupingKey(key) as string | number, key, row, ts, start, end < END_OF_GLOBAL ? end : END_OF_GLOBAL);
      }
    }
    row.batch = EMPTY_BATCH;
    return this.settle();
  }

  /**
   * `[window]`, shared by consecutive panes of the same window object (the panes of one bucket
   * share their window): one array per window rather than per pane. An element's windows are
   * never changed by whoever receives it.
   */
  private windowsOf(window: BoundedWindow): readonly BoundedWindow[] {
    if (this.lastWindows[0] !== window) this.lastWindows = [window];
    return this.lastWindows;
  }
  private lastWindows: readonly BoundedWindow[] = [];

  private addFast(gk: GroupingKey, key: unknown, value: unknown): Delivery {
    let g = this.groups.get(gk);
    if (g === undefined) {
      g = { key, acc: this.cfg.aggregation.create(), arrived: -1 };
      this.groups.set(gk, g);
      if (!this.countsValues) this.fastHeld++;
    }
    g.acc = this.cfg.aggregation.add(g.acc, value);
    g.arrived = this.arrivals.current;
    if (this.countsValues) this.fastHeld++;
  }

  onWatermark(watermark: Instant): Delivery {
    if (this.fast) {
      if (watermark > GLOBAL_WINDOW_MAX && !this.fired) {
        this.fired = true;
        const agg = this.cfg.aggregation;
        for (const g of this.groups.values()) this.emit(g.key, agg.extract(g.acc), GLOBAL_WINDOW_MAX, GLOBAL_WINDOWS, ON_TIME_ONLY_PANE, g.arrived);
        if (this.cfg.defaultWhenEmpty && !this.sawInput) this.emit(null, agg.extract(agg.create()), GLOBAL_WINDOW_MAX, GLOBAL_WINDOWS, ON_TIME_ONLY_PANE, -1);
        this.groups.clear();
        this.fastHeld = 0;
      }
    } else {
      this.reducer!.advanceInputWatermark(watermark);
      if (watermark >= Instant.MAX) this.reducer!.finish();
    }
    return this.settle();
  }

  /** Triggers are evaluated per bundle, as in Beam: count and predicate firings happen here. */
  finishBundle(): Delivery {
    if (this.fast) return;
    this.reducer!.finishBundle();
    return this.settle();
  }

  onProcessingTime(now: Instant): Delivery {
    this.reducer?.advanceProcessingTime(now);
    return this.settle();
  }

  nextProcessingTimeTimer(): Instant | undefined {
    return this.reducer?.nextProcessingTimeTimer();
  }

  hold(): Instant {
    if (this.fast) return this.groups.size && !this.fired ? GLOBAL_WINDOW_MAX : Instant.MAX;
    return this.reducer!.outputWatermarkHold();
  }

  /** Elements held in state: GroupByKey's values in panes not fired (or retained), a combine's
   *  accumulators. */
  bufferedElements(): number {
    return this.fast ? this.fastHeld : this.reducer!.heldElements();
  }

  /** Between bundles: the groups (global window) or the reducer's windows, as bytes. */
  snapshot(): unknown {
    if (this.deliveries.waiting) return NOT_NOW;
    const codec = this.codec();
    const state = this.fast ? writeGlobalGroups(this.groups.values(), this.fired, codec) : this.reducer!.snapshot(codec);
    const snap: GroupSnapshot = { format: GROUP_FORMAT, sawInput: this.sawInput, state };
    return snap;
  }

  restore(state: unknown): void {
    const snap = state as Partial<GroupSnapshot>;
    if (snap?.format !== GROUP_FORMAT || !snap.state) throw new CheckpointError(`the checkpoint's state for "${this.name}" is not a grouping's (format ${String(snap?.format)})`);
    this.sawInput = snap.sawInput === true;
    const codec = this.codec();
    if (!this.fast) {
      this.reducer!.restore(snap.state, codec, this.name);
      return;
    }
    const agg = this.cfg.aggregation;
    this.fired = readGlobalGroups(snap.state, codec, this.name, (key, acc) => {
      this.groups.set(codec.keyId(key), { key, acc, arrived: -1 });
      this.fastHeld += this.countsValues ? agg.held!(acc) : 1;
    });
  }

  private codec(): ReducerCodec<unknown, unknown> {
    return groupCodec(this.name, this.cfg.coders, this.cfg.strategy.windowFn.windowCoder() as never, this.cfg.groupingKey);
  }

  /** `arrived`: the arrival stamp of the newest input the pane reflects; −1: not known (input
   *  from before a restore), no latency recorded. */
  private emit(key: unknown, output: unknown, timestamp: Instant, windows: readonly BoundedWindow[], pane: PaneInfo, arrived: number): void {
    if (arrived >= 0) (this.arrivalToPane ??= this.cfg.metrics.distribution('tributary', 'arrivalToPaneMs')).update(this.arrivals.elapsed() - arrived);
    // (As parts: a receiver that takes them apart at once gets no element object per pane.)
    this.deliveries.deliverParts(this.cfg.output, this.cfg.groupingKey ? kv(key, output) : output, timestamp, windows, pane);
  }

  private deliver(r: Receiver, wv: WindowedValue<unknown>): void {
    this.deliveries.deliver(r, wv);
  }

  private settle(): Delivery {
    return this.deliveries.settle();
  }
}
