/**
 * What a Beam runner cannot execute with the same results, refused before anything is submitted:
 * each error names the transform, the runner and what to do instead.
 *
 * - The element-predicate trigger (`AfterElementMatches`, `EarlyResultEventTimeTrigger`): Beam's
 *   `Trigger` has no predicate, the runner owns triggering, so a Beam runner would fire only the
 *   on-time pane (the proto carries `never` in its place; see sdk/trigger/proto.ts).
 * - A GroupByKey with a late-data output (`withLateDataOutput`): Beam's GroupByKey has one
 *   output; a runner drops late data itself (Prism panics on a second output).
 * - Custom window fns (`tributary:window_fn:custom:v1`): a runner groups by window and needs the
 *   window fn itself; Beam runners know only the standard ones.
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { elementPredicatesOf } from '../../sdk/trigger/proto.js';
import { WINDOW_FN_URN } from '../../sdk/window/window-fn-proto.js';
import { URN } from '../../sdk/urns.js';
import { PortableUnsupportedError } from './errors.js';

const STANDARD_WINDOW_FNS: ReadonlySet<string> = new Set([WINDOW_FN_URN.GLOBAL, WINDOW_FN_URN.FIXED, WINDOW_FN_URN.SLIDING, WINDOW_FN_URN.SESSIONS]);

/** Throws a PortableUnsupportedError for the first transform `runner` cannot run as written. */
export function checkPortable(proto: beam.IPipeline, runner: string): void {
  const c = proto.components ?? {};
  const predicates = elementPredicatesOf(proto);
  const strategies = c.windowingStrategies ?? {};
  for (const id of Object.keys(c.transforms ?? {}).sort()) {
    const t = c.transforms![id]!;
    const urn = t.spec?.urn;
    if (urn !== URN.GROUP_BY_KEY && urn !== URN.WINDOW_INTO) continue;
    for (const pcId of Object.values(urn === URN.GROUP_BY_KEY ? (t.inputs ?? {}) : (t.outputs ?? {}))) {
      const wsId = c.pcollections?.[pcId]?.windowingStrategyId ?? '';
      const names = predicates.get(wsId);
      if (urn === URN.GROUP_BY_KEY && names?.length) {
        throw new PortableUnsupportedError(
          t.uniqueName || id,
          runner,
          `the element-predicate trigger ${names.map((n) => `AfterElementMatches(${n})`).join(', ')}`,
          "a Beam runner fires panes itself and Beam's Trigger has no element predicate, so it would emit only the on-time pane; " +
            'run this pipeline with --runner=direct, or use early firings a Beam runner has (AfterCount, AfterProcessingTime)',
        );
      }
      const windowFn = strategies[wsId]?.windowFn?.urn ?? '';
      if (windowFn && !STANDARD_WINDOW_FNS.has(windowFn)) {
        throw new PortableUnsupportedError(
          t.uniqueName || id,
          runner,
          `the custom window fn ${windowFn}`,
          'Beam runners group by window with the standard window fns only (global, fixed, sliding, sessions); ' +
            'express the windows with one of those, or run this pipeline with --runner=direct',
        );
      }
    }
  }
  // After the triggers and window fns, which say more about why a pipeline cannot run.
  for (const id of Object.keys(c.transforms ?? {}).sort()) {
    const t = c.transforms![id]!;
    if (t.spec?.urn === URN.GROUP_BY_KEY && Object.keys(t.outputs ?? {}).length > 1) {
      throw new PortableUnsupportedError(
        t.uniqueName || id,
        runner,
        'a late-data output (withLateDataOutput)',
        "Beam's GroupByKey has one output and the runner drops late data itself; " +
          'run this pipeline with --runner=direct, or drop withLateDataOutput()',
      );
    }
  }
}
