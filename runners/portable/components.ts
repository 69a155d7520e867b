/**
 * Editing a decoded pipeline's components at submission (lifting, windowing expansion): the
 * decoded shapes, and coders added only when the pipeline lacks them.
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { CoderUrns } from '../../sdk/coders/urns.js';
import { ENVIRONMENT_ID } from '../../sdk/translate/environment.js';
import { WINDOW_FN_URN } from '../../sdk/window/window-fn-proto.js';
import { PlanError } from '../exec/errors.js';

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

/** Adds, as `id`, the global window under the default trigger (discarding, no lateness); returns `id`. */
export function addGlobalStrategy(c: Components, id: string, environmentId: string = ENVIRONMENT_ID): string {
  c.windowingStrategies[id] = beam.WindowingStrategy.create({
    windowFn: { urn: WINDOW_FN_URN.GLOBAL, payload: new Uint8Array() },
    mergeStatus: beam.MergeStatus.Enum.NON_MERGING,
    windowCoderId: coder(c, CoderUrns.GLOBAL_WINDOW, []),
    trigger: { default: {} },
    accumulationMode: beam.AccumulationMode.Enum.DISCARDING,
    outputTime: beam.OutputTime.Enum.END_OF_WINDOW,
    closingBehavior: beam.ClosingBehavior.Enum.EMIT_IF_NONEMPTY,
    onTimeBehavior: beam.OnTimeBehavior.Enum.FIRE_IF_NONEMPTY,
    allowedLateness: 0,
    assignsToOneWindow: true,
    environmentId,
  });
  return id;
}

/** What a GroupByKey that a submission rewrites reads: its input, that input's windowing and its
 *  KV coder's key and value coders. */
export interface GroupByKeyInput {
  readonly name: string;
  readonly inputId: string;
  readonly input: Components['pcollections'][string];
  readonly wsId: string;
  readonly ws: beam.IWindowingStrategy;
  readonly keyCoder: string;
  readonly valueCoder: string;
}

/** The input of GroupByKey `t` (id `id`, one input); a PlanError when its coder is not a KV coder. */
export function groupByKeyInput(id: string, t: Components['transforms'][string], c: Components): GroupByKeyInput {
  const name = t.uniqueName || id;
  const inputId = only(t.inputs)!;
  const input = c.pcollections[inputId]!;
  const wsId = input.windowingStrategyId;
  const ws = c.windowingStrategies[wsId]!;
  const kvIn = c.coders[input.coderId]!;
  if (kvIn.spec?.urn !== CoderUrns.KV || kvIn.componentCoderIds.length !== 2) {
    throw new PlanError(name, `GroupByKey "${name}" has input "${input.uniqueName}" whose coder is not a KV coder`);
  }
  const [keyCoder, valueCoder] = kvIn.componentCoderIds as [string, string];
  return { name, inputId, input, wsId, ws, keyCoder, valueCoder };
}
