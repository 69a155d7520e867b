/**
 * What the staged program bundle exports besides the pipeline file's own `default` and `options`
 * (see bundle.ts): the functions a worker calls *inside* the bundle, so the graph it rebuilds and
 * the user functions it runs come from the bundle's own copy of Tributary (one set of classes).
 */
import { loadedFromModule, buildPipelineFile } from '../worker/pipeline-file.js';
import { encodePipeline } from '../../sdk/translate/to-proto.js';

export { startHarness } from '../harness/harness.js';

/** Builds the bundled pipeline with `values` exactly as the submitter did: the proto to compare
 *  with the submitted one and the user functions by id. */
export async function buildSubmission(module: Record<string, unknown>, file: string, values: Readonly<Record<string, unknown>>) {
  const built = await buildPipelineFile(loadedFromModule(module, file), values, { source: 'the submitted options' });
  return { proto: encodePipeline(built.portable.proto), userFns: built.portable.userFns, options: built.options };
}
