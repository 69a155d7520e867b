/**
 * Beam's Flink runner (2.62) never notifies a ParDo's `on_window_expiration_timer_family_spec`
 * family (`ExecutableStageDoFnOperator.onWindowExpiration` does nothing), so onWindowExpiration
 * never ran on Flink. The flink runner submits that family declared but not named: the harness
 * then sets the expiry timer itself (runners/harness/plan/stateful.ts), and Flink fires it like
 * any event-time timer, before its own state clean-up of the window (one millisecond later).
 * Flink only: Prism notifies the named family, and a harness timer would fire it a second time.
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { URN } from '../../sdk/urns.js';

/** Unnames every ParDo's window-expiration family in `p` (changed in place). */
export function windowExpirationByHarness(p: beam.Pipeline): beam.Pipeline {
  unnameWindowExpiration(p.components?.transforms ?? {});
  return p;
}

/** The same on a map of transforms (a pipeline's, or a bundle descriptor's). */
export function unnameWindowExpiration(transforms: Record<string, beam.IPTransform>): void {
  for (const t of Object.values(transforms)) {
    if (t.spec?.urn !== URN.PAR_DO) continue;
    const payload = beam.ParDoPayload.decode(t.spec.payload ?? new Uint8Array());
    if (!payload.onWindowExpirationTimerFamilySpec) continue;
    payload.onWindowExpirationTimerFamilySpec = '';
    t.spec.payload = beam.ParDoPayload.encode(payload).finish();
  }
}
