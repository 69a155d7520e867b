/** A keyed sum (lifted: precombined in the harness) through Prism with one loopback harness,
 *  as a ratio of the direct runner ("plain" here is the direct runner). */
import { benchCase } from '../harness.js';
import { keyedSum } from './pipelines.js';
import { portableRunner, stopPrism } from './prism.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';

await benchCase(import.meta.url, {
  name: 'portable-keyed-sum',
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
