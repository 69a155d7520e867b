/**
 * Runs a stateful DoFn: state per key and window, timers, watermark holds, and garbage
 * collection of expired windows' state. One element or timer at a time (an async method makes the
 * caller wait), so a key's state is never touched concurrently.
 *
 * Timers of all keys share one queue per time domain, ordered by (time, order set): whatever
 * the bundling, they fire in timestamp order across keys. Event-time timers fire when the input
 * watermark passes them — on a watermark move, or at the end of the bundle that set them behind
 * it. The output watermark is held at the earliest output timestamp of a pending timer.
 */
import { callFinishBundle, runLifecycle, userCodeError } from './lifecycle.js';
import type { MetricsContainer } from '../../sdk/metrics/container.js';
import { swapMetricsContainer, withAsyncMetricsContainer } from '../../sdk/metrics/metrics.js';
import { MetricsScope } from './metrics-scope.js';
import type { FiredTimer, StatefulDoFn, TimeDomain } from '../../sdk/state/index.js';
import { Instant } from '../../sdk/time/instant.js';
import type { KV } from '../../sdk/values/kv.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import { GLOBAL_WINDOW_MAX, GlobalWindow, type BoundedWindow } from '../../sdk/window/bounded-window.js';
import type { GroupingKey, GroupingKeyFn } from './grouping-key.js';
import type { CellFactory, SlotHost } from './state/cells.js';
import { ProcessCtx, TimerCtx, type ContextHost } from './state/contexts.js';
import { EntryKind, INTERNAL_SEQ_BASE, Scope, TimerEntry } from './state/scope.js';
import { HoldQueue, TimerQueue } from './state/timer-queue.js';
import { timersView, type TimerDecl, type ViewHost } from './state/timers-view.js';
import { isThenable, NOT_NOW, type Delivery, type Operator, type Receiver } from './unit.js';
import type { Coder } from '../../sdk/coders/index.js';
import type { CellCodec } from './state/cell-codecs.js';
import { readStatefulSnapshot, writeStatefulSnapshot, type ScopeRecord, type StatefulCodec } from './state/scope-snapshot.js';
import { CheckpointError, CheckpointRestoreError } from './snapshot-bytes.js';
import { OutputRouter } from './output-router.js';
import { deliverResult, finishAsync } from './process-result.js';
import { ReusedTimerSetting } from './state/timer-rules.js';
import { readSideInput, type SideInputAccess } from './side-input-views.js';

type AnyStatefulFn = StatefulDoFn<unknown, unknown, unknown, {}, {}, Record<string, unknown>>;

export interface StatefulParDoConfig {
  readonly name: string;
  readonly fn: AnyStatefulFn;
  readonly main: Receiver;
  readonly tagged: ReadonlyMap<string, Receiver>;
  readonly metrics: MetricsContainer;
  /** Structural key of the input's keys (by the key coder). */
  readonly keyOf: GroupingKeyFn;
  /** Declared state, in the order the cells are indexed; `codec` writes a cell's data to a
   *  checkpoint. */
  readonly states: ReadonlyArray<{ readonly name: string; readonly create: CellFactory; readonly codec?: CellCodec }>;
  /** The input's key coder and window coder, for checkpoints. */
  readonly keyCoder?: Coder<unknown>;
  readonly windowCoder?: Coder<BoundedWindow>;
  readonly timers: readonly TimerDecl[];
  readonly onWindowExpiration: boolean;
  readonly allowedLateness: number;
  /** Global-window state time-to-live, in ms. */
  readonly stateTtl: number | undefined;
  /** Side inputs `process` may read (the runner holds elements until they are ready). */
  readonly sideInputs?: ReadonlyMap<string, SideInputAccess>;
}

