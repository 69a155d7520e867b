/** Word count over 1,000,000 words (10,000-word vocabulary): Tributary vs a plain loop. Both
 *  report the number of distinct words and the total count as a checksum. */
import { Count, DoFn, FlatMap, Impulse, Map, Metrics, ParDo, Pipeline, type KV } from '../../sdk/index.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { benchCase } from '../harness.js';
import { textLines } from './workloads.js';

class LinesFn extends DoFn<Uint8Array, string> {
  *process(): Generator<string> {
    yield* textLines();
  }
}

await benchCase(import.meta.url, {
  name: 'wordcount',
  plain() {
    const counts = new globalThis.Map<string, number>();
    for (const line of textLines()) {
      for (const w of line.split(' ')) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
    let total = 0;
    for (const c of counts.values()) total += c;
    return { elements: total, checksum: counts.size };
  },
  async tributary() {
    const p = new Pipeline();
    const total = Metrics.counter('bench', 'total');
    const distinct = Metrics.counter('bench', 'distinct');
    p.apply(Impulse.create())
      .apply('Lines', ParDo.of(new LinesFn()))
      .apply('Split', FlatMap.of((line: string) => line.split(' ')))
      .apply('Count', Count.perElement<string>())
      .apply(
        'Total',
        Map.of((e: KV<string, number>) => {
          total.inc(e.value);
          distinct.inc();
        }),
      );
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    return { elements: result.metrics().counter('total'), checksum: result.metrics().counter('distinct') };
  },
});

