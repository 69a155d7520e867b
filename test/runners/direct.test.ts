import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { runnerSuite } from './suite.js';

runnerSuite('direct', () => new DirectRunner());
