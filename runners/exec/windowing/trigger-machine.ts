/**
 * A trigger tree compiled into a flat program, and the per-window state it runs on. The rules
 * are Beam's trigger state machines: `onElement` (unfinished nodes only), `shouldFire`,
 * `onFire`, `clear`, `onMerge`; a finished root closes the window.
 *
 * Beam triggers set timers; here a node instead reports the next event time / processing time
 * at which it might become ready (`nextEventTime`, `nextProcessingTime`) and the reducer keeps
 * one timer per window at the earliest of them. An extra wake-up is harmless (the reducer
 * re-checks `shouldFire`); a missing one would not be, so the reports over-approximate.
 */
import type { Trigger } from '../../../sdk/trigger/trigger.js';
import { AfterCountTrigger } from '../../../sdk/trigger/after-count.js';
import { AfterElementMatchesTrigger, type ElementPredicate } from '../../../sdk/trigger/after-element-matches.js';
import { AfterProcessingTimeTrigger } from '../../../sdk/trigger/after-processing-time.js';
import { AfterWatermarkTrigger } from '../../../sdk/trigger/after-watermark.js';
import { RepeatedlyTrigger } from '../../../sdk/trigger/repeatedly.js';
import { AfterEachTrigger } from '../../../sdk/trigger/after-each.js';
import { AfterFirstTrigger } from '../../../sdk/trigger/after-first.js';
import { AfterAllTrigger } from '../../../sdk/trigger/after-all.js';
import { OrFinallyTrigger } from '../../../sdk/trigger/trigger.js';
import { DefaultTrigger } from '../../../sdk/trigger/default.js';
import { NeverTrigger } from '../../../sdk/trigger/never.js';

const enum K {
  Default,
  Never,
  Count,
  ProcTime,
  Watermark, // AfterWatermark without early/late: once
  WatermarkEL, // AfterWatermark with early and/or late firings
  Repeat,
  Each,
  First,
  All,
  OrFinally,
  Matches,
}

interface Node {
  readonly kind: K;
  readonly children: readonly number[];
  /** Count for AfterCount; for WatermarkEL the early child index (−1: none), see `late`. */
  readonly n: number;
  readonly late: number;
  readonly proc?: AfterProcessingTimeTrigger;
  readonly predicate?: ElementPredicate;
}

/** Per-window trigger state: finished bits and one number (and for predicates, a list) per node. */
export class TriggerState {
  constructor(
    readonly fin: Uint8Array,
    readonly val: Float64Array,
    public pending: (number[] | undefined)[],
  ) {}
}

/** What a trigger sees: the input watermark, processing time, the window's max timestamp. */
export interface TriggerContext {
  wm: number;
  now: number;
  maxTs: number;
}

export class TriggerMachine {
  private readonly nodes: Node[] = [];
  readonly usesProcessingTime: boolean;

  constructor(root: Trigger) {
    this.compile(root);
    this.usesProcessingTime = this.nodes.some((n) => n.kind === K.ProcTime);
  }

  private compile(t: Trigger): number {
    const i = this.nodes.length;
    this.nodes.push(undefined as unknown as Node); // reserve (pre-order)
    let node: Node;
    if (t instanceof DefaultTrigger) node = { kind: K.Default, children: [], n: 0, late: -1 };
    else if (t instanceof NeverTrigger) node = { kind: K.Never, children: [], n: 0, late: -1 };
    else if (t instanceof AfterCountTrigger) node = { kind: K.Count, children: [], n: t.count, late: -1 };
    else if (t instanceof AfterProcessingTimeTrigger) node = { kind: K.ProcTime, children: [], n: 0, late: -1, proc: t };
    else if (t instanceof AfterElementMatchesTrigger) {
      node = { kind: K.Matches, children: [], n: 0, late: -1, predicate: t.predicate };
    } else if (t instanceof AfterWatermarkTrigger) {
      if (!t.early && !t.late) node = { kind: K.Watermark, children: [], n: 0, late: -1 };
      else {
        const early = t.early ? this.compile(t.early) : -1;
        const late = t.late ? this.compile(t.late) : -1;
        node = { kind: K.WatermarkEL, children: [early, late].filter((c) => c >= 0), n: early, late };
      }
    } else if (t instanceof RepeatedlyTrigger) {
      node = { kind: K.Repeat, children: [this.compile(t.repeated)], n: 0, late: -1 };
    } else if (t instanceof OrFinallyTrigger) {
      const main = this.compile(t.main);
      const until = this.compile(t.until);
      node = { kind: K.OrFinally, children: [main, until], n: 0, late: -1 };
    } else if (t instanceof AfterEachTrigger || t instanceof AfterFirstTrigger || t instanceof AfterAllTrigger) {
      const children = t.subTriggers.map((c) => this.compile(c));
      const kind = t instanceof AfterEachTrigger ? K.Each : t instanceof AfterFirstTrigger ? K.First : K.All;
      node = { kind, children, n: 0, late: -1 };
    } else {
      throw new TypeError(`the direct runner cannot run trigger ${t}`);
    }
    this.nodes[i] = node;
    return i;
  }

