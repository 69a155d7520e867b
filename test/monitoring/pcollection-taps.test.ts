/** The taps of a watched direct job (runners/direct/pcollection-taps.ts) on column batches. */
import { describe, expect, it } from 'vitest';
import type { WindowedBatch } from '../../runners/exec/batches.js';
import type { Receiver } from '../../runners/exec/unit.js';
import { PCollectionTaps } from '../../runners/direct/pcollection-taps.js';
import { ElementSampler } from '../../runners/monitoring/sampler.js';
import type { ColumnBatch } from '../../sdk/values/column-batch.js';
import { NO_FIRING } from '../../sdk/values/pane.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import { GLOBAL_WINDOWS } from '../../sdk/window/bounded-window.js';

const readings: WindowedBatch = {
  batch: { length: 3, columns: { user: Int32Array.of(7, 8, 7), speed: Float64Array.of(1.5, 2, 3) } } satisfies ColumnBatch<{ user: number; speed: number }>,
  timestamps: [10, 20, 30],
  windows: GLOBAL_WINDOWS,
  pane: NO_FIRING,
};

describe('PCollection taps', () => {
  it('pass a batch whole to a consumer that takes batches, counting its rows', () => {
    const taps = new PCollectionTaps(new ElementSampler());
    const batches: WindowedBatch[] = [];
    const elements: WindowedValue<unknown>[] = [];
    const tap = taps.wrap('readings', { receive: (e) => void elements.push(e), receiveBatch: (wb: WindowedBatch) => void batches.push(wb) } as Receiver);
    (tap as Receiver & { receiveBatch(wb: WindowedBatch): void }).receiveBatch(readings);
    tap.receive({ value: { user: 9, speed: 4 }, timestamp: 40 as never, windows: GLOBAL_WINDOWS, pane: NO_FIRING });
    expect(batches).toEqual([readings]);
    expect(elements).toHaveLength(1);
    expect(taps.elements('readings')).toBe(4);
  });

  it('have no batch entry for a consumer of elements (the batch reaches it as rows, counted one by one)', () => {
    const taps = new PCollectionTaps(new ElementSampler());
    const tap = taps.wrap('readings', { receive: () => undefined });
    expect('receiveBatch' in tap).toBe(false);
  });

  it('sample the rows of batches while someone samples the PCollection', () => {
    const taps = new PCollectionTaps(new ElementSampler());
    const tap = taps.wrap('readings', { receive: () => undefined, receiveBatch: () => undefined } as Receiver) as Receiver & { receiveBatch(wb: WindowedBatch): void };
    tap.receiveBatch(readings);
    expect(taps.sample('readings', 10)).toEqual([]);
    tap.receiveBatch(readings);
    const sampled = taps.sample('readings', 10);
    expect(sampled.map((s) => s.value)).toEqual(['{"user":7,"speed":1.5}', '{"user":8,"speed":2}', '{"user":7,"speed":3}']);
    expect(taps.elements('readings')).toBe(6);
  });
});
