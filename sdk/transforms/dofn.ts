/**
 * A DoFn is the user code of a ParDo: it sees one element at a time and emits any number of
 * outputs. `process` may be `async` (awaiting an enrichment call is the common case): the runner
 * awaits it, running up to the ParDo's concurrency in flight, and never hands a Promise
 * downstream as if it were a value.
 *
 * Type parameters: `I` input, `O` main output, `Tags` the tagged side outputs
 * (`{ errors: string }`), `Sides` the side inputs (`{ rates: Map<string, number> }`).
 */
import type { Instant } from '../time/instant.js';
import type { BoundedWindow } from '../window/bounded-window.js';
import type { PaneInfo } from '../values/pane.js';
import type { BatchOf } from '../values/column-batch.js';

export type TagMap = Record<string, unknown>;

export interface OutputContext<O, Tags extends TagMap> {
  /** Emits to the main output with the input element's timestamp and windows. */
  output(value: O): void;
  /** Emits to a tagged output. */
  outputTo<K extends keyof Tags & string>(tag: K, value: Tags[K]): void;
}

export interface ProcessContext<O, Tags extends TagMap = {}, Sides extends TagMap = {}> extends OutputContext<O, Tags> {
  /** The element's event timestamp. */
  readonly timestamp: Instant;
  /** The window being processed (an element in several windows is processed once per window). */
  readonly window: BoundedWindow;
  /** The pane that produced the element (after a GroupByKey: which firing). */
  readonly pane: PaneInfo;
  /** Emits to the main output at another timestamp; it may not be earlier than the input's
   *  timestamp less the DoFn's `allowedTimestampSkew` (Beam's rule). */
  outputWithTimestamp(value: O, timestamp: Instant): void;
  /** Emits to a tagged output at another timestamp. */
  outputToWithTimestamp<K extends keyof Tags & string>(tag: K, value: Tags[K], timestamp: Instant): void;
  /** The value of a side input, for this element's window. */
  sideInput<K extends keyof Sides & string>(name: K): Sides[K];
}

export interface FinishBundleContext<O, Tags extends TagMap = {}> {
  /** Outside `process` there is no current element, so timestamp and window are explicit. */
  output(value: O, timestamp: Instant, window: BoundedWindow): void;
  outputTo<K extends keyof Tags & string>(tag: K, value: Tags[K], timestamp: Instant, window: BoundedWindow): void;
}

/** What `process` may return: nothing (outputs went through the context), an array or a
 *  generator of outputs, or a Promise / async generator of the same. */
export type ProcessResult<O> = void | undefined | readonly O[] | Generator<O, unknown, undefined> | AsyncGenerator<O, unknown, undefined> | Promise<void | undefined | readonly O[]>;

export abstract class DoFn<I, O, Tags extends TagMap = {}, Sides extends TagMap = {}> {
  /** How far before the input's timestamp `outputWithTimestamp` may go (Beam's allowed skew). */
  allowedTimestampSkew = 0;

  /** Called once per instance before any bundle: open clients, load models. */
  setup?(): void | Promise<void>;
  startBundle?(): void | Promise<void>;
  abstract process(element: I, ctx: ProcessContext<O, Tags, Sides>): ProcessResult<O>;
  finishBundle?(ctx: FinishBundleContext<O, Tags>): void | Promise<void>;
  /** Called once when the instance is discarded: close what setup opened. */
  teardown?(): void | Promise<void>;
}

/**
 * A DoFn that can also take its input a column batch at a time (Beam Python's `process_batch`;
 * values/column-batch.ts). `processBatch` must give, row for row, what `process` gives for that
 * row, with exactly one output per input row: outputs keep their row's timestamp, windows and
 * pane. The runner calls it when the input arrives in batches (a batched source, or another
 * batched DoFn) and the ParDo has no side inputs; otherwise it calls `process`, element by
 * element, so a batched DoFn runs on every runner.
 */
export interface BatchedDoFn<I, O> {
  processBatch(batch: BatchOf<I>): BatchOf<O>;
}

export function isBatchedDoFn(fn: unknown): fn is BatchedDoFn<unknown, unknown> {
  return typeof (fn as { processBatch?: unknown } | null)?.processBatch === 'function';
}

/** Input, output, tag and side-input types of a DoFn. */
export type InputOf<F> = F extends DoFn<infer I, any, any, any> ? I : never;
export type OutputOf<F> = F extends DoFn<any, infer O, any, any> ? O : never;
export type TagsOf<F> = F extends DoFn<any, any, infer T, any> ? T : never;
export type SidesOf<F> = F extends DoFn<any, any, any, infer S> ? S : never;