  newState(): TriggerState {
    const n = this.nodes.length;
    const st = new TriggerState(new Uint8Array(n), new Float64Array(n), []);
    this.resetValues(0, st);
    return st;
  }

  isFinished(st: TriggerState): boolean {
    return st.fin[0] === 1;
  }

  // --- onElement -------------------------------------------------------------------------

  onElement(st: TriggerState, c: TriggerContext, value: unknown, ts: number, key: unknown): void {
    this.element(0, st, c, value, ts, key);
  }

  private element(i: number, st: TriggerState, c: TriggerContext, value: unknown, ts: number, key: unknown): void {
    if (st.fin[i]) return;
    const node = this.nodes[i]!;
    switch (node.kind) {
      case K.Count:
        st.val[i]!++;
        return;
      case K.ProcTime:
        if (Number.isNaN(st.val[i])) st.val[i] = node.proc!.targetFor(c.now as never);
        return;
      case K.Matches:
        if (node.predicate!(value, ts as never, key)) (st.pending[i] ??= []).push(ts);
        return;
      case K.WatermarkEL:
        if (!st.val[i]) {
          if (node.n >= 0) this.element(node.n, st, c, value, ts, key);
        } else if (node.late >= 0) this.element(node.late, st, c, value, ts, key);
        return;
      case K.Each: {
        const f = this.firstUnfinished(node, st);
        if (f >= 0) this.element(f, st, c, value, ts, key);
        return;
      }
      case K.Repeat:
      case K.First:
      case K.All:
      case K.OrFinally:
        for (const ch of node.children) this.element(ch, st, c, value, ts, key);
        return;
      default:
        return;
    }
  }

  // --- shouldFire ------------------------------------------------------------------------

  shouldFire(st: TriggerState, c: TriggerContext): boolean {
    return this.should(0, st, c);
  }

  private should(i: number, st: TriggerState, c: TriggerContext): boolean {
    if (st.fin[i]) return false;
    const node = this.nodes[i]!;
    switch (node.kind) {
      case K.Default:
      case K.Watermark:
        return c.wm > c.maxTs;
      case K.Never:
        return false;
      case K.Count:
        return st.val[i]! >= node.n;
      case K.ProcTime:
        return !Number.isNaN(st.val[i]) && c.now >= st.val[i]!;
      case K.Matches: {
        const p = st.pending[i];
        if (p) for (const t of p) if (c.wm > t) return true;
        return false;
      }
      case K.WatermarkEL:
        if (!st.val[i]) return (node.n >= 0 && this.should(node.n, st, c)) || c.wm > c.maxTs;
        return node.late >= 0 && this.should(node.late, st, c);
      case K.Repeat:
        return this.should(node.children[0]!, st, c);
      case K.Each: {
        const f = this.firstUnfinished(node, st);
        return f >= 0 && this.should(f, st, c);
      }
      case K.First:
        for (const ch of node.children) if (this.should(ch, st, c)) return true;
        return false;
      case K.All:
        for (const ch of node.children) if (!st.fin[ch] && !this.should(ch, st, c)) return false;
        return true;
      case K.OrFinally:
        return this.should(node.children[0]!, st, c) || this.should(node.children[1]!, st, c);
    }
  }

