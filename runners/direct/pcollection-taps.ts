/**
 * Counting and sampling on the edges of the plan, for a job that is watched
 * (`DirectRunnerOptions.monitoring`): every PCollection's receiver is wrapped once, at planning,
 * by a tap that counts what passes and hands it to a sampling ring only while someone samples
 * that PCollection. An unwatched job has no taps at all.
 */
import type { ElementRing, ElementSampler } from '../monitoring/sampler.js';
import type { Receiver } from '../exec/unit.js';
import { deliverBatch, takesBatches, type BatchReceiver, type WindowedBatch } from '../exec/batches.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';

interface TapCell {
  elements: number;
  ring: ElementRing | undefined;
}

export class PCollectionTaps {
  private readonly cells = new Map<string, TapCell>();
  /** PCollections whose elements pass unwrapped through a fused step, counted as another's. */
  private readonly aliases = new Map<string, string>();

  constructor(private readonly sampler: ElementSampler) {}

  wrap(pcollection: string, inner: Receiver): Receiver {
    let cell = this.cells.get(pcollection);
    if (!cell) this.cells.set(pcollection, (cell = { elements: 0, ring: undefined }));
    const c = cell;
    const tap: Receiver & Partial<BatchReceiver> = {
      receive(e: WindowedValue<unknown>) {
        c.elements++;
        if (c.ring !== undefined) c.ring.offer(e);
        return inner.receive(e);
      },
    };
    // A consumer that takes column batches keeps getting them whole when watched: the tap counts
    // a batch's rows, and only while the PCollection is sampled are its rows made into elements.
    if (takesBatches(inner)) {
      tap.receiveBatch = (wb: WindowedBatch) => {
        c.elements += wb.batch.length;
        const ring = c.ring;
        if (ring !== undefined) void deliverBatch({ receive: (e) => ring.offer(e) }, wb);
        return inner.receiveBatch(wb);
      };
    }
    return tap;
  }

  /** `pcollection` has exactly the elements of `same` (a WindowInto fused into its grouping). */
  alias(pcollection: string, same: string): void {
    this.aliases.set(pcollection, same);
  }

  elements(pcollection: string): number {
    return this.cells.get(this.aliases.get(pcollection) ?? pcollection)?.elements ?? 0;
  }

  /** Turns sampling of a PCollection on or off (limit 0) and returns its sample. */
  sample(pcollection: string, limit: number) {
    const elements = this.sampler.sample(this.aliases.get(pcollection) ?? pcollection, limit);
    const target = this.aliases.get(pcollection) ?? pcollection;
    const cell = this.cells.get(target);
    if (cell) cell.ring = this.sampler.ring(target);
    return elements;
  }
}
