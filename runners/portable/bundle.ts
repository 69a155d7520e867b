/**
 * The user's program as ONE file a worker on another host can import: an esbuild bundle (ES
 * module, Node 20) of the pipeline file, everything it imports (Tributary included, so the
 * worker's graph and functions come from the same code as the submitter's) and
 * `program-entry.ts`. Staged through the job server's artifact service; never read from a shared
 * disk. npm packages with native parts cannot be bundled and are reported by name.
 */
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { build } from 'esbuild';
import { PortableJobError } from './errors.js';
import { packagePath } from '../../engines/package-root.js';
import { NODE_MODULE_BUILD } from '../worker/esbuild-tributary.js';


export interface ProgramBundle {
  readonly bytes: Uint8Array;
  readonly sha256: string;
}

/** Bundled from the TypeScript sources, also when the CLI runs from `dist/` (whose modules are
 *  one prebuilt bundle, not files to bundle again): the pipeline file imports the sources too,
 *  so the program holds one copy of Tributary. */
const ENTRY = packagePath('runners', 'portable', 'program-entry.ts');

/** Bundles `pipelineFile` (a .ts or .js pipeline file) into one ES module. */
export async function bundleProgram(pipelineFile: string): Promise<ProgramBundle> {
  const file = resolve(pipelineFile);
  // The pipeline file's exports, plus the two functions the harness looks for in a bundle:
  // buildSubmission(values) rebuilds the graph, startHarness runs the worker, both with the
  // bundle's own copy of Tributary.
  const contents = [
    `import * as program from ${JSON.stringify(file)};`,
    `import { buildSubmission as build } from ${JSON.stringify(ENTRY)};`,
    `export * from ${JSON.stringify(file)};`,
    `export { default } from ${JSON.stringify(file)};`,
    `export { startHarness } from ${JSON.stringify(ENTRY)};`,
    `export function buildSubmission(values) { return build(program, ${JSON.stringify(pipelineFile)}, values); }`,
  ].join('\n');
  let result;
  try {
    result = await build({
      stdin: { contents, resolveDir: dirname(file), sourcefile: 'tributary-program-entry.js', loader: 'js' },
      ...NODE_MODULE_BUILD,
      legalComments: 'none',
      // CommonJS packages inside an ES module bundle still call require().
      // (The expression is split so that compiling this file into the CLI's bundle, which rewrites
      // each module's own import-meta URL, leaves the banner's alone.)
      banner: { js: "import { createRequire as __tributaryCreateRequire } from 'node:module'; const require = __tributaryCreateRequire(import.meta" + '.url);' },
    });
  } catch (e) {
    const errors = (e as { errors?: Array<{ text: string; location?: { file: string; line: number } }> }).errors ?? [];
    const first = errors.slice(0, 3).map((m) => `${m.location ? `${m.location.file}:${m.location.line}: ` : ''}${m.text}`).join('; ');
    throw new PortableJobError(`cannot bundle ${pipelineFile} for the workers: ${first || (e as Error).message}`, { cause: e });
  }
  const bytes = result.outputFiles[0]!.contents;
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}