  // --- onFire ----------------------------------------------------------------------------

  /** Call only when `shouldFire` is true. */
  onFire(st: TriggerState, c: TriggerContext): void {
    this.fire(0, st, c);
  }

  private fire(i: number, st: TriggerState, c: TriggerContext): void {
    const node = this.nodes[i]!;
    switch (node.kind) {
      case K.Default:
        return;
      case K.Never:
      case K.Count:
      case K.ProcTime:
      case K.Watermark:
        st.fin[i] = 1;
        return;
      case K.Matches: {
        const p = st.pending[i];
        const left = p ? p.filter((t) => !(c.wm > t)) : [];
        st.pending[i] = left.length ? left : undefined;
        if (!left.length) st.fin[i] = 1;
        return;
      }
      case K.WatermarkEL: {
        const early = node.n;
        const late = node.late;
        if (!st.val[i]) {
          if (!(c.wm > c.maxTs)) {
            // An early firing; early firings repeat.
            this.fire(early, st, c);
            this.clear(early, st, c);
          } else {
            if (early >= 0) {
              if (this.should(early, st, c)) this.fire(early, st, c);
              this.clear(early, st, c);
            }
            st.val[i] = 1; // the ON_TIME firing happened: late phase from now on
            if (late < 0) st.fin[i] = 1;
            else this.clear(late, st, c);
          }
        } else if (late >= 0) {
          this.fire(late, st, c);
          this.clear(late, st, c); // late firings repeat
        } else {
          st.fin[i] = 1;
        }
        return;
      }
      case K.Repeat: {
        const ch = node.children[0]!;
        this.fire(ch, st, c);
        if (st.fin[ch]) this.clear(ch, st, c);
        return;
      }
      case K.Each: {
        const f = this.firstUnfinished(node, st);
        if (f >= 0) this.fire(f, st, c);
        if (this.firstUnfinished(node, st) < 0) st.fin[i] = 1;
        return;
      }
      case K.First:
        for (const ch of node.children) if (this.should(ch, st, c)) this.fire(ch, st, c);
        st.fin[i] = 1;
        return;
      case K.All:
        for (const ch of node.children) if (!st.fin[ch]) this.fire(ch, st, c);
        st.fin[i] = 1;
        return;
      case K.OrFinally: {
        const [main, until] = node.children as [number, number];
        if (this.should(until, st, c)) {
          this.fire(until, st, c);
          this.clear(main, st, c);
          st.fin[i] = 1;
        } else {
          this.fire(main, st, c);
          if (st.fin[main]) st.fin[i] = 1;
        }
        return;
      }
    }
  }

  // --- clear -----------------------------------------------------------------------------

  /** Resets the subtree at `i` (finished bits and state). Pending predicate matches whose time
   *  the watermark has not passed survive: they stand for elements already received. */
  private clear(i: number, st: TriggerState, c: TriggerContext): void {
    const node = this.nodes[i]!;
    st.fin[i] = 0;
    switch (node.kind) {
      case K.Count:
      case K.WatermarkEL:
        st.val[i] = 0;
        break;
      case K.ProcTime:
        st.val[i] = NaN;
        break;
      case K.Matches: {
        const p = st.pending[i];
        if (p) {
          const left = p.filter((t) => !(c.wm > t));
          st.pending[i] = left.length ? left : undefined;
        }
        break;
      }
      default:
        break;
    }
    for (const ch of node.children) this.clear(ch, st, c);
  }

  private resetValues(i: number, st: TriggerState): void {
    const node = this.nodes[i]!;
    st.val[i] = node.kind === K.ProcTime ? NaN : 0;
    for (const ch of node.children) this.resetValues(ch, st);
  }

  // --- onMerge ---------------------------------------------------------------------------

  /** The state of a window merged from windows with states `sources` (its own max timestamp in `c`). */
  merge(sources: readonly TriggerState[], c: TriggerContext): TriggerState {
    const st = this.newState();
    this.mergeNode(0, st, sources, c);
    return st;
  }

