// The shared runner suites on --runner=flink: Beam's Flink job server with an embedded Flink
// (one per file) executes the pipelines, the harness's in-process worker pool (loopback) runs
// the user code. Every case Flink cannot run is skipped with its reason (docs/runners.md).
//
// Every case is a Flink job (2–20 s each): the file takes about 3.5 minutes with the job server's
// start on a quiet machine, in `npm test` like every other runner's suite.
import { FlinkRunner } from '../../runners/flink/flink-runner.js';
import { useFlinkJobServer } from '../servers/flink-job-server.js';
import { runnerSuite } from './suite.js';
import { splittableSuite } from './splittable-suite.js';
import { stateSuite } from './state-suite.js';

// Each reason is also in docs/runners.md ("The shared suites on Flink").
const FLINK_DROPS_LATE = 'the output is right (late element dropped, onWindowExpiration ran), but Beam\'s Java StatefulDoFnRunner drops the late element before it reaches the harness and counts it in its own counter, so tributary/droppedLate stays 0';

const server = useFlinkJobServer();
const flink = () => new FlinkRunner({ jobEndpoint: server.endpoint });
runnerSuite('flink (embedded, loopback)', flink, {
  skip: {
    'DoFn lifecycle: setup, startBundle, finishBundle and teardown run; finishBundle can output':
      'teardown runs after the worker reported its last bundle, so what teardown counts never reaches the job\'s metrics',
  },
});
splittableSuite('flink (embedded, loopback)', flink, {
  'moves the watermark mid-read: output behind an advanced watermark is late and dropped':
    'the runner owns the watermark: Flink advances it from the read\'s estimate only between bundles, so the elements the direct runner drops as late are on time here',
});
stateSuite('flink (embedded, loopback)', flink, {
  "a window's state is gone once the window expires; late elements for it are dropped and counted": FLINK_DROPS_LATE,
  'processing-time timers fire when processing time reaches them (setRelative); onTimer reads state':
    'a TestStream that advances processing time fails on Flink: "Advancing Processing time is not supported by the Flink Runner"',
});