export class StatefulParDoOperator implements Operator, ContextHost, ViewHost, SlotHost {
  readonly name: string;
  readonly main: Receiver;
  readonly stateView: object;
  readonly timersView: object;
  private readonly fn: AnyStatefulFn;
  private readonly skew: number;
  private readonly outputs: OutputRouter;
  private readonly keyOf: GroupingKeyFn;
  /** Scope ids by key (global window) and by window and key. Ids, not scopes: a Map's numbers
   *  are read without touching the scope object, so the hot path touches no per-key object. */
  private readonly globalIds = new Map<GroupingKey, number>();
  private readonly windowIds = new Map<string, Map<GroupingKey, number>>();
  private readonly scopes: Array<Scope | undefined> = [];
  private readonly freeIds: number[] = [];
  /** One column per declared state: its data by scope id. */
  private readonly columns: unknown[][];
  /** User event-time timers. One whose output timestamp is its firing time (the default) holds
   *  the watermark from here: it is not also in `holds`, so setting it again (a session's gap
   *  timer, on every event of the key) moves one heap entry, not two. */
  private readonly eventTimers = new TimerQueue<TimerEntry>();
  /** Window expiry and state TTL entries: event time, after user timers of the same time. */
  private readonly internalTimers = new TimerQueue<TimerEntry>();
  private readonly processingTimers = new TimerQueue<TimerEntry>();
  /** Watermark holds not at a firing time in `eventTimers` (see `TimerEntry.holdsApart`). */
  private readonly holds = new HoldQueue<TimerEntry>();
  private readonly setting = new ReusedTimerSetting();
  private readonly droppedLate;
  private readonly ttl: number | undefined;
  private readonly pctx: ProcessCtx;
  private readonly tctx: TimerCtx;
  private readonly ectx: TimerCtx;
  private inputWatermark: number = Instant.MIN;
  /** Processing time as last reported; the direct runner's manual clock starts at 0. */
  private now = 0;
  private seq = 0;
  /** The scope and input timestamp of the element or timer being processed. */
  private current: Scope | undefined;
  currentId = 0;
  private inputTs = 0;
  private inFlight: Promise<void> | undefined;
  private failure: unknown;
  private bundleOpen = false;
  private readonly metricsScope: MetricsScope;

  constructor(private readonly cfg: StatefulParDoConfig) {
    this.name = cfg.name;
    this.main = cfg.main;
    this.fn = cfg.fn;
    this.skew = cfg.fn.allowedTimestampSkew ?? 0;
    this.outputs = new OutputRouter(cfg.main, cfg.tagged, this.skew);
    this.keyOf = cfg.keyOf;
    this.metricsScope = new MetricsScope(cfg.metrics);
    this.columns = cfg.states.map(() => []);
    this.stateView = Object.freeze(Object.fromEntries(cfg.states.map((s, i) => [s.name, s.create(this, this.columns[i]!)])));
    this.timersView = timersView(this, cfg.timers);
    this.droppedLate = cfg.metrics.counter('tributary', 'droppedLate');
    this.ttl = cfg.stateTtl;
    this.pctx = new ProcessCtx(this);
    this.tctx = new TimerCtx(this, true);
    this.ectx = new TimerCtx(this, false);
  }

  // --- ContextHost / ViewHost -------------------------------------------------------------

  tagged(tag: string): Receiver {
    return this.outputs.tagged(tag);
  }

  sideInput(name: string, window: BoundedWindow): unknown {
    return readSideInput(this.cfg.sideInputs, name, window);
  }

  checkOutputTimestamp(input: Instant, output: Instant): void {
    this.outputs.checkOutputTimestamp(input, output);
  }

  relativeBase(domain: TimeDomain): number {
    return domain === 'EVENT_TIME' ? this.inputTs : this.now;
  }

  setTimer(family: string, tag: string, domain: TimeDomain, time: number, explicitOutput: number | undefined): void {
    const scope = this.current!;
    const outputTs = this.setting.check(family, tag, domain, time, explicitOutput, scope.window, this.expiryTime(scope.window), this.inputTs, this.skew);
    let entry = scope.timer(family, tag);
    if (entry) {
      // Replaced: the entry is reused, keeping its place among the scope's timers.
      this.unschedule(entry);
      entry.setAgain(++this.seq, time, outputTs, domain);
    } else {
      entry = new TimerEntry(++this.seq, EntryKind.User, scope, time, outputTs, family, tag, domain);
      scope.putTimer(entry);
    }
    (domain === 'EVENT_TIME' ? this.eventTimers : this.processingTimers).push(entry);
    if (entry.holdsApart()) this.holds.push(entry);
  }

  clearTimer(family: string, tag: string): void {
    const scope = this.current!;
    const entry = scope.timer(family, tag);
    if (!entry) return;
    scope.deleteTimer(family, tag);
    this.unschedule(entry);
  }