  private mergeNode(i: number, st: TriggerState, srcs: readonly TriggerState[], c: TriggerContext): void {
    const node = this.nodes[i]!;
    const anyFin = srcs.some((s) => s.fin[i] === 1);
    const allFin = srcs.every((s) => s.fin[i] === 1);
    const mergeChildren = () => {
      for (const ch of node.children) this.mergeNode(ch, st, srcs, c);
    };
    switch (node.kind) {
      case K.Default:
        return;
      case K.Never:
        st.fin[i] = anyFin ? 1 : 0;
        return;
      case K.Count:
        if (anyFin) st.fin[i] = 1;
        else st.val[i] = srcs.reduce((a, s) => a + s.val[i]!, 0);
        return;
      case K.ProcTime: {
        if (anyFin) {
          st.fin[i] = 1;
          return;
        }
        let m = NaN;
        for (const s of srcs) if (!Number.isNaN(s.val[i]) && !(m <= s.val[i]!)) m = s.val[i]!;
        st.val[i] = m;
        return;
      }
      case K.Watermark:
        // Finished only if finished everywhere and the merged window's end has passed.
        st.fin[i] = allFin && c.wm > c.maxTs ? 1 : 0;
        return;
      case K.Matches: {
        const all: number[] = [];
        for (const s of srcs) {
          const p = s.pending[i];
          if (p) all.push(...p);
        }
        st.pending[i] = all.length ? all : undefined;
        st.fin[i] = allFin && !all.length ? 1 : 0;
        return;
      }
      case K.WatermarkEL: {
        const onTimeEverywhere = srcs.every((s) => s.val[i] === 1);
        if (!onTimeEverywhere || !(c.wm > c.maxTs)) {
          st.val[i] = 0;
          if (node.n >= 0) this.mergeNode(node.n, st, srcs, c);
          if (node.late >= 0) this.clear(node.late, st, c);
        } else {
          st.val[i] = 1;
          if (node.late >= 0) this.mergeNode(node.late, st, srcs, c);
          else st.fin[i] = 1;
        }
        return;
      }
      case K.Repeat:
        mergeChildren();
        return;
      case K.Each:
        mergeChildren();
        st.fin[i] = node.children.every((ch) => st.fin[ch] === 1) ? 1 : 0;
        return;
      case K.First:
      case K.OrFinally:
        mergeChildren();
        st.fin[i] = node.children.some((ch) => st.fin[ch] === 1) ? 1 : 0;
        return;
      case K.All:
        mergeChildren();
        st.fin[i] = node.children.every((ch) => st.fin[ch] === 1) ? 1 : 0;
        return;
    }
  }

  // --- wake-up times ---------------------------------------------------------------------

  /** The earliest event time ≥ `c.wm` at which the trigger might become ready (NaN: none). */
  nextEventTime(st: TriggerState, c: TriggerContext): number {
    let best = NaN;
    for (let i = 0; i < this.nodes.length; i++) {
      if (st.fin[i]) continue;
      const k = this.nodes[i]!.kind;
      if (k === K.Default || k === K.Watermark || k === K.WatermarkEL) {
        if (c.maxTs >= c.wm && !(best <= c.maxTs)) best = c.maxTs;
      } else if (k === K.Matches) {
        const p = st.pending[i];
        if (p) for (const t of p) if (t >= c.wm && !(best <= t)) best = t;
      }
    }
    return best;
  }

  /** The earliest processing time at which an AfterProcessingTime node becomes ready (NaN: none). */
  nextProcessingTime(st: TriggerState): number {
    let best = NaN;
    for (let i = 0; i < this.nodes.length; i++) {
      if (st.fin[i] || this.nodes[i]!.kind !== K.ProcTime) continue;
      const v = st.val[i]!;
      if (!Number.isNaN(v) && !(best <= v)) best = v;
    }
    return best;
  }

  private firstUnfinished(node: Node, st: TriggerState): number {
    for (const ch of node.children) if (!st.fin[ch]) return ch;
    return -1;
  }
}
