/**
 * A stateful ParDo under a portable runner. The runner owns the state and the timers: the harness
 * reads a key's state in a window from the state plane the first time the bundle touches that
 * (key, window), runs user code on it with the same state accessors, contexts and timer rules as
 * the direct runner (`exec/state/`), and writes what changed back at the end of the bundle.
 * Timers user code sets travel to the runner on the data plane; the ones that fire come back as
 * timer input of a later bundle.
 *
 * Every state kind is kept on the runner as bag state holding one element, the cell's data as the
 * checkpoint codec writes it (value, bag, combining, map, set and ordered-list state alike): bag
 * state is the one kind every Beam runner serves. onWindowExpiration runs when the runner fires
 * the timer family the payload names for it: Beam's model has the runner notify that family once
 * per key and window when the window expires (Prism does). The harness does not set that timer
 * itself then: the runner's own notification and the harness's timer would both fire, and
 * onWindowExpiration would run again on the window's cleared state (an endless loop on Prism
 * in the global window, where each firing re-set the timer at the end of time). Beam's Flink
 * runner never notifies it; the flink runner submits the family declared but not named
 * (runners/flink/window-expiration.ts), and then the harness sets the timer itself.
 *
 * A state time-to-live (global window) is kept the Beam way, on what the runner serves: the
 * payload declares an event-time timer family and a value state for it (sdk/state/urns.ts); each
 * element moves the key's TTL timer to its timestamp + TTL if that is later (the due time kept in
 * the state), and the timer's firing clears the key's state. That clear happens at the TTL's event
 * time, not where its timer arrives in the bundle: a runner fires the timers of one watermark step
 * in one bundle and may send each family's timers as one chunk (Beam's Flink runner sends the TTL
 * family's chunk before the user family's), and elements and timers travel on separate streams.
 * So a TTL due at T is held back until a timer or an element of the key later than T, or the end
 * of the bundle, as the direct runner orders them (user timers at T fire before the TTL at T; an
 * element at or before T arrived before the watermark passed T, and moves the TTL).
 *
 * For the same reason the event-time timers a bundle brings fire at the end of its input, in
 * time order across families (ties in arrival order), not chunk by chunk.
 */
import type { fnExecution as fn } from '../../../portability-proto/index.js';
import { ByteReader, ByteWriter, Coders, type Coder } from '../../../sdk/coders/index.js';
import type { Timer } from '../../../sdk/coders/timer.js';
import type { MetricsContainer } from '../../../sdk/metrics/container.js';
import type { TimeDomain } from '../../../sdk/state/index.js';
import { STATE_TTL_DUE_STATE, STATE_TTL_FAMILY } from '../../../sdk/state/urns.js';
import { Instant } from '../../../sdk/time/instant.js';
import type { KV } from '../../../sdk/values/kv.js';
import { NO_FIRING } from '../../../sdk/values/pane.js';
import type { WindowedValue } from '../../../sdk/values/windowed-value.js';
import { GLOBAL_WINDOW_MAX, type BoundedWindow } from '../../../sdk/window/bounded-window.js';
import { callFinishBundle, runLifecycle, userCodeError } from '../../exec/lifecycle.js';
import { MetricsScope } from '../../exec/metrics-scope.js';
import { readSideInput, type SideInputAccess } from '../../exec/side-input-views.js';
import { OutputRouter } from '../../exec/output-router.js';
import { deliverResult, finishAsync } from '../../exec/process-result.js';
import type { SlotHost } from '../../exec/state/cells.js';
import { ProcessCtx, TimerCtx, type ContextHost } from '../../exec/state/contexts.js';
import type { StatefulDecl } from '../../exec/state/from-payload.js';
import { Scope } from '../../exec/state/scope.js';
import { ReusedTimerSetting } from '../../exec/state/timer-rules.js';
import { timersView, type ViewHost } from '../../exec/state/timers-view.js';
import { isThenable, type Delivery, type Receiver } from '../../exec/unit.js';
import type { BundleContext, HarnessUnit } from './context.js';
import { bagUserStateKey, encoded, readUserState, sameBytes, writeUserState } from './user-state.js';
import { TimerError } from '../../exec/errors.js';
import { UnsupportedByHarnessError } from '../errors.js';

