/**
 * A pipeline file made loadable by plain Node, for a CLI running compiled (no TypeScript loader
 * in the process: registering one costs about as much start-up time and memory as all of
 * Tributary). esbuild compiles the file and the user's own modules it imports into one ES module
 * in the temp folder; Tributary's modules and npm packages stay outside it, imported by absolute
 * URL, so the pipeline shares the CLI's SDK.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { NODE_MODULE_BUILD, keepImportMeta, tributaryAsRunning } from './esbuild-tributary.js';

/** The compiled module's URL; throws esbuild's messages (with file and line) when it cannot. */
export async function compilePipelineFile(path: string): Promise<string> {
  const result = await build({
    entryPoints: [path],
    absWorkingDir: dirname(path),
    ...NODE_MODULE_BUILD,
    sourcemap: 'inline',
    plugins: [tributaryAsRunning({ external: true }), keepImportMeta()],
  });
  const bytes = result.outputFiles[0]!.contents;
  const dir = join(tmpdir(), 'tributary-pipelines');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${createHash('sha256').update(path).update(bytes).digest('hex').slice(0, 24)}.mjs`);
  // Concurrent runs of one pipeline write the same bytes: each renames its own whole copy into place.
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, bytes);
  renameSync(partial, file);
  return pathToFileURL(file).href;
}
