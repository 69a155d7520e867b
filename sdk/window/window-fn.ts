/**
 * WindowFn: how elements are assigned to windows, and — for merging fns such as sessions — how
 * windows of one key merge. The built-in fns are `GlobalWindows`, `FixedWindows`,
 * `SlidingWindows` and `Sessions`; a custom fn extends `WindowFn` (or `MergingWindowFn`) and
 * produces `IntervalWindow`s (or the `GlobalWindow`).
 *
 * A custom fn reaches the proto as `tributary:window_fn:custom:v1` (see `window-fn-proto.ts`):
 * its `name` must be stable across runs of the program, because a worker that re-runs the
 * program finds the same fn under the same name — nothing is serialized.
 */
import type { Coder } from '../coders/coder.js';
import type { Instant } from '../time/instant.js';
import type { BoundedWindow, IntervalWindow } from './bounded-window.js';

/** One merge: `toMerge` (two or more windows, or one renamed) become `result`. */
export interface WindowMerge<W extends BoundedWindow = BoundedWindow> {
  readonly toMerge: readonly W[];
  readonly result: W;
}

export abstract class WindowFn<W extends BoundedWindow = BoundedWindow> {
  /** True for fns whose windows of one key merge (sessions). */
  abstract readonly isMerging: boolean;
  /** True when every element is assigned to exactly one window (lets runners skip a loop). */
  readonly assignsToOneWindow: boolean = false;
  /** For merging fns whose merge is "union of overlapping intervals" (as sessions): the runner
   *  may use its own fast interval merge instead of calling `mergeWindows`. */
  readonly mergesOverlappingIntervals: boolean = false;

  /** The windows of an element with this timestamp (and value, for fns that look at it). */
  abstract assignWindows(timestamp: Instant, element?: unknown): readonly W[];

  /** The coder of this fn's windows. */
  abstract windowCoder(): Coder<W>;

  /** True when windows of this fn and `other` are interchangeable (Flatten, CoGroupByKey). */
  abstract isCompatible(other: WindowFn<BoundedWindow>): boolean;

  /** For merging fns: which of the given (active) windows of one key merge into what. */
  mergeWindows(_windows: readonly W[]): readonly WindowMerge<W>[] {
    return [];
  }

  /**
   * The window of a side input of this windowing that a main-input window reads. Undefined
   * when this fn cannot be used for side inputs (merging fns).
   */
  sideInputWindow?(mainWindow: BoundedWindow): W;

  /** For messages and display data. */
  abstract toString(): string;
}

/** Base class for merging fns over interval windows. */
export abstract class MergingWindowFn extends WindowFn<IntervalWindow> {
  readonly isMerging = true;
  abstract override mergeWindows(windows: readonly IntervalWindow[]): readonly WindowMerge<IntervalWindow>[];
}

/**
 * Beam's standard interval merge: sort by start, then merge every run of windows that overlap
 * the running union (`[a,b)` and `[c,d)` overlap when `a < d && c < b`; touching windows do
 * not merge). Runs of one window are left alone.
 */
export function mergeOverlappingIntervals(
  windows: readonly IntervalWindow[],
  span: (a: IntervalWindow, b: IntervalWindow) => IntervalWindow = (a, b) => a.span(b),
): WindowMerge<IntervalWindow>[] {
  const sorted = [...windows].sort((a, b) => a.start - b.start || a.end - b.end);
  const merges: WindowMerge<IntervalWindow>[] = [];
  let run: IntervalWindow[] = [];
  let union: IntervalWindow | undefined;
  const flush = () => {
    if (union && run.length > 1) merges.push({ toMerge: run, result: union });
  };
  for (const w of sorted) {
    if (union && w.start < union.end) {
      run.push(w);
      if (w.end > union.end) union = span(union, w);
    } else {
      flush();
      run = [w];
      union = w;
    }
  }
  flush();
  return merges;
}

/**
 * A custom, non-merging window fn from a function: `WindowFn` subclasses are the general way,
 * this is the short one. `name` must be unique and stable (see the module comment).
 */
export function customWindowFn(opts: {
  name: string;
  assign: (timestamp: Instant, element: unknown) => readonly BoundedWindow[];
  coder: () => Coder<BoundedWindow>;
}): WindowFn<BoundedWindow> & { readonly name: string } {
  class FnWindowFn extends WindowFn<BoundedWindow> {
    readonly isMerging = false;
    readonly name = opts.name;
    assignWindows(timestamp: Instant, element?: unknown): readonly BoundedWindow[] {
      return opts.assign(timestamp, element);
    }
    windowCoder(): Coder<BoundedWindow> {
      return opts.coder();
    }
    isCompatible(other: WindowFn<BoundedWindow>): boolean {
      return other === this;
    }
    toString(): string {
      return `CustomWindowFn(${opts.name})`;
    }
  }
  return new FnWindowFn();
}

/** Floored modulo (the result has the sign of `m`), so negative timestamps assign correctly. */
export function floorMod(a: number, m: number): number {
  const r = a % m;
  return r < 0 ? r + m : r;
}
