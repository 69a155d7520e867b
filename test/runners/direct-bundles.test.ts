/**
 * The shared suites again, on the direct runner under other bundle settings: results must not
 * depend on how bundles are cut or on the order of elements within them (Beam promises neither).
 * Seeds are fixed, so a failure replays.
 */
import { describe, it } from 'vitest';
import { DirectRunner, type DirectRunnerOptions } from '../../runners/direct/direct-runner.js';
import { runnerSuite } from './suite.js';
import { splittableSuite } from './splittable-suite.js';
import { stateSuite } from './state-suite.js';

const SETTINGS: readonly DirectRunnerOptions[] = [{ bundleSize: 1 }, { bundleSize: 2 }, { bundleSize: 3, orderSeed: 7 }, { orderSeed: 20261206 }];

/** Why the state suite does not run with a shuffled order. */
const STATE_ORDER =
  "its cases feed one key's elements in one bundle and check what a stateful DoFn saw in that order (a running count, a value read back); " +
  'Beam leaves the order within a key to the runner, so a shuffled order changes those results legitimately';

for (const settings of SETTINGS) {
  const name = `direct ${JSON.stringify(settings)}`;
  runnerSuite(name, () => new DirectRunner(settings));
  splittableSuite(name, () => new DirectRunner(settings));
  if (settings.orderSeed === undefined) stateSuite(name, () => new DirectRunner(settings));
  else describe(`state and timers: ${name}`, () => it.skip(`skipped: ${STATE_ORDER}`, () => {}));
}
