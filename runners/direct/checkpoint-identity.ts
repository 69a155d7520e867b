/**
 * What a checkpoint belongs to, and how two of them differ. A checkpoint records the pipeline
 * (a digest per step: spec, inputs, outputs and their coders), the job's option values, and what
 * each source reads (`inputIdentity()` of its DoFn: tables, time range). A run resumes a
 * checkpoint only when all three are the same; otherwise the differing items are named.
 */
import { createHash } from 'node:crypto';
import { pipeline as beam } from '../../portability-proto/index.js';
import { inputIdentityOf } from '../../sdk/transforms/input-identity.js';
import { decodeUserFnRef } from '../../sdk/translate/user-fn-spec.js';
import { URN } from '../../sdk/urns.js';
import type { CheckpointIdentity } from './checkpoint-store.js';

export function checkpointIdentity(proto: beam.IPipeline, userFns: ReadonlyMap<string, unknown>, options: Readonly<Record<string, unknown>> = {}): CheckpointIdentity {
  const components = proto.components ?? {};
  const pcollections = components.pcollections ?? {};
  const steps: Record<string, string> = {};
  const inputs: Record<string, Record<string, string>> = {};
  for (const t of Object.values(components.transforms ?? {})) {
    if (!t.spec?.urn) continue;
    const name = t.uniqueName ?? '';
    const h = createHash('sha256').update(t.spec.urn).update('\0').update(t.spec.payload ?? new Uint8Array());
    for (const [side, map] of [['in', t.inputs], ['out', t.outputs]] as const) {
      for (const tag of Object.keys(map ?? {}).sort()) {
        const pc = pcollections[map![tag]!];
        // The PCollection's name, not its id: ids changed form once (see pcollectionId) and a
        // checkpoint written before that must still resume.
        h.update(`\0${side}:${tag}:${pc?.uniqueName ?? map![tag]}:${pc?.coderId ?? ''}:${pc?.windowingStrategyId ?? ''}`);
      }
    }
    steps[name] = h.digest('hex').slice(0, 16);
    if (t.spec.urn === URN.PAR_DO && t.spec.payload) {
      const ref = decodeUserFnRef(beam.ParDoPayload.decode(t.spec.payload).doFn?.payload, name);
      const identity = inputIdentityOf(userFns.get(ref.id));
      if (identity) inputs[name] = { ...identity };
    }
  }
  const pipeline = createHash('sha256');
  for (const name of Object.keys(steps).sort()) pipeline.update(`${name}\0${steps[name]}\0`);
  const optionValues: Record<string, string> = {};
  for (const name of Object.keys(options).sort()) {
    const v = options[name];
    if (v !== undefined) optionValues[name] = showValue(v);
  }
  return { pipeline: pipeline.digest('hex').slice(0, 32), steps, options: optionValues, inputs };
}

/** The items in which a checkpoint's identity differs from this run's, each readable alone. */
export function identityDifferences(saved: CheckpointIdentity, now: CheckpointIdentity): string[] {
  const out: string[] = [];
  for (const name of Object.keys(now.options)) {
    if (saved.options[name] !== now.options[name]) out.push(`option --${name} is ${saved.options[name] ?? '(not given)'} in the checkpoint, ${now.options[name]} now`);
  }
  for (const name of Object.keys(saved.options)) if (!(name in now.options)) out.push(`option --${name} is ${saved.options[name]} in the checkpoint, not given now`);
  for (const step of new Set([...Object.keys(saved.inputs), ...Object.keys(now.inputs)])) {
    const a = saved.inputs[step] ?? {};
    const b = now.inputs[step] ?? {};
    for (const field of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (a[field] !== b[field]) out.push(`input of "${step}": ${field} is ${a[field] ?? '(none)'} in the checkpoint, ${b[field] ?? '(none)'} now`);
    }
  }
  if (saved.pipeline !== now.pipeline) {
    for (const step of Object.keys(now.steps)) {
      if (!(step in saved.steps)) out.push(`step "${step}" is new`);
      else if (saved.steps[step] !== now.steps[step]) out.push(`step "${step}" changed (its transform, coders or connections)`);
    }
    for (const step of Object.keys(saved.steps)) if (!(step in now.steps)) out.push(`step "${step}" is gone`);
    if (out.length === 0) out.push('the pipeline changed');
  }
  return out;
}

function showValue(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
