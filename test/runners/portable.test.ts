// The shared runner suites on --runner=portable: Beam's Prism runner (started here, one per file)
// executes the pipelines, the harness's in-process worker pool (loopback) runs the user code.
// Every case the portable runner cannot run is skipped with its reason (docs/runners.md).
import { afterEach } from 'vitest';
import { PortableRunner } from '../../runners/portable/portable-runner.js';
import { usePrism } from '../servers/prism/prism.js';
import { runnerSuite } from './suite.js';
import { splittableSuite } from './splittable-suite.js';
import { SIDE_INPUT_UPDATES_CASE, stateSuite } from './state-suite.js';

const prism = usePrism();
// A failed case shows what Prism said (its log is otherwise lost with the process).
afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail') console.log(`Prism's log after "${ctx.task.name}":\n${prism.current?.logTail(40)}`);
});

const portable = () => new PortableRunner({ jobEndpoint: prism.current.endpoint });

// Each reason is also in docs/runners.md ("The shared suites on portable").

runnerSuite('portable (Prism, loopback)', portable, {
  skip: {
    'DoFn lifecycle: setup, startBundle, finishBundle and teardown run; finishBundle can output':
      'teardown runs after the worker reported its last bundle, so what teardown counts never reaches the job\'s metrics',
    'session windows: each merged session fires one ON_TIME pane under the default trigger':
      'Prism v2.78.0 fires a session that merged two or more windows with an EARLY pane (index 0, not first and last) and no ON_TIME pane; its windows, values and timestamps are right (the case before this one)',
  },
});
splittableSuite('portable (Prism, loopback)', portable, {
  'moves the watermark mid-read: output behind an advanced watermark is late and dropped':
    'the runner owns the watermark: Prism advances it from the read\'s estimate only between bundles, so the elements the direct runner drops as late are on time here',
});
stateSuite('portable (Prism, loopback)', portable, {
  [SIDE_INPUT_UPDATES_CASE]: 'Prism v2.78.0 refuses a side input re-fired by a trigger in the global window at submission ("Unbounded GlobalWindow Triggered SideInput", apache/beam#31438)',
  'processing-time timers fire when processing time reaches them (setRelative); onTimer reads state':
    'under a TestStream Prism keeps a synthetic processing time (it starts at year 1 and moves with advanceProcessingTime), while the harness sets relative processing-time timers from its own clock: they fire only at the end of input',
  "a window's state is gone once the window expires; late elements for it are dropped and counted":
    'Prism v2.78.0 ignores the allowed lateness of a stateful ParDo\'s input: it calls onWindowExpiration when the watermark passes the window\'s end, and hands later elements of that window to the DoFn (with fresh state) instead of dropping them',
});
