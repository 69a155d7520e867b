/**
 * What a Beam runner cannot execute with the same results, refused before anything is submitted:
 * each error names the transform, the runner and what to do instead.
 *
 * - Custom window fns (`tributary:window_fn:custom:v1`) on a GroupByKey the runner groups: a
 *   runner groups by window and needs the window fn itself; Beam runners know only the standard
 *   ones.
 *
 * A GroupByKey whose trigger has an element predicate, or which routes late data to a second
 * output, is not refused: the submission runs it as a stateful ParDo of the SDK's own windowing
 * (expand-windowing.ts).
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { triggerSlotsOf } from '../../sdk/trigger/proto.js';
import { needsExpansion } from './expand-windowing.js';
import { WINDOW_FN_URN } from '../../sdk/window/window-fn-proto.js';
import { URN } from '../../sdk/urns.js';
import { PortableUnsupportedError } from './errors.js';

const STANDARD_WINDOW_FNS: ReadonlySet<string> = new Set([WINDOW_FN_URN.GLOBAL, WINDOW_FN_URN.FIXED, WINDOW_FN_URN.SLIDING, WINDOW_FN_URN.SESSIONS]);

/** Throws a PortableUnsupportedError for the first transform `runner` cannot run as written. */
export function checkPortable(proto: beam.IPipeline, runner: string): void {
  const c = proto.components ?? {};
  const slots = triggerSlotsOf(proto);
  const strategies = c.windowingStrategies ?? {};
  for (const id of Object.keys(c.transforms ?? {}).sort()) {
    const t = c.transforms![id]!;
    const urn = t.spec?.urn;
    if (urn !== URN.GROUP_BY_KEY && urn !== URN.WINDOW_INTO) continue;
    // Grouped in the SDK, with the SDK's window fn (expand-windowing.ts), on event-time timers.
    if (urn === URN.GROUP_BY_KEY && needsExpansion(t, c, slots)) {
      const wsId = c.pcollections?.[Object.values(t.inputs ?? {})[0] ?? '']?.windowingStrategyId ?? '';
      if (usesProcessingTime(strategies[wsId]?.trigger)) {
        throw new PortableUnsupportedError(
          t.uniqueName || id,
          runner,
          'AfterProcessingTime in a trigger with an element predicate or a late-data output',
          'the SDK groups such a GroupByKey itself (a stateful ParDo) and fires on event time only; ' +
            'drop AfterProcessingTime from this trigger, or run this pipeline with --runner=direct',
        );
      }
      continue;
    }
    for (const pcId of Object.values(urn === URN.GROUP_BY_KEY ? (t.inputs ?? {}) : (t.outputs ?? {}))) {
      const wsId = c.pcollections?.[pcId]?.windowingStrategyId ?? '';
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
}

function usesProcessingTime(t: beam.ITrigger | null | undefined): boolean {
  if (!t) return false;
  if (t.afterProcessingTime) return true;
  const subs = [
    t.afterEndOfWindow?.earlyFirings, t.afterEndOfWindow?.lateFirings, t.repeat?.subtrigger, t.orFinally?.main, t.orFinally?.finally,
    ...(t.afterEach?.subtriggers ?? []), ...(t.afterAny?.subtriggers ?? []), ...(t.afterAll?.subtriggers ?? []),
  ];
  return subs.some(usesProcessingTime);
}