  // --- elements ---------------------------------------------------------------------------

  receive(wv: WindowedValue<unknown>): Delivery {
    if (this.failure) throw this.failure;
    if (this.inFlight) return this.inFlight.then(() => this.receive(wv));
    const windows = wv.windows;
    if (windows.length === 1) return this.processIn(wv, windows[0]!);
    let chain: Promise<void> | undefined;
    for (const w of windows) {
      if (chain) chain = chain.then(() => this.processIn(wv, w));
      else {
        const d = this.processIn(wv, w);
        if (d) chain = d;
      }
    }
    return chain;
  }

  private processIn(wv: WindowedValue<unknown>, window: BoundedWindow): Delivery {
    const global = window === GlobalWindow.INSTANCE || window.maxTimestamp() >= GLOBAL_WINDOW_MAX;
    if (!global && this.expiryTime(window) < this.inputWatermark) {
      // The window has expired and its state is gone: Beam drops such elements.
      this.droppedLate.inc(1);
      return;
    }
    const kv = wv.value as KV<unknown, unknown>;
    const gk = this.keyOf(kv.key);
    const id = (global ? this.globalIds.get(gk) : this.windowIds.get(window.id)?.get(gk)) ?? this.newScope(gk, kv.key, window, wv.windows, global);
    const scope = this.scopes[id]!;
    if (global && this.ttl !== undefined) this.touchTtl(scope, wv.timestamp);
    this.current = scope;
    this.currentId = id;
    this.inputTs = wv.timestamp;
    const ctx = this.pctx;
    ctx.setElement(wv);
    ctx.key = kv.key;
    ctx.scope = scope;
    ctx.windows = wv.windows.length === 1 ? wv.windows : [window];
    ctx.clear();
    if (!this.bundleOpen) this.openBundle();
    let result: unknown;
    try {
      if (this.metricsScope.knownSync) {
        // The common case, without a closure per element: a synchronous DoFn.
        const prev = swapMetricsContainer(this.cfg.metrics);
        try {
          result = this.fn.process(kv, ctx as never);
        } finally {
          swapMetricsContainer(prev);
        }
      } else result = this.call(() => this.fn.process(kv, ctx as never));
    } catch (e) {
      throw this.wrap(e, 'process');
    }
    return deliverResult(result, ctx, (e, phase) => this.wrap(e, phase), 'process', (w) => this.track(w));
  }

  /** Holds further input until `work` is done: one element or timer at a time. */
  private track(work: Promise<void>): Promise<void> {
    const p = work.then(
      () => {
        this.inFlight = undefined;
      },
      (e) => {
        this.inFlight = undefined;
        this.failure ??= e;
        throw e;
      },
    );
    this.inFlight = p;
    return p;
  }

  private newScope(gk: GroupingKey, key: unknown, window: BoundedWindow, elementWindows: readonly BoundedWindow[], global: boolean): number {
    let id = this.freeIds.pop();
    if (id === undefined) {
      id = this.scopes.length;
      // Appending keeps the columns dense (packed arrays).
      for (const col of this.columns) col.push(undefined);
    }
    const scope = new Scope(id, key, elementWindows.length === 1 ? elementWindows : [window], global);
    this.scopes[id] = scope;
    if (global) {
      this.globalIds.set(gk, id);
      return id;
    }
    let byWindow = this.windowIds.get(window.id);
    if (!byWindow) this.windowIds.set(window.id, (byWindow = new Map()));
    byWindow.set(gk, id);
    const at = this.expiryTime(window);
    const expiry = new TimerEntry(INTERNAL_SEQ_BASE + ++this.seq, EntryKind.Expiry, scope, at, window.maxTimestamp());
    scope.expiry = expiry;
    this.internalTimers.push(expiry);
    // onWindowExpiration outputs at the window's max timestamp: hold the watermark there.
    if (this.cfg.onWindowExpiration) this.holds.push(expiry);
    return id;
  }

  /** The time-to-live counts from the latest element of the key; the queue entry moves lazily. */
  private touchTtl(scope: Scope, timestamp: number): void {
    const due = timestamp + this.ttl!;
    const ttl = scope.ttl;
    if (ttl === undefined) {
      const entry = new TimerEntry(INTERNAL_SEQ_BASE + ++this.seq, EntryKind.Ttl, scope, due, Instant.MAX);
      entry.due = due;
      scope.ttl = entry;
      this.internalTimers.push(entry);
    } else if (due > ttl.due) ttl.due = due;
  }

