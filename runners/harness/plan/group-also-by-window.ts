/**
 * The harness's half of a GroupByKey the submission expanded (runners/portable/expand-windowing.ts):
 *
 * - `ReifyWindowsUnit`: KV<K, V> → KV<K, KV<V, windows>>, so the element's windows survive the
 *   global window that follows;
 * - `GroupAlsoByWindowUnit`, a stateful ParDo keyed by K in the global window: the key's reducer
 *   (`runners/exec/windowing`, the direct runner's group-also-by-window) lives in the runner as one
 *   bag-state element of bytes (its snapshot); each bundle restores the reducers of the keys it
 *   touches, feeds them the elements in their own windows, evaluates the triggers (as the direct
 *   runner does at the end of a bundle), and sets the key's `wake` timer at the reducer's next event
 *   time (+1: Beam fires a timer once the watermark reaches it, the reducer wants it passed) with
 *   the reducer's output hold as the timer's hold. A firing tells the reducer the watermark: at
 *   least the firing time (and every key learns what any key's timer said).
 *
 * Panes go out in their windows with the reducer's pane info and timestamps; late elements (past
 * the allowed lateness of the watermark the reducer knows) to the `late` output, counted in
 * `tributary/droppedLate` as on the direct runner.
 */
import { ByteReader, ByteWriter, Coders, type Coder } from '../../../sdk/coders/index.js';
import type { Timer } from '../../../sdk/coders/timer.js';
import type { MetricsContainer } from '../../../sdk/metrics/container.js';
import { Instant } from '../../../sdk/time/instant.js';
import { kv, type KV } from '../../../sdk/values/kv.js';
import { NO_FIRING, type PaneInfo } from '../../../sdk/values/pane.js';
import type { WindowedValue } from '../../../sdk/values/windowed-value.js';
import { GLOBAL_WINDOW_MAX, GlobalWindow, type BoundedWindow } from '../../../sdk/window/bounded-window.js';
import type { WindowingStrategy } from '../../../sdk/window/windowing-strategy.js';
import type { TriggerSlot } from '../../../sdk/trigger/proto.js';
import { groupingKeyFn, type GroupingKeyFn } from '../../exec/grouping-key.js';
import { PendingDeliveries } from '../../exec/pending.js';
import type { Delivery, Receiver } from '../../exec/unit.js';
import { LIST_AGGREGATION } from '../../exec/windowing/aggregations.js';
import { groupCodec } from '../../exec/windowing/group-snapshot.js';
import { KeyedWindowReducer, type Aggregation } from '../../exec/windowing/keyed-window-reducer.js';
import { REDUCER_FORMAT, type ReducerCodec } from '../../exec/windowing/reducer-snapshot.js';
import type { BundleContext, HarnessUnit } from './context.js';
import { bagUserStateKey, encoded, readUserState, sameBytes, writeUserState } from './user-state.js';
import { TimerError } from '../../exec/errors.js';

/** The DoFns of runners/portable/expand-windowing.ts, found by URN in the ParDo payload's
 *  `do_fn` (not user code), and the state and timer family the GroupAlsoByWindow ParDo declares. */
export const EXPANSION_URN = {
  REIFY_WINDOWS: 'tributary:dofn:reify_windows:v1',
  GROUP_ALSO_BY_WINDOW: 'tributary:dofn:group_also_by_window:v1',
} as const;

export const GABW_STATE = 'reducer';
export const GABW_TIMER = 'wake';

/** What the GroupAlsoByWindow ParDo's `do_fn` payload says (JSON). */
export interface GroupAlsoByWindowSpec {
  /** The GroupByKey's own windowing strategy (its input's): its id, and the WindowingStrategy
   *  message itself (base64), since the submitted pipeline carries a runner-safe copy under
   *  that id (Prism refuses a stateful trigger over merging windows even where nothing runs it). */
  readonly windowingStrategyId: string;
  readonly windowingStrategy: string;
  /** Its trigger's predicate slots (see sdk/trigger/proto.ts): the harness's descriptor does not
   *  carry the pipeline's display data. */
  readonly triggerSlots: readonly TriggerSlot[];
  /** The GroupByKey's transform name, for errors and metrics. */
  readonly name: string;
}

const ON_TIME_ONLY_PANE: PaneInfo = Object.freeze({ isFirst: true, isLast: true, timing: 'ON_TIME', index: 0, onTimeIndex: 0 });
const GMAX = GLOBAL_WINDOW_MAX as number;
/** Decoded reducers a GroupAlsoByWindow keeps between bundles (least recently used go first). */
const MAX_WARM_REDUCERS = 4096;
/** The `wake` family's timers per key: the reducer's next event time, and the end-of-input probe. */
const WAKE_TAG = '';
const END_TAG = 'end';
const GC_TAG = 'gc';

/** KV<K, V> in its windows → KV<K, KV<V, windows>> in the same windows. */
export class ReifyWindowsUnit implements HarnessUnit {
  constructor(
    readonly name: string,
    private readonly out: Receiver,
  ) {}

