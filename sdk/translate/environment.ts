/**
 * The environment a pipeline's user code runs in, as the proto says it: one standard Beam
 * environment (`beam:env:process:v1`, the command `tributary harness`) listing what Tributary's
 * harness implements. A portable runner replaces it at submission with the environment it
 * deploys (process with a full command, an external worker pool, or loopback) and the staged
 * program as a dependency; `tributary proto` and the direct runner keep this default.
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { CoderUrns } from '../coders/urns.js';

export const ENVIRONMENT_ID = 'tributary';
export const ENV_PROCESS_URN = 'beam:env:process:v1';
export const HARNESS_COMMAND = 'tributary harness';

/** Protocols the harness speaks beyond the basic Fn API (a runner may use them when listed). */
const PROTOCOLS: readonly string[] = [];

/** The coders the harness decodes (every coder Tributary implements) and its protocols. */
export function environmentCapabilities(): string[] {
  return [...Object.values(CoderUrns), ...PROTOCOLS];
}

export function defaultEnvironment(): beam.IEnvironment {
  return {
    urn: ENV_PROCESS_URN,
    payload: beam.ProcessPayload.encode({ command: HARNESS_COMMAND }).finish(),
    capabilities: environmentCapabilities(),
  };
}
