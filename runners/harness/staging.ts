/**
 * What the submitter stages for workers and how a worker finds it — the contract between the
 * portable runner (which stages) and the harness (which fetches). Both import these names:
 *
 * - the user's program, bundled into one ES module file, staged as `tributary-program.mjs`
 *   (role `beam:artifact:role:staging_to:v1`, any type the runner serves);
 * - the pipeline proto as the SDK built it (before any runner-side rewriting), staged as
 *   `tributary-pipeline.pb`: the worker rebuilds the graph and must get these very bytes;
 * - the pipeline's declared options, in the job's pipeline options (a Struct), under
 *   `beam:option:tributary_options:v1` as a JSON object: the worker builds with exactly these.
 */
import { protobuf } from '../../portability-proto/index.js';
import { HarnessStartError } from './errors.js';

export const ARTIFACT_NAMES = {
  program: 'tributary-program.mjs',
  pipeline: 'tributary-pipeline.pb',
} as const;

export const STAGING_TO_ROLE = 'beam:artifact:role:staging_to:v1';
export const OPTIONS_KEY = 'beam:option:tributary_options:v1';

/** The declared options as the job's pipeline options carry them. */
export function optionsToStruct(options: Readonly<Record<string, unknown>>): protobuf.IStruct {
  return protobuf.Struct.fromObject({ fields: { [OPTIONS_KEY]: { stringValue: JSON.stringify(options) } } });
}

/** The declared options back from the provisioned pipeline options. */
export function optionsFromStruct(struct: protobuf.IStruct | null | undefined): Record<string, unknown> {
  const field = struct?.fields?.[OPTIONS_KEY] ?? struct?.fields?.['tributary_options'];
  if (!field) return {};
  const text = field.stringValue;
  if (typeof text !== 'string') throw new HarnessStartError(`the pipeline option ${OPTIONS_KEY} is not a JSON string`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new HarnessStartError(`the pipeline option ${OPTIONS_KEY} does not parse: ${(e as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new HarnessStartError(`the pipeline option ${OPTIONS_KEY} does not parse: not a JSON object`);
  return v as Record<string, unknown>;
}
