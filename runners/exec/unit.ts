/**
 * The direct runner's unit of execution: one operator per primitive transform (or per composite
 * the runner executes natively), connected by receivers. Delivery is a synchronous call; an
 * operator returns a Promise only to make its caller wait (async work over capacity), so chains
 * of synchronous ParDos run as plain nested calls — that is the fusion.
 */
import type { Instant } from '../../sdk/time/instant.js';
import type { PaneInfo } from '../../sdk/values/pane.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import type { BoundedWindow } from '../../sdk/window/bounded-window.js';

export type Delivery = void | Promise<void>;

export interface Receiver {
  receive(element: WindowedValue<unknown>): Delivery;
  /**
   * The same as `receive({ value, timestamp, windows, pane })`, without the object: a receiver
   * that takes each element apart at once (it keeps no reference to it) offers this, and a
   * delivery between two such operators allocates nothing (`PendingDeliveries.deliverParts`).
   */
  receiveParts?(value: unknown, timestamp: Instant, windows: readonly BoundedWindow[], pane: PaneInfo): Delivery;
  /**
   * A run of elements, all in `windows` from `pane`: element i (0 ≤ i < count) is `values.at(i)`
   * — called once per element, in order, when the element is taken — at `times[i]`, or at
   * `times` for all when it is one timestamp. The same as `receiveParts` for each in turn,
   * waiting wherever that would have waited: the returned Delivery settles once every element
   * was taken. A receiver with per-element set-up (a ParDo: its metrics container, its context,
   * its checks) offers this to do that set-up once per run (`deliverMany`).
   */
  receiveMany?(count: number, values: RunValues, times: ArrayLike<number> | Instant, windows: readonly BoundedWindow[], pane: PaneInfo): Delivery;
}

/**
 * The elements of a run, each made when it is taken (`at(i)`). An object with a method, not a
 * function: the rows of every column batch of one layout are instances of one class
 * (sdk/values/row-source.ts), so the call site taking them keeps one target from batch to batch.
 */
export interface RunValues {
  at(i: number): unknown;
}

/** A run whose elements are made already, the first `count` of an array (a generator's outputs, a `Map.of`'s). */
export class ArrayRun implements RunValues {
  constructor(private readonly values: readonly unknown[]) {}
  at(i: number): unknown {
    return this.values[i];
  }
}

export interface Operator extends Receiver {
  /** The transform's unique name. */
  readonly name: string;
  /** Once, before any element (DoFn.setup). */
  setup?(): Promise<void> | void;
  /** At the end of every bundle, upstream operators first. */
  finishBundle?(): Delivery;
  /** Waits for in-flight asynchronous work; rethrows its failure. */
  drain?(): Promise<void>;
  /** The input watermark advanced: fire what it makes ready (panes, timers, pushed-back input). */
  onWatermark?(watermark: Instant): Delivery;
  /** Processing time advanced (TestStream or the wall clock). */
  onProcessingTime?(now: Instant): Delivery;
  /** The earliest processing time at which this operator has work (a processing-time trigger). */
  nextProcessingTimeTimer?(): Instant | undefined;
  /** Earliest timestamp this operator may still output (Instant.MAX when none). */
  hold?(): Instant;
  /** Elements held in state (for memory accounting). */
  bufferedElements?(): number;
  /**
   * Of `bufferedElements`, those that are output waiting to be handed downstream (a read's
   * buffer), not state: no watermark step releases them, so the heap release
   * (runners/direct/heap-release.ts) leaves them out.
   */
  outputBuffered?(): number;
  /**
   * The operator's state for a checkpoint, as structured-clonable data (taken between bundles,
   * when nothing is in flight); `NOT_NOW` when it cannot be taken at this moment. An operator
   * without this method must hold no state when a checkpoint is taken.
   */
  snapshot?(): unknown;
  /** Puts back what `snapshot` returned, before any element moves. */
  restore?(state: unknown): void;
  /** After a restore, when the job starts: resume work of its own (a splittable read). */
  resume?(): void;
  /** Once, after the last element or on failure (DoFn.teardown). */
  teardown?(): Promise<void> | void;
}

/** What `snapshot` returns when the operator cannot be checkpointed at this moment. */
export const NOT_NOW: unique symbol = Symbol('not now');

/** Delivers to several consumers; waits only if one of them asks to. */
export class FanOut implements Receiver {
  constructor(private readonly receivers: readonly Receiver[]) {}
  receive(element: WindowedValue<unknown>): Delivery {
    let waits: Promise<void>[] | undefined;
    for (const r of this.receivers) {
      const d = r.receive(element);
      if (d) (waits ??= []).push(d);
    }
    if (waits) return waits.length === 1 ? waits[0] : Promise.all(waits).then(() => undefined);
  }
  receiveParts(value: unknown, timestamp: Instant, windows: readonly BoundedWindow[], pane: PaneInfo): Delivery {
    let waits: Promise<void>[] | undefined;
    let element: WindowedValue<unknown> | undefined; // one object for the receivers that need it
    for (const r of this.receivers) {
      const d = r.receiveParts ? r.receiveParts(value, timestamp, windows, pane) : r.receive((element ??= { value, timestamp, windows, pane }));
      if (d) (waits ??= []).push(d);
    }
    if (waits) return waits.length === 1 ? waits[0] : Promise.all(waits).then(() => undefined);
  }
}

/** Hands `to` the element made of these parts: as parts when it takes them, else as the object. */
export function receiveParts(to: Receiver, value: unknown, timestamp: Instant, windows: readonly BoundedWindow[], pane: PaneInfo): Delivery {
  return to.receiveParts ? to.receiveParts(value, timestamp, windows, pane) : to.receive({ value, timestamp, windows, pane });
}

/** Hands `to` a run of elements (see `Receiver.receiveMany`): whole when it takes runs, else one by one. */
export function deliverMany(to: Receiver, count: number, values: RunValues, times: ArrayLike<number> | Instant, windows: readonly BoundedWindow[], pane: PaneInfo): Delivery {
  if (to.receiveMany) return to.receiveMany(count, values, times, windows, pane);
  return deliverEach(to, count, values, times, windows, pane, 0);
}

/** Elements [from, count) of a run, one by one, each after the previous one was taken. */
function deliverEach(to: Receiver, count: number, values: RunValues, times: ArrayLike<number> | Instant, windows: readonly BoundedWindow[], pane: PaneInfo, from: number): Delivery {
  for (let i = from; i < count; i++) {
    const d = receiveParts(to, values.at(i), timeAt(times, i), windows, pane);
    if (d) return d.then(() => deliverEach(to, count, values, times, windows, pane, i + 1));
  }
}

/** Element i's timestamp in a run. */
export function timeAt(times: ArrayLike<number> | Instant, i: number): Instant {
  return (typeof times === 'number' ? times : times[i]!) as Instant;
}

/**
 * Where an unconsumed PCollection's elements go. It takes column batches whole (exec/batches.ts):
 * a batch-aware transform whose output nobody reads (a batched sink) makes no row for nothing.
 */
export const DISCARD: Receiver & { receiveBatch(): undefined } = { receive: () => undefined, receiveParts: () => undefined, receiveMany: () => undefined, receiveBatch: () => undefined };

export function receiverFor(receivers: readonly Receiver[]): Receiver {
  if (receivers.length === 0) return DISCARD;
  if (receivers.length === 1) return receivers[0]!;
  return new FanOut(receivers);
}

export function isThenable(v: unknown): v is Promise<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}

export function isIterator(v: unknown): v is Iterator<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as Iterator<unknown>).next === 'function' && typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function';
}

export function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}
