/**
 * The pipeline's `requirements`: features a runner must understand to run it correctly (Beam's
 * rule: a runner rejects a pipeline whose requirements it does not know, rather than silently
 * running it wrong).
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { URN } from '../urns.js';
import { STATE_URN } from '../state/urns.js';
import { usesStateOrTimers } from './state-specs.js';

export function requirementsOf(transforms: Readonly<Record<string, beam.IPTransform>>): string[] {
  const found = new Set<string>();
  for (const t of Object.values(transforms)) {
    if (t.spec?.urn !== URN.PAR_DO || !t.spec.payload) continue;
    const payload = beam.ParDoPayload.decode(t.spec.payload);
    if (payload.restrictionCoderId) found.add(URN.REQUIREMENT_SPLITTABLE_DOFN);
    if (usesStateOrTimers(payload)) found.add(STATE_URN.REQUIRES_STATEFUL_PROCESSING);
    if (payload.requiresStableInput) found.add(URN.REQUIREMENT_REQUIRES_STABLE_INPUT);
  }
  return [...found].sort();
}