  receive(wv: WindowedValue<unknown>): Delivery {
    const e = wv.value as KV<unknown, unknown>;
    return this.out.receive({ ...wv, value: kv(e.key, kv(e.value, [...wv.windows])) });
  }
}

export interface GroupAlsoByWindowConfig {
  readonly name: string;
  readonly transformId: string;
  /** The GroupByKey's windowing strategy, its trigger's predicates included. */
  readonly strategy: WindowingStrategy;
  readonly keyCoder: Coder<unknown>;
  readonly valueCoder: Coder<unknown>;
  readonly inputName: string;
  readonly stateId: string;
  readonly timerFamily: string;
  readonly timerCoder: Coder<unknown>;
  readonly main: Receiver;
  readonly late: Receiver | undefined;
  readonly metrics: MetricsContainer;
}

/** One key's reducer in this bundle. */
interface KeyRun {
  readonly key: unknown;
  readonly keyBytes: Uint8Array;
  readonly read: Uint8Array;
  readonly reducer: KeyedWindowReducer<unknown, unknown, unknown, unknown>;
}

export class GroupAlsoByWindowUnit implements HarnessUnit {
  readonly name: string;
  private bundle!: BundleContext;
  private readonly keyId: GroupingKeyFn;
  private readonly codec: ReducerCodec<unknown, unknown>;
  private readonly windowBytes: Uint8Array;
  private readonly deliveries = new PendingDeliveries();
  private readonly droppedLate;
  /** Keys touched in this bundle (loaded once each). */
  private runs = new Map<unknown, KeyRun | Promise<KeyRun>>();
  /** Reducers as earlier bundles of this plan left them, each with the state bytes it was
   *  written as: a key whose state the bundle reads back as those very bytes (the state cache's
   *  entry, by identity) goes on with the reducer instead of decoding the bytes again. Decoding
   *  a reducer costs in proportion to its state, so with one element per bundle (Flink, see
   *  docs/runners.md) it was the harness's largest cost per element. */
  private readonly warm = new Map<unknown, { readonly bytes: Uint8Array; readonly reducer: KeyRun['reducer'] }>();
  /** The input watermark is at least this: the latest timer firing any key saw. */
  private knownWatermark: number = Instant.MIN;
  private timersOut = new ByteWriter();

  constructor(private readonly cfg: GroupAlsoByWindowConfig) {
    this.name = cfg.name;
    this.keyId = groupingKeyFn(cfg.keyCoder, cfg.inputName);
    this.codec = groupCodec(cfg.name, { key: cfg.keyCoder, accumulator: Coders.iterable(cfg.valueCoder) as Coder<unknown>, values: true }, cfg.strategy.windowFn.windowCoder() as Coder<BoundedWindow>, this.keyId);
    this.windowBytes = encoded(Coders.globalWindow() as Coder<unknown>, GlobalWindow.INSTANCE, false);
    this.droppedLate = cfg.metrics.counter('tributary', 'droppedLate');
  }

  start(bundle: BundleContext): void {
    this.bundle = bundle;
    this.runs = new Map();
    this.timersOut = new ByteWriter();
  }

  receive(wv: WindowedValue<unknown>): Delivery {
    const e = wv.value as KV<unknown, KV<unknown, BoundedWindow[]>>;
    const run = this.run(e.key);
    const add = (r: KeyRun) => {
      r.reducer.processElement(this.keyId(e.key) as string | number, e.key, e.value.key, wv.timestamp, e.value.value);
      return this.deliveries.settle();
    };
    return run instanceof Promise ? run.then(add) : add(run);
  }

  /** The `wake` timers the runner fired: the watermark passed them. */
  async acceptTimers(family: string, bytes: Uint8Array): Promise<void> {
    if (family !== this.cfg.timerFamily) throw new TimerError(family, `"${this.name}" got timers of family "${family}", which it does not set`);
    // Every firing says the watermark reached its time. A key's reducer moves to the latest of
    // its own firings in the chunk (its wake and its probes: a watermark that jumped past a
    // window's end and its collection at once is seen as one jump, as the direct runner sees
    // it); the latest firing of all is what keys loaded afterwards start from.
    const reader = new ByteReader(bytes);
    const perKey = new globalThis.Map<unknown, { key: unknown; wm: number }>();
    let latest = this.knownWatermark;
    while (!reader.atEnd()) {
      const t = this.cfg.timerCoder.decode(reader, true) as Timer<unknown>;
      if (t.clearBit) continue;
      const at = t.fireTimestamp as number;
      const wm = at >= GMAX ? Instant.MAX : at;
      const id = this.keyId(t.userKey);
      const k = perKey.get(id);
      if (!k) perKey.set(id, { key: t.userKey, wm });
      else if (wm > k.wm) k.wm = wm;
      if (wm > latest) latest = wm;
    }
    for (const { key, wm } of perKey.values()) {
      let run = this.run(key);
      if (run instanceof Promise) run = await run;
      run.reducer.advanceInputWatermark(wm as Instant);
      const d = this.deliveries.settle();
      if (d) await d;
    }
    this.knownWatermark = latest;
  }