const VARINT = Coders.varint() as Coder<number>;

interface Loaded {
  readonly scope: Scope;
  readonly keyBytes: Uint8Array;
  readonly windowBytes: Uint8Array;
  /** Per declared state: the bytes read from the runner (empty: no state). */
  readonly read: Uint8Array[];
  /** State time-to-live (global window only): when the key's state goes, as read and as now. */
  readonly ttlRead: Uint8Array;
  ttlDue: number | undefined;
  /** A TTL timer fired in this bundle at this time, its clear not applied yet. */
  expiryAt: number | undefined;
  /** The window-expiry timer was set in this bundle (when the runner does not notify it). */
  expirySet?: boolean;
}

export interface RemoteStatefulConfig {
  readonly name: string;
  readonly transformId: string;
  readonly decl: StatefulDecl;
  readonly main: Receiver;
  readonly tagged: ReadonlyMap<string, Receiver>;
  readonly metrics: MetricsContainer;
  /** Timer family id → the coder its timers travel with on the data plane. */
  readonly timerCoders: ReadonlyMap<string, Coder<unknown>>;
  /** Its side inputs, fetched for each element's windows by a SideInputPrefetch in front. */
  readonly sideInputs?: ReadonlyMap<string, SideInputAccess>;
}

export class RemoteStatefulParDo implements HarnessUnit, ContextHost, ViewHost, SlotHost {
  readonly name: string;
  readonly main: Receiver;
  readonly stateView: object;
  readonly timersView: object;
  currentId = 0;
  private readonly outputs: OutputRouter;
  private readonly scopeMetrics: MetricsScope;
  private readonly columns: unknown[][];
  private readonly pctx: ProcessCtx;
  private readonly tctx: TimerCtx;
  private readonly ectx: TimerCtx;
  private bundle!: BundleContext;
  /** (key, window) loaded in this bundle, by their encodings. */
  private scopes = new Map<string, Loaded>();
  private loadedList: Loaded[] = [];
  private current: Loaded | undefined;
  private inputTs = 0;
  /** Timers set in this bundle, per family, encoded. */
  private readonly timerOut = new Map<string, ByteWriter>();
  /** Checks each timer set (`setTimer`) without an object per set. */
  private readonly setting = new ReusedTimerSetting();
  private bundleOpen = false;
  /** Event-time timers of this bundle, fired at the end of its input in time order. */
  private firedEventTimers: { readonly family: string; readonly timer: Timer<unknown> }[] = [];

  constructor(private readonly cfg: RemoteStatefulConfig) {
    this.name = cfg.name;
    this.main = cfg.main;
    this.outputs = new OutputRouter(cfg.main, cfg.tagged, cfg.decl.fn.allowedTimestampSkew ?? 0);
    this.scopeMetrics = new MetricsScope(cfg.metrics);
    this.columns = cfg.decl.states.map(() => []);
    this.stateView = Object.freeze(Object.fromEntries(cfg.decl.states.map((s, i) => [s.name, s.create(this, this.columns[i]!)])));
    this.timersView = timersView(this, cfg.decl.timers);
    this.pctx = new ProcessCtx(this);
    this.tctx = new TimerCtx(this, true);
    this.ectx = new TimerCtx(this, false);
    if (cfg.decl.stateTtl !== undefined && !cfg.timerCoders.has(STATE_TTL_FAMILY)) {
      throw new UnsupportedByHarnessError(`stateful ParDo "${cfg.name}" sets a state time-to-live, but its payload declares no "${STATE_TTL_FAMILY}" timer family (a proto from an older Tributary?): rebuild the pipeline's proto`);
    }
  }

