import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { checkpointSuite } from './checkpoint-suite.js';

checkpointSuite('direct', (dir) => new DirectRunner({ checkpoint: { dir, intervalMs: 0 } }));
