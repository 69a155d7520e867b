/** Column batches between execution units (runners/exec/batches.ts), on in-memory batches. */
import { describe, expect, it } from 'vitest';
import { deliverBatch, type WindowedBatch } from '../../runners/exec/batches.js';
import { ParDoOperator } from '../../runners/exec/pardo.js';
import { receiverFor, type Receiver } from '../../runners/exec/unit.js';
import { MetricsContainer } from '../../sdk/metrics/container.js';
import { DoFn, type BatchedDoFn, type ProcessContext } from '../../sdk/transforms/dofn.js';
import { UserCodeError } from '../../sdk/errors.js';
import type { BatchOf, ColumnBatch, KeyedColumnBatch } from '../../sdk/values/column-batch.js';
import { kv, type KV } from '../../sdk/values/kv.js';
import { NO_FIRING } from '../../sdk/values/pane.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import { GLOBAL_WINDOWS } from '../../sdk/window/bounded-window.js';

interface Reading {
  user: number;
  speed: number;
}

const readings: WindowedBatch = {
  batch: { length: 3, columns: { user: Int32Array.of(7, 8, 7), speed: Float64Array.of(1.5, 2, 3) } } satisfies ColumnBatch<Reading>,
  timestamps: [10, 20, 30],
  windows: GLOBAL_WINDOWS,
  pane: NO_FIRING,
};

describe('column batches between units', () => {
  it('a receiver of elements gets the rows in order, at their timestamps, and is waited for when it asks', async () => {
    const got: WindowedValue<unknown>[] = [];
    let waits = 0;
    const slow: Receiver = {
      receive(wv) {
        got.push(wv);
        if (got.length === 2) {
          waits++;
          return Promise.resolve();
        }
      },
    };
    await deliverBatch(slow, readings);
    expect(waits).toBe(1);
    expect(got.map((wv) => [wv.value, wv.timestamp])).toEqual([
      [{ user: 7, speed: 1.5 }, 10],
      [{ user: 8, speed: 2 }, 20],
      [{ user: 7, speed: 3 }, 30],
    ]);
    expect(got.every((wv) => wv.windows === GLOBAL_WINDOWS && wv.pane === NO_FIRING)).toBe(true);
  });

  it('a batched DoFn passes batches on to a unit that takes them, and rows to one that does not', () => {
    class ByUser extends DoFn<Reading, KV<number, Reading>> implements BatchedDoFn<Reading, KV<number, Reading>> {
      process(r: Reading, ctx: ProcessContext<KV<number, Reading>>) {
        ctx.output(kv(r.user, r));
      }
      processBatch(b: BatchOf<Reading>): KeyedColumnBatch<number, Reading> {
        const batch = b as ColumnBatch<Reading>;
        return { ...batch, keys: batch.columns.user };
      }
    }
    const batches: WindowedBatch[] = [];
    const takesBatches = { receive: () => undefined, receiveBatch: (wb: WindowedBatch) => void batches.push(wb) };
    const op = (main: Receiver) => new ParDoOperator({ name: 'ByUser', fn: new ByUser() as never, main, tagged: new Map(), elementWise: true, maxConcurrency: 1, sideInputs: new Map(), metrics: new MetricsContainer('ByUser') });
    op(takesBatches).receiveBatch!(readings);
    expect(batches).toHaveLength(1);
    expect(Array.from((batches[0]!.batch as KeyedColumnBatch<number, Reading>).keys)).toEqual([7, 8, 7]);
    expect(batches[0]!.timestamps).toBe(readings.timestamps);
    const rows: unknown[] = [];
    op({ receive: (wv) => void rows.push(wv.value) }).receiveBatch!(readings);
    expect(rows).toEqual([kv(7, { user: 7, speed: 1.5 }), kv(8, { user: 8, speed: 2 }), kv(7, { user: 7, speed: 3 })]);
  });

  it('a batched DoFn whose output nobody consumes makes no row of its output batches', () => {
    let reads = 0;
    // a column that counts the values read from it
    const counted = (values: number[]) => new Proxy(values, { get: (t, k) => (typeof k === 'string' && /^\d+$/.test(k) && reads++, Reflect.get(t, k)) });
    class Passes extends DoFn<Reading, Reading> implements BatchedDoFn<Reading, Reading> {
      process(r: Reading, ctx: ProcessContext<Reading>) {
        ctx.output(r);
      }
      processBatch(b: BatchOf<Reading>): ColumnBatch<Reading> {
        return { length: b.length, columns: { user: counted([7, 8, 7]), speed: counted([1.5, 2, 3]) } };
      }
    }
    const op = new ParDoOperator({ name: 'Passes', fn: new Passes() as never, main: receiverFor([]), tagged: new Map(), elementWise: true, maxConcurrency: 1, sideInputs: new Map(), metrics: new MetricsContainer('Passes') });
    op.receiveBatch!(readings);
    expect(reads).toBe(0);
    // the same batch handed to a consumer of elements is read row by row
    deliverBatch({ receive: () => undefined }, { ...readings, batch: new Passes().processBatch(readings.batch as never) });
    expect(reads).toBe(6);
  });

  it('a processBatch that drops or adds rows is a user-code error naming the transform', () => {
    class Drops extends DoFn<Reading, Reading> implements BatchedDoFn<Reading, Reading> {
      process() {}
      processBatch(): ColumnBatch<Reading> {
        return { length: 1, columns: { user: [1], speed: [1] } };
      }
    }
    const op = new ParDoOperator({ name: 'Drops', fn: new Drops() as never, main: { receive: () => undefined }, tagged: new Map(), elementWise: true, maxConcurrency: 1, sideInputs: new Map(), metrics: new MetricsContainer('Drops') });
    let caught: unknown;
    try {
      op.receiveBatch!(readings);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UserCodeError);
    expect(String(caught)).toMatch(/Drops[\s\S]*returned 1 rows for a batch of 3/);
  });
});
