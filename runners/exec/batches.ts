/**
 * Column batches between operators (sdk/values/column-batch.ts). A chain of batch-aware
 * operators — a batched read, batched DoFns, a Window.into fused into a combine whose CombineFn
 * adds rows where they lie — passes one `WindowedBatch` per delivery instead of an element per
 * row: no row object, no KV, no WindowedValue per row. An operator takes batches when it has
 * `receiveBatch`; to any other receiver a batch is handed as its elements, one by one
 * (`deliverBatch`), so the elements a transform sees never depend on whether its producer batched.
 */
import { kv } from '../../sdk/values/kv.js';
import { isKeyedBatch, rowOf, rowsOf, type ColumnBatch } from '../../sdk/values/column-batch.js';
import type { PaneInfo } from '../../sdk/values/pane.js';
import type { BoundedWindow } from '../../sdk/window/bounded-window.js';
import { deliverMany, type Delivery, type Receiver } from './unit.js';

/** Rows of a batch with their event times; every row is in `windows`, from `pane`. */
export interface WindowedBatch {
  readonly batch: ColumnBatch<unknown>;
  readonly timestamps: ArrayLike<number>;
  readonly windows: readonly BoundedWindow[];
  readonly pane: PaneInfo;
}

export interface BatchReceiver extends Receiver {
  receiveBatch(batch: WindowedBatch): Delivery;
}

export function takesBatches(r: Receiver): r is BatchReceiver {
  return typeof (r as { receiveBatch?: unknown }).receiveBatch === 'function';
}

export function isWindowedBatch(x: object): x is WindowedBatch {
  return (x as { batch?: unknown }).batch !== undefined;
}

/**
 * Hands `wb` to `to`: whole if it takes batches, else as its elements in row order — one run
 * (`deliverMany`), each row made as it is taken, so rows die young whatever the batch's size.
 */
export function deliverBatch(to: Receiver, wb: WindowedBatch): Delivery {
  if (takesBatches(to)) return to.receiveBatch(wb);
  const { batch, timestamps, windows, pane } = wb;
  const rows = rowsOf(batch);
  if (!isKeyedBatch(batch)) return deliverMany(to, batch.length, rows, timestamps, windows, pane);
  const keys = batch.keys;
  return deliverMany(to, batch.length, { at: (i) => kv(keys[i], rows.at(i)) }, timestamps, windows, pane);
}

/**
 * The value a combine adds for one row of a batch: where the row lies, not the row. One cursor
 * is moved along the batch, so it must not outlive the add — anything that keeps a value (a late
 * output) takes `materialize()`.
 */
export class BatchRow {
  batch: ColumnBatch<unknown> = EMPTY;
  index = 0;

  materialize(): unknown {
    return rowOf(this.batch, this.index);
  }
}

const EMPTY: ColumnBatch<unknown> = { length: 0, columns: {} };
