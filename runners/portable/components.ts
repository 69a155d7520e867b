/**
 * Editing a decoded pipeline's components at submission (lifting, windowing expansion): the
 * decoded shapes, and coders added only when the pipeline lacks them.
 */
import { pipeline as beam } from '../../portability-proto/index.js';

/** Decoded components: protobufjs fills every map and list. */
export type Components = {
  transforms: Record<string, beam.IPTransform & { subtransforms: string[]; inputs: Record<string, string>; outputs: Record<string, string> }>;
  pcollections: Record<string, beam.IPCollection & { coderId: string; windowingStrategyId: string }>;
  coders: Record<string, beam.ICoder & { componentCoderIds: string[] }>;
  windowingStrategies: Record<string, beam.IWindowingStrategy>;
};

/** The one value of `m`, if it has exactly one. */
export function only(m: { [k: string]: string }): string | undefined {
  const v = Object.values(m);
  return v.length === 1 ? v[0] : undefined;
}

/** The id of the coder `urn(components)`, added if the pipeline does not have it yet. */
export function coder(c: Components, urn: string, components: string[]): string {
  for (const [id, k] of Object.entries(c.coders)) {
    if (k.spec?.urn === urn && (k.spec.payload?.length ?? 0) === 0 && k.componentCoderIds.join(',') === components.join(',')) return id;
  }
  const id = `lifted_${urn.split(':')[2]}(${components.join(',')})`;
  c.coders[id] = beam.Coder.create({ spec: { urn }, componentCoderIds: components });
  return id;
}
