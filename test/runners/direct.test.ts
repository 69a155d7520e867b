import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { runnerSuite } from './suite.js';
import { splittableSuite } from './splittable-suite.js';

runnerSuite('direct', () => new DirectRunner());
splittableSuite('direct', () => new DirectRunner());
import { stateSuite } from './state-suite.js';
stateSuite('direct', () => new DirectRunner());
import { unsupportedSuite } from './unsupported-suite.js';
unsupportedSuite('direct', () => new DirectRunner(), 'direct');