  private expiryTime(window: BoundedWindow): number {
    const max = window.maxTimestamp();
    return max >= GLOBAL_WINDOW_MAX ? GLOBAL_WINDOW_MAX : max + this.cfg.allowedLateness;
  }

  // --- timers -----------------------------------------------------------------------------

  onWatermark(watermark: Instant): Delivery {
    this.inputWatermark = watermark;
    if (watermark >= Instant.MAX) return this.endOfInput();
    if (this.eventTopTime() < watermark) return this.serially(() => this.fireEventTimers());
  }

  onProcessingTime(now: Instant): Delivery {
    this.now = now;
    if (this.processingTimers.topTime() <= now) return this.serially(() => this.fireProcessingTimers());
  }

  nextProcessingTimeTimer(): Instant | undefined {
    const t = this.processingTimers.topTime();
    return t === Infinity ? undefined : (t as Instant);
  }

  hold(): Instant {
    const top = Math.min(this.holds.topTime(), this.eventTimers.topTime());
    let h = top === Infinity ? Instant.MAX : top;
    // onWindowExpiration of the global window outputs at its max timestamp, at the end.
    if (this.cfg.onWindowExpiration && this.globalIds.size && GLOBAL_WINDOW_MAX < h) h = GLOBAL_WINDOW_MAX;
    return h as Instant;
  }

  finishBundle(): Delivery {
    // Timers set behind the watermark (or the clock) during the bundle fire now, in time order.
    if (this.eventTopTime() < this.inputWatermark || this.processingTimers.topTime() <= this.now) {
      return this.serially(async () => {
        await this.fireEventTimers();
        await this.fireProcessingTimers();
        await this.userFinishBundle();
      });
    }
    return this.userFinishBundle();
  }

  async drain(): Promise<void> {
    while (this.inFlight) await this.inFlight.catch(() => undefined);
    if (this.failure) throw this.failure;
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const run = this.inFlight ? this.inFlight.then(work) : work();
    return this.track(run);
  }

  /** The earliest event-time timer, user or internal. */
  private eventTopTime(): number {
    return Math.min(this.eventTimers.topTime(), this.internalTimers.topTime());
  }

  private async fireEventTimers(): Promise<void> {
    const wm = this.inputWatermark;
    const user = this.eventTimers;
    const internal = this.internalTimers;
    for (;;) {
      // The earlier top of the two queues, by (time, seq): one queue's order.
      const u = user.peek();
      const n = internal.peek();
      const q = n === undefined || (u !== undefined && (u.time < n.time || (u.time === n.time && u.seq < n.seq))) ? user : internal;
      const top = q === user ? u : n;
      if (top === undefined || !(top.time < wm)) break;
      q.pop();
      if (top.kind === EntryKind.Ttl && top.due >= wm) {
        top.time = top.due; // moved later since it was queued
        q.push(top);
        continue;
      }
      const d = this.fire(top);
      if (d) await d;
    }
  }

  private async fireProcessingTimers(): Promise<void> {
    const q = this.processingTimers;
    for (let top = q.peek(); top !== undefined && top.time <= this.now; top = q.peek()) {
      q.pop();
      const d = this.fire(top);
      if (d) await d;
    }
  }

  /** The input is over: processing time ends too (pending processing-time timers fire once, in
   *  order; the ones they set are dropped), then every window expires. */
  private endOfInput(): Promise<void> {
    return this.serially(async () => {
      await this.fireEventTimers();
      const pending = [...this.processingTimers.entries()].sort((a, b) => a.time - b.time || a.seq - b.seq);
      // (An entry set again by an earlier callback has a new sequence number: it is a timer
      // set now, dropped below like the others.)
      const seqs = pending.map((e) => e.seq);
      for (let i = 0; i < pending.length; i++) {
        const e = pending[i]!;
        if (!this.processingTimers.has(e) || e.seq !== seqs[i]) continue;
        this.processingTimers.remove(e);
        const d = this.fire(e);
        if (d) await d;
      }
      for (const e of [...this.processingTimers.entries()]) this.forget(e);
      await this.fireEventTimers();
      if (!this.fn.onWindowExpiration) {
        // Nothing to call back: the global window's state goes all at once.
        for (const id of this.globalIds.values()) {
          const scope = this.scopes[id]!;
          scope.dropped = true;
          for (const e of scope.timerEntries()) this.unschedule(e);
          if (scope.ttl) this.internalTimers.remove(scope.ttl);
          this.scopes[id] = undefined;
          for (const col of this.columns) col[id] = undefined;
          this.freeIds.push(id);
        }
        this.globalIds.clear();
        return;
      }
      for (const id of [...this.globalIds.values()]) {
        const d = this.expire(this.scopes[id]!);
        if (d) await d;
      }
    });
  }

