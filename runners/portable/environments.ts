/**
 * Where a Beam runner runs Tributary's user code: standard environments only.
 *
 * - `process`  — `beam:env:process:v1`: the runner starts `<command>` with Beam's boot flags
 *   (`--id --control_endpoint --logging_endpoint --provision_endpoint --artifact_endpoint`), i.e.
 *   `tributary harness`; the user's program comes to it as the staged bundle.
 * - `external` — `beam:env:external:v1`: the runner asks a worker pool (`tributary worker-pool`)
 *   at `url` to start workers; the program comes the same way.
 * - `loopback` — also `beam:env:external:v1`, with a worker pool served by the submitting process
 *   itself: no bundle is needed, the workers run this process's functions.
 *
 * Every environment lists the capabilities the harness implements (the coders it decodes, the
 * protocols it speaks) and the staged program as its dependency.
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { ENVIRONMENT_ID, environmentCapabilities } from '../../sdk/translate/environment.js';

export const ENV_PROCESS = 'beam:env:process:v1';
export const ENV_EXTERNAL = 'beam:env:external:v1';

export type EnvironmentKind = 'process' | 'external' | 'loopback';

export type EnvironmentChoice =
  | { readonly kind: 'process'; readonly command: string; readonly env?: Readonly<Record<string, string>> }
  | { readonly kind: 'external' | 'loopback'; readonly url: string };

export function environmentProto(choice: EnvironmentChoice, dependencies: readonly beam.IArtifactInformation[]): beam.IEnvironment {
  const payload =
    choice.kind === 'process'
      ? beam.ProcessPayload.encode({ command: choice.command, env: { ...(choice.env ?? {}) } }).finish()
      : beam.ExternalPayload.encode({ endpoint: { url: choice.url } }).finish();
  return {
    urn: choice.kind === 'process' ? ENV_PROCESS : ENV_EXTERNAL,
    payload,
    capabilities: environmentCapabilities(),
    dependencies: [...dependencies],
  };
}

/** The pipeline with Tributary's environment replaced by `env` (a copy; the input is untouched). */
export function withEnvironment(proto: beam.IPipeline, env: beam.IEnvironment): beam.Pipeline {
  const copy = beam.Pipeline.decode(beam.Pipeline.encode(proto).finish());
  copy.components!.environments![ENVIRONMENT_ID] = beam.Environment.create(env);
  return copy;
}
