/** 30-minute sessions counted per key through Prism with one loopback harness, as a ratio of the
 *  direct runner ("plain" here is the direct runner; merging windows are not lifted).
 *
 *  On 10,000 elements, not the keyed sum's 200,000: Prism v2.78.0 groups a merging window fn in
 *  the runner (its "runner transform" GroupByKey), and that step grows faster than linearly — one
 *  bundle of 5,000 elements took it 4.4 s, of 20,000 about 60 s (Prism's debug log; `perf` puts
 *  its time in `ElementManager.StateForBundle`). At 200,000 the job never finished. */
import { benchCase } from '../harness.js';
import { sessionsCount } from './pipelines.js';

const SESSIONS_N = 10_000;
import { PRISM_CPU, portableRunner, stopPrism } from './prism.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';

await benchCase(import.meta.url, {
  name: 'portable-sessions',
  // Prism (its own process) runs the job's runner side; only the harness works on the main thread.
  offMainThread: PRISM_CPU,
  plain: () => sessionsCount(new DirectRunner(), SESSIONS_N),
  tributary: async () => {
    const runner = await portableRunner();
    try {
      return await sessionsCount(runner, SESSIONS_N);
    } finally {
      await stopPrism();
    }
  },
});
