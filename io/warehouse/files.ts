/**
 * File matching shared by the file-based connectors (Parquet, text): a path, a glob or a list of
 * them is expanded into the files it names, through `io/storage`, so it works on local disk and
 * S3 alike. The `MatchFiles` transform does the same inside a pipeline: its expansion step checks
 * the paths when the pipeline starts (in the DoFn's `setup`, before any element moves), so a
 * missing path or a bad scheme fails the job at once with a message naming the path.
 *
 * Also home of `DeadLetter`, the record the connectors route bad files, rows and lines to.
 */
import { DoFn, Impulse, Metrics, ParDo, PTransform, type PBegin, type PCollection } from '../../sdk/index.js';
import { StorageError } from '../storage/errors.js';
import { storageFor, validate } from '../storage/index.js';
import { asDirectory, type Storage } from '../storage/storage.js';
import { isIgnoredComponent } from './layout.js';
import { TributaryError } from '../../sdk/errors.js';

/** One matched file. */
export interface FileRef {
  path: string;
  size: number;
}

/**
 * What a connector sends to its dead-letter output instead of failing the job: the file, the kind
 * of problem (`truncated`, `corrupt`, `schema-mismatch`, `unreadable`, `bad-timestamp`,
 * `bad-json`, `bad-row`...), the full error message and, for a bad row or line, the row itself.
 */
export interface DeadLetter {
  path: string;
  problem: string;
  message: string;
  row?: unknown;
  /** 1-based line number, for text files. */
  line?: number;
}

export class FileMatchError extends TributaryError {
  override readonly name = 'FileMatchError';
  constructor(
    readonly pattern: string,
    detail: string,
  ) {
    super(`${pattern}: ${detail}`);
  }
}

export interface MatchOptions {
  /** File name endings accepted when a directory or glob is expanded (default: any). An exact file path is always accepted. */
  extensions?: string[];
  storage?: Storage;
}

const WILDCARD = /[*?[]/;

/** True when the path has glob characters (`*`, `**`, `?`, `[abc]`). */
export function isGlob(path: string): boolean {
  return WILDCARD.test(path);
}

/** A regular expression for a glob: `*` and `?` stay within one path component, `**` crosses them. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close === -1) re += '\\[';
      else {
        const body = glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * The files a path names, sorted by path: an exact file; every file below a directory (paths with
 * a component starting with `_` or `.` are skipped, like `_SUCCESS` or in-flight temporary files);
 * or the files matching a glob. Nothing matching is a FileMatchError naming the pattern.
 */
export async function matchFiles(pattern: string, options: MatchOptions = {}): Promise<FileRef[]> {
  const storage = options.storage ?? storageFor(pattern);
  const accept = (p: string) => !options.extensions?.length || options.extensions.some((e) => p.endsWith(e));
  const out: FileRef[] = [];
  if (isGlob(pattern)) {
    const base = globBase(pattern);
    const re = globToRegExp(pattern);
    for await (const e of storage.list(base)) {
      if (e.isDirectory || !re.test(e.path) || hidden(e.path, base)) continue;
      if (accept(e.path)) out.push({ path: e.path, size: e.size });
    }
    if (out.length === 0) throw new FileMatchError(pattern, `no files match the pattern (listed ${base})`);
  } else {
    if (!pattern.endsWith('/')) {
      const st = await storage.stat(pattern).then(
        (s) => s,
        (err: unknown) => {
          if (err instanceof StorageError && (err.problem === 'not-found' || err.problem === 'invalid-path' || err.problem === 'io')) return undefined;
          throw err;
        },
      );
      if (st) return [{ path: pattern, size: st.size }];
    }
    const dir = asDirectory(pattern);
    for await (const e of storage.list(dir)) {
      if (e.isDirectory || hidden(e.path, dir)) continue;
      if (accept(e.path)) out.push({ path: e.path, size: e.size });
    }
    if (out.length === 0) {
      throw new FileMatchError(pattern, `no such file, and no ${options.extensions?.length ? `${options.extensions.join('/')} ` : ''}files below it as a directory. Check the path`);
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The directory a glob lists: everything before the component holding the first wildcard. */
function globBase(pattern: string): string {
  const wild = pattern.search(WILDCARD);
  return pattern.slice(0, pattern.lastIndexOf('/', wild) + 1);
}

function hidden(path: string, base: string): boolean {
  return path.slice(base.length).split('/').some(isIgnoredComponent);
}

/** Checks a path's scheme at once (construction time): StorageError `unknown-scheme` / `invalid-path`. */
export function checkScheme(path: string): void {
  storageFor(path);
}

/** Lists the files of `patterns` (in order, without duplicates). */
export async function matchAll(patterns: readonly string[], options: MatchOptions = {}): Promise<FileRef[]> {
  const seen = new Set<string>();
  const out: FileRef[] = [];
  for (const p of patterns) {
    await validate(isGlob(p) ? globBase(p) : p, 'read');
    for (const f of await matchFiles(p, options)) {
      if (seen.has(f.path)) continue;
      seen.add(f.path);
      out.push(f);
    }
  }
  return out;
}

/** The expansion step: lists the files when the pipeline starts (setup), emits them on the impulse. */
export class ExpandFilesFn extends DoFn<Uint8Array, FileRef> {
  private files: FileRef[] | undefined;
  private readonly matched = Metrics.counter('files', 'filesMatched');
  constructor(
    readonly patterns: readonly string[],
    readonly options: { extensions?: string[] },
  ) {
    super();
  }
  override async setup(): Promise<void> {
    this.files = await matchAll(this.patterns, this.options);
  }
  async process(_impulse: Uint8Array): Promise<FileRef[]> {
    const files = this.files ?? (await matchAll(this.patterns, this.options));
    this.files = undefined;
    this.matched.inc(files.length);
    return files;
  }
}

/** A root transform: the files matching `patterns`, checked when the pipeline starts. */
export class MatchFiles extends PTransform<PBegin, PCollection<FileRef>> {
  constructor(
    private readonly patterns: readonly string[],
    private readonly options: { extensions?: string[] } = {},
  ) {
    super('MatchFiles');
    if (patterns.length === 0) throw new FileMatchError('(none)', 'no path given');
    for (const p of patterns) checkScheme(p);
  }
  expand(input: PBegin): PCollection<FileRef> {
    return input.pipeline.apply('Impulse', Impulse.create()).apply('Expand', ParDo.of(new ExpandFilesFn(this.patterns, this.options)));
  }
}
