/**
 * What applying a stateful DoFn checks and needs of its input: key/value elements (state is per
 * key, so the default coder becomes a KV coder), a deterministic key coder, a non-merging window
 * fn (state cannot follow merging windows), and declarations the runner can serve.
 */
import { PipelineConstructionError } from '../errors.js';
import type { PCollection } from '../graph/pcollection.js';
import { kvComponents } from '../transforms/group-by-key.js';
import type { StatefulInput } from '../translate/state-specs.js';
import { statefulPartsOf } from './stateful-dofn.js';

export function prepareStatefulInput(fn: unknown, input: PCollection<unknown>, transform: string): StatefulInput | undefined {
  const stateful = statefulPartsOf(fn);
  if (!stateful) return undefined;
  const fail = (why: string) => new PipelineConstructionError(`stateful ParDo "${transform}": ${why}`);
  if (input.windowing.windowFn.isMerging) {
    throw fail('state and timers cannot follow merging windows (sessions); group first, or window the state with a non-merging window fn');
  }
  for (const name of [...Object.keys(stateful.stateDeclarations), ...Object.keys(stateful.timerDeclarations)]) {
    if (name.startsWith('__')) throw fail(`state and timer names may not start with "__" ("${name}")`);
  }
  if (Object.keys(stateful.timerDeclarations).length && typeof stateful.onTimer !== 'function') {
    throw fail('it declares timers but has no onTimer method');
  }
  const ttl = stateful.stateTimeToLive;
  if (ttl !== undefined && !(Number.isFinite(ttl) && ttl > 0)) throw fail(`stateTimeToLive must be a positive duration, got ${ttl}`);
  input.keyedConsumer ??= transform;
  return {
    keyCoder: () => kvComponents(input as PCollection<never>, transform)[0] as never,
    windowCoder: () => input.windowing.windowFn.windowCoder(),
  };
}
