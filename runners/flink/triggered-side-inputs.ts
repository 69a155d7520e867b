/**
 * A side input re-fired by a trigger in the global window (Beam's slowly-updating side input:
 * rules or mapping specs that change while the job runs) gives wrong output on Beam 2.62's Flink
 * runner, and says nothing: examples/dynamic-rules.ts ended DONE with none of the direct runner's
 * 19 alerts, examples/identity-graph.ts with 17 profiles instead of 43 (docs/runners.md). Until
 * that is understood and fixed, the flink runner refuses such a pipeline before it submits it,
 * naming the side input, as Prism refuses it (apache/beam#31438).
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { TributaryError } from '../../sdk/errors.js';
import { URN } from '../../sdk/urns.js';
import { WINDOW_FN_URN } from '../../sdk/window/window-fn-proto.js';

export class TriggeredSideInputOnFlinkError extends TributaryError {
  constructor(readonly sideInputs: readonly string[]) {
    super(
      `the flink runner cannot run a side input re-fired by a trigger in the global window yet: ${sideInputs.join(', ')}. ` +
        "On Beam 2.62's Flink runner such a pipeline ends DONE with wrong output (docs/runners.md). " +
        'Run it on --runner=direct, or window the side input (fixed windows) so that each main window reads a finished side window',
    );
  }
}

/** The side inputs of `p` whose PCollection is in the global window under a non-default trigger,
 *  as `transform (side input "tag" from pcollection)`. */
export function triggeredGlobalSideInputs(p: beam.IPipeline): string[] {
  const c = p.components ?? {};
  const out: string[] = [];
  for (const [id, t] of Object.entries(c.transforms ?? {})) {
    if (t.spec?.urn !== URN.PAR_DO) continue;
    const payload = beam.ParDoPayload.decode(t.spec.payload ?? new Uint8Array());
    for (const tag of Object.keys(payload.sideInputs ?? {})) {
      const pc = t.inputs?.[tag];
      const ws = pc ? c.windowingStrategies?.[c.pcollections?.[pc]?.windowingStrategyId ?? ''] : undefined;
      if (ws?.windowFn?.urn === WINDOW_FN_URN.GLOBAL && ws.trigger && !ws.trigger.default) out.push(`${t.uniqueName || id} (side input "${tag}" from ${pc})`);
    }
  }
  return out;
}

/** Throws `TriggeredSideInputOnFlinkError` when `p` has such a side input. */
export function refuseTriggeredGlobalSideInputs(p: beam.IPipeline): void {
  const found = triggeredGlobalSideInputs(p);
  if (found.length > 0) throw new TriggeredSideInputOnFlinkError(found);
}
