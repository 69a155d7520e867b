/**
 * A pipeline file made loadable by plain Node, for a CLI running compiled (no TypeScript loader
 * in the process: registering one costs about as much start-up time and memory as all of
 * Tributary). esbuild compiles the file and the user's own modules it imports into one ES module
 * in the temp folder; Tributary's modules and npm packages stay outside it, imported by absolute
 * URL, so the pipeline shares the CLI's SDK. The result is reused while none of the files it was
 * compiled from changed (esbuild is then not even loaded). Copies of pipeline files that no
 * longer exist are swept whenever something is compiled, so the folder does not grow without end
 * (tests and benches write pipeline files into folders they delete).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NODE_MODULE_BUILD, keepImportMeta, tributaryAsRunning } from './esbuild-tributary.js';

/** What a compiled pipeline was made from: each input file with its size and modification time. */
interface CompiledRecord {
  /** The pipeline file (absent in records written before the sweep existed). */
  readonly source?: string;
  readonly output: string;
  readonly inputs: ReadonlyArray<readonly [path: string, size: number, mtimeMs: number]>;
}

/** The compiled module's URL; throws esbuild's messages (with file and line) when it cannot. */
export async function compilePipelineFile(path: string): Promise<string> {
  const dir = join(tmpdir(), 'tributary-pipelines');
  const recordFile = join(dir, `${createHash('sha256').update(path).digest('hex').slice(0, 24)}.json`);
  const record = readRecord(recordFile);
  if (record && unchanged(record)) return pathToFileURL(record.output).href;

  const { build } = await import('esbuild');
  const workingDir = dirname(path);
  const result = await build({
    ...NODE_MODULE_BUILD,
    entryPoints: [path],
    absWorkingDir: workingDir,
    sourcemap: 'inline',
    metafile: true,
    plugins: [tributaryAsRunning(), keepImportMeta()],
  });
  const bytes = result.outputFiles[0]!.contents;
  mkdirSync(dir, { recursive: true });
  const output = join(dir, `${createHash('sha256').update(path).update(bytes).digest('hex').slice(0, 24)}.mjs`);
  const inputs = Object.keys(result.metafile.inputs).map((p) => {
    const file = resolve(workingDir, p);
    const s = statSync(file);
    return [file, s.size, s.mtimeMs] as const;
  });
  // Concurrent runs of one pipeline write the same bytes: each renames its own whole copy into place.
  writeWhole(output, bytes);
  writeWhole(recordFile, JSON.stringify({ source: path, output, inputs } satisfies CompiledRecord));
  // One compiled copy per pipeline file: each edit made a new one and the folder grew without end.
  if (record && record.output !== output) rmSync(record.output, { force: true });
  sweepOrphans(dir, Date.now());
  return pathToFileURL(output).href;
}

function readRecord(recordFile: string): CompiledRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordFile, 'utf8')) as CompiledRecord;
  } catch {
    return undefined;
  }
}

function unchanged(record: CompiledRecord): boolean {
  for (const [file, size, mtimeMs] of record.inputs) {
    const s = statSync(file, { throwIfNoEntry: false });
    if (!s || s.size !== size || s.mtimeMs !== mtimeMs) return false;
  }
  return existsSync(record.output);
}

/** Files younger than this are never swept: another process may be writing or about to import
 *  them (a worker loads the compiled module after the CLI made it). */
const SWEEP_MIN_AGE_MS = 60 * 60 * 1000;

/**
 * Removes the copies (and records) of pipeline files that no longer exist, then any compiled
 * module or partial write that no record names. Best effort: a file another process removed
 * first, or one it cannot read, is skipped, never an error of this run.
 */
export function sweepOrphans(dir: string, now: number): void {
  const old = (file: string): boolean => (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? now) < now - SWEEP_MIN_AGE_MS;
  const kept = new Set<string>();
  const entries = readdirSync(dir);
  for (const name of entries.filter((n) => n.endsWith('.json'))) {
    const recordFile = join(dir, name);
    const record = readRecord(recordFile);
    const source = record?.source ?? record?.inputs[0]?.[0];
    const young = !old(recordFile);
    if (record && (young || (source !== undefined && existsSync(source)))) {
      kept.add(record.output);
      continue;
    }
    if (young) continue;
    rmSync(recordFile, { force: true });
    if (record) rmSync(record.output, { force: true });
  }
  for (const name of entries.filter((n) => n.endsWith('.mjs') || n.endsWith('.partial'))) {
    const file = join(dir, name);
    if (!kept.has(file) && old(file)) rmSync(file, { force: true });
  }
}

function writeWhole(file: string, data: string | Uint8Array): void {
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, data);
  renameSync(partial, file);
}
