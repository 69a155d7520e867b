import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { runnerSuite } from './suite.js';
import { splittableSuite } from './splittable-suite.js';

runnerSuite('direct', () => new DirectRunner());
splittableSuite('direct', () => new DirectRunner());