  /** Triggers evaluated, each key's timer set again, its reducer written back. */
  async finishBundle(): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const entry of this.runs.values()) {
      const run = await entry;
      const r = run.reducer;
      r.finishBundle();
      const d = this.deliveries.settle();
      if (d) await d;
      const next = r.nextEventTimeTimer();
      const empty = r.openWindowCount() === 0 && r.tombstoneCount() === 0;
      const hold = r.outputWatermarkHold() as number;
      this.setTimer(run.key, WAKE_TAG, next === undefined ? undefined : next >= GMAX - 1 ? GMAX : next + 1, hold);
      // Probes that tell the reducer how far the watermark jumped: a key with windows also waits
      // for its earliest window's collection and for the end of input; when the watermark jumps
      // past those, they fire with the key's other timers, and an ON_TIME pane fired then is
      // also the final one, as on the direct runner.
      this.setTimer(run.key, END_TAG, empty ? undefined : GMAX, Instant.MAX);
      const gc = r.nextCollectionTime();
      this.setTimer(run.key, GC_TAG, gc === undefined || gc >= GMAX - 1 ? undefined : gc + 1, Instant.MAX);
      const bytes = empty ? new Uint8Array() : r.snapshot(this.codec).bytes;
      const unchanged = sameBytes(bytes, run.read);
      if (!unchanged) writes.push(writeUserState(this.bundle, this.stateKey(run.keyBytes), bytes));
      this.keepWarm(run, unchanged ? run.read : bytes);
    }
    await Promise.all(writes);
    const d = this.bundle.data.send(this.bundle.instructionId, this.cfg.transformId, this.timersOut.finish(), true, this.cfg.timerFamily);
    if (d) await d;
  }

  /** Sets (or with `fire` undefined clears) the key's timer `tag`, holding the output at `hold`. */
  private setTimer(key: unknown, tag: string, fire: number | undefined, hold: number): void {
    const windows = [GlobalWindow.INSTANCE];
    const t: Timer<unknown> =
      fire === undefined
        ? { userKey: key, dynamicTimerTag: tag, windows, clearBit: true }
        : { userKey: key, dynamicTimerTag: tag, windows, clearBit: false, fireTimestamp: fire as Instant, holdTimestamp: (hold < fire ? hold : fire) as Instant, pane: NO_FIRING };
    this.cfg.timerCoder.encode(t, this.timersOut, true);
  }

  private run(key: unknown): KeyRun | Promise<KeyRun> {
    const id = this.keyId(key);
    const have = this.runs.get(id);
    if (have) return have;
    const loading = this.load(key).then((r) => {
      this.runs.set(id, r);
      return r;
    });
    this.runs.set(id, loading);
    return loading;
  }

  /** Remembers `run`'s reducer as the state `bytes` (what the state cache now holds for it). */
  private keepWarm(run: KeyRun, bytes: Uint8Array): void {
    const id = this.keyId(run.key);
    this.warm.delete(id);
    if (bytes.length === 0) return;
    this.warm.set(id, { bytes, reducer: run.reducer });
    // Oldest first (a Map keeps insertion order, and a used key is set again at the end).
    if (this.warm.size > MAX_WARM_REDUCERS) this.warm.delete(this.warm.keys().next().value);
  }

  private async load(key: unknown): Promise<KeyRun> {
    const keyBytes = encoded(this.cfg.keyCoder, key, true);
    const read = await readUserState(this.bundle, `"${this.name}"`, this.stateKey(keyBytes));
    const id = this.keyId(key);
    const warm = this.warm.get(id);
    // Taken out while the bundle mutates it, put back by finishBundle: a bundle that fails on the
    // way leaves no half-applied reducer behind for a retry to go on from.
    this.warm.delete(id);
    if (warm && warm.bytes === read) {
      // Any other bytes (another token, a write by another plan, an evicted entry) are decoded.
      const reducer = warm.reducer;
      if (this.knownWatermark > (reducer.inputWatermark() as number)) reducer.advanceInputWatermark(this.knownWatermark as Instant);
      return { key, keyBytes, read, reducer };
    }
    const cfg = this.cfg;
    const reducer = new KeyedWindowReducer<unknown, unknown, unknown, unknown>({
      strategy: cfg.strategy,
      aggregation: LIST_AGGREGATION as Aggregation<unknown, unknown, unknown>,
      emit: (k, output, timestamp, window, pane) => this.deliveries.deliver(cfg.main, { value: kv(k, output), timestamp, windows: [window], pane }),
      late: (k, value, timestamp, window) => {
        this.droppedLate.inc(1);
        if (cfg.late) this.deliveries.deliver(cfg.late, { value: kv(k, value), timestamp, windows: [window], pane: ON_TIME_ONLY_PANE });
      },
    });
    if (read.length > 0) {
      const state = { format: REDUCER_FORMAT, bytes: read };
      reducer.restore(state, this.codec, this.name);
    }
    if (this.knownWatermark > (reducer.inputWatermark() as number)) reducer.advanceInputWatermark(this.knownWatermark as Instant);
    return { key, keyBytes, read, reducer };
  }

  private stateKey(keyBytes: Uint8Array) {
    return bagUserStateKey(this.cfg.transformId, this.cfg.stateId, keyBytes, this.windowBytes);
  }
}