  // --- ContextHost / ViewHost

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
    // Processing time is the worker's clock: the runner compares it with its own.
    return domain === 'EVENT_TIME' ? this.inputTs : Date.now();
  }

  setTimer(family: string, tag: string, domain: TimeDomain, time: number, explicitOutput: number | undefined): void {
    const scope = this.current!.scope;
    const outputTs = this.setting.check(family, tag, domain, time, explicitOutput, scope.window, this.expiry(scope.window), this.inputTs, this.outputs.skew);
    this.writeTimer(family, { userKey: scope.key, dynamicTimerTag: tag, windows: scope.windows, clearBit: false, fireTimestamp: time as Instant, holdTimestamp: outputTs as Instant, pane: NO_FIRING });
  }

  clearTimer(family: string, tag: string): void {
    const scope = this.current!.scope;
    this.writeTimer(family, { userKey: scope.key, dynamicTimerTag: tag, windows: scope.windows, clearBit: true });
  }

  // --- bundle

  setup(): Promise<void> {
    const fn = this.cfg.decl.fn;
    return runLifecycle(this.name, 'setup', this.cfg.metrics, fn.setup && (() => fn.setup!()));
  }

  teardown(): Promise<void> {
    const fn = this.cfg.decl.fn;
    return runLifecycle(this.name, 'teardown', this.cfg.metrics, fn.teardown && (() => fn.teardown!()));
  }

  start(bundle: BundleContext): void {
    this.bundle = bundle;
    this.scopes = new Map();
    this.loadedList = [];
    this.timerOut.clear();
    for (const col of this.columns) col.length = 0;
    this.bundleOpen = false;
    this.firedEventTimers = [];
  }

  receive(wv: WindowedValue<unknown>): Delivery {
    const windows = wv.windows;
    if (windows.length === 1) return this.processIn(wv, windows[0]!);
    return (async () => {
      for (const w of windows) {
        const d = this.processIn(wv, w);
        if (d) await d;
      }
    })();
  }

  private processIn(wv: WindowedValue<unknown>, window: BoundedWindow): Delivery {
    const kv = wv.value as KV<unknown, unknown>;
    const loaded = this.scopeFor(kv.key, window);
    if (isThenable(loaded)) return loaded.then((l) => this.runProcess(wv, kv, window, l));
    return this.runProcess(wv, kv, window, loaded);
  }

  private runProcess(wv: WindowedValue<unknown>, kv: KV<unknown, unknown>, window: BoundedWindow, loaded: Loaded): Delivery {
    if (loaded.expiryAt !== undefined && wv.timestamp > loaded.expiryAt) this.applyExpiry(loaded);
    this.enter(loaded, wv.timestamp);
    if (this.cfg.decl.stateTtl !== undefined && loaded.scope.global) this.touchTtl(loaded, wv.timestamp);
    if (!this.cfg.decl.expiryNotified && this.cfg.decl.expiryFamily !== '' && !loaded.expirySet) this.setExpiryTimer(loaded);
    const ctx = this.pctx;
    ctx.setElement(wv);
    ctx.key = kv.key;
    ctx.scope = loaded.scope;
    ctx.windows = wv.windows.length === 1 ? wv.windows : [window];
    ctx.clear();
    this.openBundle();
    let result: unknown;
    try {
      result = this.scopeMetrics.call(() => this.cfg.decl.fn.process(kv, ctx as never));
    } catch (e) {
      throw userCodeError(this.name, 'process', e);
    }
    return deliverResult(result, ctx, (e, p) => userCodeError(this.name, p, e), 'process', (w) => w);
  }

  /**
   * Timers the runner fired for this transform (one family per chunk). Event-time timers wait for
   * the end of the bundle's input and then fire in time order across families, as on the direct
   * runner: a runner sends each family's timers as one chunk (Beam's Flink runner, a watermark
   * step's timers in one bundle), so a later family's earlier timer would otherwise run after an
   * earlier family's later one. Processing-time timers fire as they arrive.
   */
  async acceptTimers(family: string, bytes: Uint8Array): Promise<void> {
    const coder = this.cfg.timerCoders.get(family);
    if (!coder) throw new TimerError(family, `stateful ParDo "${this.name}" got timers of family "${family}", which its payload does not declare`);
    const eventTime = family === this.cfg.decl.expiryFamily || this.cfg.decl.timers.find((x) => x.name === family)?.domain !== 'PROCESSING_TIME';
    const reader = new ByteReader(bytes);
    while (!reader.atEnd()) {
      const t = coder.decode(reader, true) as Timer<unknown>;
      if (t.clearBit) continue;
      if (family === STATE_TTL_FAMILY) {
        await this.expireTtl(t);
        continue;
      }
      if (eventTime) {
        this.firedEventTimers.push({ family, timer: t });
        continue;
      }
      await this.fireTimer(family, t);
    }
  }

  /** The bundle's event-time timers, in (fire time, arrival) order. */
  private async fireEventTimers(): Promise<void> {
    const fired = this.firedEventTimers;
    if (fired.length === 0) return;
    this.firedEventTimers = [];
    // Array.prototype.sort is stable: ties keep their arrival order.
    fired.sort((a, b) => (a.timer.fireTimestamp as number) - (b.timer.fireTimestamp as number));
    for (const { family, timer } of fired) await this.fireTimer(family, timer);
  }

  private async fireTimer(family: string, t: Timer<unknown>): Promise<void> {
    for (const window of t.windows) {
      let loaded = this.scopeFor(t.userKey, window);
      if (isThenable(loaded)) loaded = await loaded;
      const d = this.fire(family, t, loaded);
      if (d) await d;
    }
  }

  private fire(family: string, t: Timer<unknown>, loaded: Loaded): Delivery {
    const fireTs = t.fireTimestamp!;
    if (loaded.expiryAt !== undefined && fireTs > loaded.expiryAt) this.applyExpiry(loaded);
    this.openBundle();
    if (family === this.cfg.decl.expiryFamily) {
      const ctx = this.ectx;
      ctx.scope = loaded.scope;
      ctx.timestamp = loaded.scope.window.maxTimestamp();
      this.enter(loaded, ctx.timestamp);
      ctx.clear();
      const d = this.callback(ctx, 'onWindowExpiration', () => this.cfg.decl.fn.onWindowExpiration!(ctx as never));
      // The window is gone: its state with it.
      const clear = () => {
        for (const col of this.columns) col[loaded.scope.id] = undefined;
      };
      if (d) return d.then(clear);
      clear();
      return;
    }
    const decl = this.cfg.decl.timers.find((x) => x.name === family);
    const ctx = this.tctx;
    ctx.scope = loaded.scope;
    ctx.timestamp = (t.holdTimestamp ?? fireTs) as Instant;
    ctx.timeDomain = decl?.domain ?? 'EVENT_TIME';
    this.enter(loaded, ctx.timestamp);
    ctx.clear();
    const fired = { timer: family as never, tag: t.dynamicTimerTag, domain: ctx.timeDomain, fireTimestamp: fireTs, outputTimestamp: ctx.timestamp };
    return this.callback(ctx, 'onTimer', () => this.cfg.decl.fn.onTimer!(fired as never, ctx as never));
  }

  /** The time-to-live counts from the key's latest element: the timer moves only later. */
  private touchTtl(loaded: Loaded, timestamp: number): void {
    const due = timestamp + this.cfg.decl.stateTtl!;
    if (loaded.ttlDue !== undefined && due <= loaded.ttlDue) return;
    loaded.ttlDue = due;
    const scope = loaded.scope;
    // No output timestamp: clearing state outputs nothing, so the timer holds no watermark.
    this.writeTimer(STATE_TTL_FAMILY, { userKey: scope.key, dynamicTimerTag: '', windows: scope.windows, clearBit: false, fireTimestamp: due as Instant, holdTimestamp: Instant.MAX, pane: NO_FIRING });
  }

  /** A runner that does not notify window expiry (Beam's Flink runner) gets the timer from here,
   *  once per (key, window) and bundle: at the window's expiry, holding the output at the
   *  window's end, where onWindowExpiration outputs. Setting it again leaves one timer. */
  private setExpiryTimer(loaded: Loaded): void {
    loaded.expirySet = true;
    const scope = loaded.scope;
    const fire = this.expiry(scope.window);
    const end = scope.window.maxTimestamp() as number;
    this.writeTimer(this.cfg.decl.expiryFamily, { userKey: scope.key, dynamicTimerTag: '', windows: scope.windows, clearBit: false, fireTimestamp: fire as Instant, holdTimestamp: Math.min(end, fire) as Instant, pane: NO_FIRING });
  }

  /** The key's TTL timer fired: its state goes at that time (see the file comment for when). */
  private async expireTtl(t: Timer<unknown>): Promise<void> {
    for (const window of t.windows) {
      let loaded = this.scopeFor(t.userKey, window);
      if (isThenable(loaded)) loaded = await loaded;
      loaded.expiryAt = Math.max(loaded.expiryAt ?? -Infinity, t.fireTimestamp!);
    }
  }

  /** The key was idle for the TTL: its state goes (its timers stay, as on the direct runner). */
  private applyExpiry(loaded: Loaded): void {
    const at = loaded.expiryAt;
    if (at === undefined) return;
    loaded.expiryAt = undefined;
    // A later element moved the TTL after this timer was set: the moved timer decides.
    if (loaded.ttlDue !== undefined && loaded.ttlDue > at) return;
    for (const col of this.columns) col[loaded.scope.id] = undefined;
    loaded.ttlDue = undefined;
  }

  private callback(ctx: TimerCtx, phase: string, f: () => unknown): Delivery {
    let r: unknown;
    try {
      r = this.scopeMetrics.call(f);
    } catch (e) {
      throw userCodeError(this.name, phase, e);
    }
    if (isThenable(r)) return finishAsync(ctx, r, (e, p) => userCodeError(this.name, p, e), phase);
    return ctx.settle();
  }

  /** The event-time timers, finishBundle, then state written back and timers sent (each
   *  family's stream closed). */
  async finishBundle(): Promise<void> {
    await this.fireEventTimers();
    if (this.bundleOpen) {
      this.bundleOpen = false;
      const fn = this.cfg.decl.fn;
      if (fn.finishBundle) {
        const d = callFinishBundle(this.name, this, this.scopeMetrics, (ctx) => fn.finishBundle!(ctx));
        if (d) await d;
      }
    }
    for (const loaded of this.loadedList) this.applyExpiry(loaded);
    await this.writeBack();
    for (const family of this.cfg.timerCoders.keys()) {
      const out = this.timerOut.get(family);
      const d = this.bundle.data.send(this.bundle.instructionId, this.cfg.transformId, out ? out.finish() : new Uint8Array(), true, family);
      if (d) await d;
    }
  }

  // --- state

  private scopeFor(key: unknown, window: BoundedWindow): Loaded | Promise<Loaded> {
    const keyBytes = encoded(this.cfg.decl.keyCoder, key, true);
    const windowBytes = encoded(this.cfg.decl.windowCoder as Coder<unknown>, window, false);
    const id = latin1(keyBytes) + '\u0000' + latin1(windowBytes);
    const have = this.scopes.get(id);
    if (have) return have;
    return this.load(id, key, keyBytes, window, windowBytes);
  }

  private async load(id: string, key: unknown, keyBytes: Uint8Array, window: BoundedWindow, windowBytes: Uint8Array): Promise<Loaded> {
    const states = this.cfg.decl.states;
    const ttl = this.cfg.decl.stateTtl !== undefined && window.maxTimestamp() >= GLOBAL_WINDOW_MAX;
    const [ttlRead, ...read] = await Promise.all([
      ttl ? this.readState(STATE_TTL_DUE_STATE, keyBytes, windowBytes) : new Uint8Array(),
      ...states.map((s) => this.readState(s.name, keyBytes, windowBytes)),
    ]);
    // Another element of the same (key, window) may have loaded it meanwhile.
    const again = this.scopes.get(id);
    if (again) return again;
    const sid = this.loadedList.length;
    const scope = new Scope(sid, key, [window], window.maxTimestamp() >= GLOBAL_WINDOW_MAX);
    const loaded: Loaded = { scope, keyBytes, windowBytes, read, ttlRead: ttlRead!, ttlDue: ttlRead!.length ? VARINT.decode(new ByteReader(ttlRead!), false) : undefined, expiryAt: undefined };
    states.forEach((s, i) => {
      const bytes = read[i]!;
      this.columns[i]![sid] = bytes.length === 0 ? undefined : s.codec!.read(new ByteReader(bytes));
    });
    this.scopes.set(id, loaded);
    this.loadedList.push(loaded);
    return loaded;
  }

  private readState(stateId: string, key: Uint8Array, window: Uint8Array): Promise<Uint8Array> {
    return readUserState(this.bundle, `stateful ParDo "${this.name}"`, this.stateKey(stateId, key, window));
  }

  private async writeBack(): Promise<void> {
    const state = this.bundle.state;
    if (!state) return;
    const states = this.cfg.decl.states;
    const writes: Promise<void>[] = [];
    const write = (loaded: Loaded, stateId: string, bytes: Uint8Array, read: Uint8Array) => {
      if (!sameBytes(bytes, read)) writes.push(writeUserState(this.bundle, this.stateKey(stateId, loaded.keyBytes, loaded.windowBytes), bytes));
    };
    for (const loaded of this.loadedList) {
      states.forEach((s, i) => {
        const data = this.columns[i]![loaded.scope.id];
        write(loaded, s.name, data === undefined ? new Uint8Array() : encodeCell(s.codec!, data), loaded.read[i]!);
      });
      if (this.cfg.decl.stateTtl !== undefined && loaded.scope.global) {
        write(loaded, STATE_TTL_DUE_STATE, loaded.ttlDue === undefined ? new Uint8Array() : encoded(VARINT, loaded.ttlDue, false), loaded.ttlRead);
      }
    }
    await Promise.all(writes);
  }

  private stateKey(stateId: string, key: Uint8Array, window: Uint8Array): fn.IStateKey {
    return bagUserStateKey(this.cfg.transformId, stateId, key, window);
  }

  // --- helpers

  private enter(loaded: Loaded, inputTs: number): void {
    this.current = loaded;
    this.currentId = loaded.scope.id;
    this.inputTs = inputTs;
  }

  private openBundle(): void {
    if (this.bundleOpen) return;
    this.bundleOpen = true;
    const fn = this.cfg.decl.fn;
    if (fn.startBundle) {
      const r = this.scopeMetrics.call(() => fn.startBundle!());
      if (isThenable(r)) throw userCodeError(this.name, 'startBundle', new Error('startBundle of a stateful DoFn must be synchronous'));
    }
  }

  private expiry(window: BoundedWindow): number {
    const max = window.maxTimestamp();
    return max >= GLOBAL_WINDOW_MAX ? GLOBAL_WINDOW_MAX : max + this.cfg.decl.allowedLateness;
  }

  private writeTimer(family: string, t: Timer<unknown>): void {
    const coder = this.cfg.timerCoders.get(family);
    if (!coder) throw new TimerError(family, `timer family "${family}" of "${this.name}" has no timer coder in the bundle descriptor`);
    let out = this.timerOut.get(family);
    if (!out) this.timerOut.set(family, (out = new ByteWriter()));
    coder.encode(t, out, true);
  }
}


function encodeCell(codec: { write(d: unknown, out: ByteWriter): void }, data: unknown): Uint8Array {
  const out = new ByteWriter();
  codec.write(data, out);
  return out.finish();
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}
