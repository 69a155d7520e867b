/** A keyed sum (lifted: precombined in the harness) through Prism with one loopback harness,
 *  as a ratio of the direct runner ("plain" here is the direct runner). */
import { benchCase } from '../harness.js';
import { keyedSum } from './pipelines.js';
import { PRISM_CPU, portableRunner, stopPrism } from './prism.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';

await benchCase(import.meta.url, {
  name: 'portable-keyed-sum',
  // Prism (its own process) runs the job's runner side; only the harness works on the main thread.
  offMainThread: PRISM_CPU,
  plain: () => keyedSum(new DirectRunner()),
  tributary: async () => {
    const runner = await portableRunner();
    try {
      return await keyedSum(runner);
    } finally {
      await stopPrism();
    }
  },
});
