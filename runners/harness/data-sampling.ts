/**
 * Data sampling on the harness side of the Fn API (`SampleDataRequest`): while a runner has it
 * on (Beam's `enable_data_sampling` experiment), every PCollection of every bundle keeps a few of
 * its elements — the first ones, then about one per `intervalMs` — and hands them over, encoded
 * with the PCollection's windowed-value coder (value, timestamp, windows, pane), when the runner
 * asks. What was handed over is not sent again.
 *
 * The cost on the element path is a count and, every 64th element, a clock read; an element is
 * encoded only when the runner asks for the sample, off the job's path.
 */
import { fnExecution as fn, type protobuf } from '../../portability-proto/index.js';
import { ByteWriter, type Coder } from '../../sdk/coders/index.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import type { Delivery, Receiver } from '../exec/unit.js';
import { experimentRequested } from './experiments.js';

export const DATA_SAMPLING_EXPERIMENT = 'enable_data_sampling';

export interface DataSamplingOptions {
  /** Elements kept per PCollection until the runner takes them (default 10; the oldest go first). */
  readonly perPCollection?: number;
  /** After the first `perPCollection` elements, one element per this many ms (default 1000). */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

const CLOCK_EVERY = 64;

class PCollectionSample {
  readonly kept: WindowedValue<unknown>[] = [];
  seen = 0;
  nextAt = 0;
  constructor(readonly coder: Coder<WindowedValue<unknown>>) {}
}

export class HarnessDataSampler {
  private readonly samples = new Map<string, PCollectionSample>();
  private readonly perPCollection: number;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(options: DataSamplingOptions = {}) {
    this.perPCollection = Math.max(1, options.perPCollection ?? 10);
    this.intervalMs = options.intervalMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /** `inner`, with the elements of `pcollection` sampled on the way. */
  tap(pcollection: string, coder: Coder<WindowedValue<unknown>>, inner: Receiver): Receiver {
    let s = this.samples.get(pcollection);
    if (!s) this.samples.set(pcollection, (s = new PCollectionSample(coder)));
    const sample = s;
    const { perPCollection, intervalMs, now } = this;
    return {
      receive(e: WindowedValue<unknown>): Delivery {
        const n = ++sample.seen;
        if (n <= perPCollection) {
          sample.kept.push(e);
          if (n === perPCollection) sample.nextAt = now() + intervalMs;
        } else if (n % CLOCK_EVERY === 0) {
          const t = now();
          if (t >= sample.nextAt) {
            sample.nextAt = t + intervalMs;
            if (sample.kept.length >= perPCollection) sample.kept.shift();
            sample.kept.push(e);
          }
        }
        return inner.receive(e);
      },
    };
  }

  /** The samples of `pcollections` (every sampled one when empty), encoded; they are not kept. */
  take(pcollections: readonly string[]): fn.ISampleDataResponse {
    const wanted = pcollections.length > 0 ? pcollections : [...this.samples.keys()];
    const elementSamples: Record<string, fn.SampleDataResponse.IElementList> = {};
    for (const id of wanted) {
      const s = this.samples.get(id);
      if (!s || s.kept.length === 0) continue;
      elementSamples[id] = { elements: s.kept.map((e) => ({ element: encodeNested(s.coder, e) })) };
      s.kept.length = 0;
    }
    return { elementSamples };
  }
}

function encodeNested(coder: Coder<WindowedValue<unknown>>, e: WindowedValue<unknown>): Uint8Array {
  const out = new ByteWriter(64);
  coder.encode(e, out, true);
  return out.finish().slice();
}

/** Whether the runner's pipeline options turn data sampling on: `--experiments=enable_data_sampling`
 *  under Beam's key (as a Beam runner passes it) or among Tributary's own options. */
export function samplingRequested(options: protobuf.IStruct | null | undefined): boolean {
  return experimentRequested(options, DATA_SAMPLING_EXPERIMENT);
}
