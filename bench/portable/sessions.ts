/** 30-minute sessions counted per key through Prism with one loopback harness, as a ratio of the
 *  direct runner ("plain" here is the direct runner; merging windows are not lifted). */
import { benchCase } from '../harness.js';
import { sessionsCount } from './pipelines.js';
import { portableRunner, stopPrism } from './prism.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';

await benchCase(import.meta.url, {
  name: 'portable-sessions',
  plain: () => sessionsCount(new DirectRunner()),
  tributary: async () => {
    const runner = await portableRunner();
    try {
      return await sessionsCount(runner);
    } finally {
      await stopPrism();
    }
  },
});