  private fire(entry: TimerEntry): Delivery {
    const scope = entry.scope;
    switch (entry.kind) {
      case EntryKind.User: {
        scope.deleteTimer(entry.family, entry.tag);
        this.holds.remove(entry);
        if (scope.dropped) return;
        this.current = scope;
        this.currentId = scope.id;
        this.inputTs = entry.outputTs;
        const ctx = this.tctx;
        ctx.scope = scope;
        ctx.timestamp = entry.outputTs as Instant;
        ctx.timeDomain = entry.domain;
        ctx.clear();
        const fired: FiredTimer<Record<string, never>> = {
          timer: entry.family as never,
          tag: entry.tag,
          domain: entry.domain,
          fireTimestamp: entry.time as Instant,
          outputTimestamp: entry.outputTs as Instant,
        };
        if (!this.bundleOpen) this.openBundle();
        return this.callback(ctx, 'onTimer', () => this.fn.onTimer!(fired as never, ctx as never));
      }
      case EntryKind.Expiry:
        return this.expire(scope);
      case EntryKind.Ttl:
        scope.ttl = undefined;
        for (const col of this.columns) col[scope.id] = undefined;
        if (!scope.hasTimers()) this.drop(scope);
        return;
    }
  }

  private expire(scope: Scope): Delivery {
    if (!this.fn.onWindowExpiration) {
      this.drop(scope);
      return;
    }
    this.current = scope;
    this.currentId = scope.id;
    const ctx = this.ectx;
    ctx.scope = scope;
    ctx.timestamp = scope.window.maxTimestamp();
    this.inputTs = ctx.timestamp;
    ctx.clear();
    if (!this.bundleOpen) this.openBundle();
    const d = this.callback(ctx, 'onWindowExpiration', () => this.fn.onWindowExpiration!(ctx as never));
    if (d) return d.then(() => this.drop(scope));
    this.drop(scope);
  }

  /** Runs onTimer / onWindowExpiration; a Promise only if it is async or downstream waits. */
  private callback(ctx: TimerCtx, phase: string, f: () => unknown): Delivery {
    let r: unknown;
    try {
      r = withAsyncMetricsContainer(this.cfg.metrics, f);
    } catch (e) {
      throw this.wrap(e, phase);
    }
    if (isThenable(r)) return finishAsync(ctx, r, (e, p) => this.wrap(e, p), phase);
    return ctx.settle();
  }

  /** The scope's state and timers are gone for good (its window expired, or its TTL ran out). */
  private drop(scope: Scope): void {
    if (scope.dropped) return;
    scope.dropped = true;
    for (const e of scope.timerEntries()) this.unschedule(e);
    scope.clearTimers();
    if (scope.expiry) {
      this.internalTimers.remove(scope.expiry);
      this.holds.remove(scope.expiry);
    }
    if (scope.ttl) this.internalTimers.remove(scope.ttl);
    // (The grouping key again rather than kept per scope: it is the key itself but for keys
    // that are encoded.)
    const gk = this.keyOf(scope.key);
    if (scope.global) this.globalIds.delete(gk);
    else {
      const byWindow = this.windowIds.get(scope.window.id);
      byWindow?.delete(gk);
      if (byWindow?.size === 0) this.windowIds.delete(scope.window.id);
    }
    this.scopes[scope.id] = undefined;
    for (const col of this.columns) col[scope.id] = undefined;
    this.freeIds.push(scope.id);
  }

  private unschedule(e: TimerEntry): void {
    (e.domain === 'EVENT_TIME' ? this.eventTimers : this.processingTimers).remove(e);
    this.holds.remove(e);
  }

