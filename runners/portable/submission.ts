/**
 * The pipeline a portable runner submits, from the one `toPortable` gives: checked for what a
 * Beam runner cannot execute (refused, naming the transform and the runner), GroupByKeys whose
 * trigger or late output a Beam runner cannot run expanded into a stateful ParDo, combines lifted,
 * sessions merged by the workers where the runner asks for it (sessions-in-workers.ts),
 * triggered side inputs read from an accumulating copy (triggered-side-inputs.ts),
 * coders the runner does not know length-prefixed, and the environment the job deploys (with the staged program as its dependency).
 *
 * A worker that rebuilds the program compares its graph with the proto as the SDK built it
 * (staged beside the program, see portable-runner.ts), not with this rewritten one.
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { ENVIRONMENT_ID } from '../../sdk/translate/environment.js';
import { URN } from '../../sdk/urns.js';
import { withEnvironment } from './environments.js';
import { lengthPrefixUnknownCoders } from './length-prefix.js';
import { expandWindowing } from './expand-windowing.js';
import { liftCombines } from './lift.js';
import { groupSessionsInWorkers } from './sessions-in-workers.js';
import { checkPortable } from './unsupported.js';
import { accumulateTriggeredSideInputs } from './triggered-side-inputs.js';

export interface Submission {
  readonly pipeline: beam.Pipeline;
  /** The CombinePerKey transforms that now pre-combine in the workers. */
  readonly lifted: readonly string[];
}

/** How a runner that asks the workers to merge sessions wants them (sessions-in-workers.ts). */
export interface SessionsOptions {
  /** GroupByKeys under session windows grouped in the global window and merged by the workers. */
  readonly sessionsInWorkers?: boolean;
  /** With sessionsInWorkers: a combine under sessions is lifted, so each worker pre-merges its
   *  share of a key's events into partial sessions before the shuffle (default). false: the raw
   *  events cross the shuffle, and the worker that owns a key merges all of it (at parallelism
   *  > 1 each worker then merges whole keys; see runners/flink/flink-options.ts for what that
   *  measured). */
  readonly premergeSessions?: boolean;
}

/** Checks `proto` for `runner`, lifts its combines and sets its environment. */
export function prepareSubmission(proto: beam.IPipeline, runner: string, environment: beam.IEnvironment, options: SessionsOptions = {}): Submission {
  checkPortable(proto, runner);
  // Before lifting: a CombinePerKey whose GroupByKey is expanded is no longer liftable.
  const expanded = beam.Pipeline.decode(beam.Pipeline.encode(proto).finish());
  expandWindowing(expanded);
  const { pipeline, lifted } = liftCombines(expanded, { sessions: options.sessionsInWorkers && options.premergeSessions !== false });
  // After lifting: a lifted combine's GroupByKey groups the precombined partial sessions.
  if (options.sessionsInWorkers) groupSessionsInWorkers(pipeline);
  // A Beam runner serves a side input's latest pane: read a re-fired one from panes that accumulate.
  accumulateTriggeredSideInputs(pipeline);
  // Window.into assigns windows in the SDK: a runner (Prism) drops a window_into that names no
  // environment, and everything downstream stalls.
  for (const t of Object.values(pipeline.components?.transforms ?? {})) {
    if (t.spec?.urn === URN.WINDOW_INTO && !t.environmentId) t.environmentId = ENVIRONMENT_ID;
  }
  lengthPrefixUnknownCoders(pipeline);
  return { pipeline: withEnvironment(pipeline, environment), lifted };
}
