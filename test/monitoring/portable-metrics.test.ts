/**
 * `/metrics` for a job on a real Beam job server (Prism, started here, loopback workers running
 * the Tributary harness): the same metric names as the direct runner, from the harnesses'
 * monitoring infos as the job server aggregates them.
 */
import { describe, expect, it } from 'vitest';
import { usePrism } from '../servers/prism/prism.js';
import { isMonitorable } from '../../runners/monitoring/monitored-job.js';
import { startMonitoring } from '../../runners/monitoring/server.js';
import { PortableRunner } from '../../runners/portable/portable-runner.js';
import { Count, Create, DoFn, Metrics, ParDo, Pipeline, type ProcessContext } from '../../sdk/index.js';
import { valueOf } from './exposition.js';

const prism = usePrism();

class Seen extends DoFn<string, string> {
  private readonly seen = Metrics.counter('test', 'seen');
  process(word: string, ctx: ProcessContext<string>): void {
    this.seen.inc();
    ctx.output(word);
  }
}

describe('/metrics of a portable job', () => {
  it('reports user counters and element counts under the direct runner\'s names, and the final state', async () => {
    const p = new Pipeline();
    p.apply('Words', Create.of(['a', 'b', 'a', 'c', 'a'])).apply('Seen', ParDo.of(new Seen())).apply('CountWords', Count.perElement<string>());
    const result = new PortableRunner({ jobEndpoint: prism.current.endpoint }).run(p);
    if (!isMonitorable(result)) throw new Error('a portable result can be watched');
    const server = await startMonitoring(result.monitored(), { port: 0, processMetrics: false });
    try {
      await result.waitUntilFinish();
      const scrape = async () => (await fetch(`${server.url}/metrics`)).text();
      await scrape(); // the first scrape after the end starts the poll of the final infos
      let text = await scrape();
      for (let i = 0; i < 50 && valueOf(text, 'tributary_user_counter_total', { name: 'seen' }) === undefined; i++) {
        await new Promise((r) => setImmediate(r));
        text = await scrape();
      }
      expect(valueOf(text, 'tributary_user_counter_total', { transform: 'Seen', namespace: 'test', name: 'seen' })).toBe(5);
      expect(valueOf(text, 'tributary_job_info', { runner: 'portable', state: 'DONE' })).toBe(1);
      // Element counts come from the harness's data plane: PCollections at the edges of the stages
      // the runner fused (here the impulse that starts the only SDK stage), not those inside one.
      expect(valueOf(text, 'tributary_pcollection_elements_total', { pcollection: 'Words/Impulse' })).toBe(1);
    } finally {
      await server.close();
    }
  });
});