  private forget(e: TimerEntry): void {
    this.unschedule(e);
    e.scope.deleteTimer(e.family, e.tag);
  }

  // --- checkpoints ------------------------------------------------------------------------

  /** Between bundles: every scope's key, window, state and timers, as bytes. Scopes go in the
   *  order of the maps they are found by (the global window's expire in that order). */
  snapshot(): unknown {
    if (this.inFlight || this.bundleOpen) return NOT_NOW;
    if (this.failure) throw this.failure;
    const scopes: Scope[] = [];
    for (const id of this.globalIds.values()) scopes.push(this.scopes[id]!);
    for (const byKey of this.windowIds.values()) for (const id of byKey.values()) scopes.push(this.scopes[id]!);
    return writeStatefulSnapshot({ inputWatermark: this.inputWatermark, now: this.now, seq: this.seq }, scopes, this.columns, this.codec());
  }

  /** Puts back what `snapshot` saved, before any element. */
  restore(state: unknown): void {
    if (this.scopes.length > 0) throw CheckpointRestoreError.notEmpty(this.name);
    const { clock, scopes } = readStatefulSnapshot(state, this.codec());
    this.inputWatermark = clock.inputWatermark;
    this.now = clock.now;
    this.seq = clock.seq;
    for (const r of scopes) this.revive(r);
  }

  private revive(r: ScopeRecord): void {
    const id = this.scopes.length;
    const gk = this.keyOf(r.key);
    const scope = new Scope(id, r.key, [r.window], r.global);
    this.scopes.push(scope);
    for (let i = 0; i < this.columns.length; i++) this.columns[i]!.push(r.cells[i]);
    if (r.global) this.globalIds.set(gk, id);
    else {
      let byWindow = this.windowIds.get(r.window.id);
      if (!byWindow) this.windowIds.set(r.window.id, (byWindow = new Map()));
      byWindow.set(gk, id);
    }
    for (const e of r.entries) {
      const entry = new TimerEntry(e.seq, e.kind, scope, e.time, e.outputTs, e.family, e.tag, e.domain);
      entry.due = e.due;
      if (e.kind === EntryKind.User) scope.putTimer(entry);
      else if (e.kind === EntryKind.Expiry) scope.expiry = entry;
      else scope.ttl = entry;
      if (e.queued) (e.kind !== EntryKind.User ? this.internalTimers : e.domain === 'EVENT_TIME' ? this.eventTimers : this.processingTimers).push(entry);
      if (e.held && (!e.queued || entry.holdsApart())) this.holds.push(entry);
    }
  }

  private codec(): StatefulCodec {
    const { keyCoder, windowCoder, states } = this.cfg;
    if (!keyCoder || !windowCoder || states.some((s) => !s.codec)) throw new CheckpointError(`"${this.name}" was built without coders for its state: it cannot be checkpointed`);
    return { owner: this.name, key: keyCoder, window: windowCoder, cells: states.map((s) => s.codec!) };
  }

  // --- bundles, lifecycle -----------------------------------------------------------------

  private openBundle(): void {
    this.bundleOpen = true;
    if (this.fn.startBundle) {
      const r = this.call(() => this.fn.startBundle!());
      if (isThenable(r)) throw this.wrap(new Error('startBundle of a stateful DoFn must be synchronous'), 'startBundle');
    }
  }

  private userFinishBundle(): Delivery {
    if (!this.bundleOpen) return;
    this.bundleOpen = false;
    if (!this.fn.finishBundle) return;
    return callFinishBundle(this.name, this, this.metricsScope, (ctx) => this.fn.finishBundle!(ctx));
  }

  setup(): Promise<void> {
    return runLifecycle(this.name, 'setup', this.cfg.metrics, this.fn.setup && (() => this.fn.setup!()));
  }

  teardown(): Promise<void> {
    return runLifecycle(this.name, 'teardown', this.cfg.metrics, this.fn.teardown && (() => this.fn.teardown!()));
  }

  /** Keys (per window) holding state or timers. */
  bufferedElements(): number {
    let n = this.globalIds.size;
    for (const m of this.windowIds.values()) n += m.size;
    return n;
  }

  private call<R>(f: () => R): R {
    return this.metricsScope.call(f);
  }

  private wrap(e: unknown, phase: string): unknown {
    return userCodeError(this.name, phase, e);
  }
}
