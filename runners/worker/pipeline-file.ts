/**
 * Loading a pipeline file: the module `tributary run`, `tributary proto` and a worker all import,
 * so that each builds the same graph from the same options.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RUNNING_COMPILED } from '../../engines/package-root.js';
import type { pipeline as beam } from '../../portability-proto/index.js';
import { TributaryError } from '../../sdk/errors.js';
import type { Pipeline } from '../../sdk/graph/pipeline.js';
import { buildPipeline, validateDeclarations, type OptionDeclarations, type ParseOptionsSettings, type PipelineModule } from '../../sdk/options/index.js';
import { toPortable, type PortablePipeline } from '../../sdk/translate/to-proto.js';

/** The pipeline file is missing, does not load, or does not have the expected exports. */
export class PipelineFileError extends TributaryError {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface LoadedPipelineFile {
  /** As given by the user. */
  readonly file: string;
  /** Absolute path. */
  readonly path: string;
  readonly module: PipelineModule;
  /** The declared options (empty when the file declares none). */
  readonly declarations: OptionDeclarations;
}

/** Imports a pipeline file (TypeScript needs tsx registered, as `bin/tributary.mjs` does). */
export async function loadPipelineFile(file: string): Promise<LoadedPipelineFile> {
  const path = resolve(file);
  if (!existsSync(path)) throw new PipelineFileError(file, `pipeline file not found: ${file} (looked at ${path})`);
  if (!statSync(path).isFile()) throw new PipelineFileError(file, `pipeline file ${file} is not a file`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(RUNNING_COMPILED ? await compiled(path) : pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const code = (e as { code?: string }).code;
    const hint =
      code === 'ERR_REQUIRE_CYCLE_MODULE' || code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE'
        ? ' (the file was loaded as CommonJS: name it .mts, or put it in a package whose package.json has "type": "module")'
        : '';
    throw new PipelineFileError(file, `pipeline file ${file} failed to load: ${why}${hint}`, { cause: e });
  }
  return loadedFromModule(mod, file, path);
}

/** Compiles a pipeline file for a CLI running from `dist/`. The compiler (esbuild, with a native
 *  binary) is imported by a computed URL, so that bundling this module (for remote workers,
 *  runners/portable/bundle.ts, or into the CLI's own bundle) does not pull it in: workers load
 *  bundles, never source files. The URL is this module's neighbour, `dist/runners/worker/...`. */
async function compiled(path: string): Promise<string> {
  const compiler = new URL('./compile-pipeline-file.js', import.meta.url).href;
  const { compilePipelineFile } = (await import(compiler)) as typeof import('./compile-pipeline-file.js');
  return compilePipelineFile(path);
}

/** A pipeline file's module, already imported (from a file, or from a staged program bundle),
 *  checked for its exports. */
export function loadedFromModule(mod: Record<string, unknown>, file: string, path = resolve(file)): LoadedPipelineFile {
  const build = mod.default;
  if (build === undefined) {
    throw new PipelineFileError(
      file,
      `pipeline file ${file} has no default export; export the function that builds the pipeline: ` +
        `export default function (p: Pipeline, options) { ... }`,
    );
  }
  if (typeof build !== 'function') {
    throw new PipelineFileError(file, `pipeline file ${file}: the default export must be a function (p: Pipeline, options) => void that builds the pipeline, got ${typeof build}`);
  }
  const declarations = mod.options ?? {};
  try {
    validateDeclarations(declarations, `the "options" export of ${file}`);
  } catch (e) {
    throw new PipelineFileError(file, (e as Error).message, { cause: e });
  }
  return { file, path, module: { default: build as PipelineModule['default'], options: declarations }, declarations };
}

export interface BuiltPipeline {
  readonly pipeline: Pipeline;
  readonly options: Record<string, unknown>;
  readonly portable: PortablePipeline;
}

/** Validates the options, builds the pipeline and translates it to its portable form. */
export async function buildPipelineFile(
  loaded: LoadedPipelineFile,
  values: Readonly<Record<string, unknown>>,
  settings: ParseOptionsSettings = {},
): Promise<BuiltPipeline> {
  const { pipeline, options } = await buildPipeline(loaded.module, values, settings);
  const portable = toPortable(pipeline);
  portable.proto.displayData.push(optionsDigest(options as Record<string, unknown>));
  return { pipeline, options: options as Record<string, unknown>, portable };
}

/** Display data of a pipeline built from a file: a digest of the options it was built with. */
export const OPTIONS_DIGEST_URN = 'tributary:display_data:options_digest:v1';

/**
 * Options reach user code through closures, which no proto shows: a worker given other values
 * would rebuild the very same graph and silently compute something else. The digest (SHA-256 of
 * the options as canonical JSON: keys sorted) makes them part of the graph a worker checks.
 */
export function optionsDigest(options: Readonly<Record<string, unknown>>): beam.IDisplayData {
  const digest = createHash('sha256').update(canonicalJson(options)).digest('hex');
  return { urn: OPTIONS_DIGEST_URN, payload: new TextEncoder().encode(digest) };
}

function canonicalJson(v: unknown): string {
  if (v === undefined) return 'null';
  if (typeof v === 'bigint') return JSON.stringify(`${v}n`);
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}
