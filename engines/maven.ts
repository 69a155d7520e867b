/**
 * Resolve pinned Maven artifacts (and, unless told otherwise, their runtime dependencies) to
 * local jar files with the `mvn` on PATH. A generated pom names the artifacts; the dependency
 * plugin copies every jar into `.engines/maven/<key>/lib`, and the resulting list is cached, so a
 * second call costs one directory read and no JVM. Concurrent callers (test files run in
 * parallel) each resolve into a private folder and rename it into place: the first rename wins,
 * the others discard theirs, and nobody ever sees a half-filled folder.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { enginesDir } from './cache.js';
import { MavenResolveError } from './errors.js';

/** One artifact, as Maven names it. */
export interface MavenArtifact {
  groupId: string;
  artifactId: string;
  version: string;
  classifier?: string;
  /** Packaging type; `jar` when absent. */
  type?: string;
  /** `groupId:artifactId` pairs left out of this artifact's dependency tree. */
  exclusions?: string[];
}

export interface ResolveOptions {
  /** Copy only the named artifacts, not their dependencies (e.g. a shaded jar). Default false. */
  transitive?: boolean;
  /** Attempts before giving up (network hiccups on a fresh machine). Default 3. */
  attempts?: number;
  /** Limit for one `mvn` run. Default 10 minutes. */
  timeoutMs?: number;
  /** Progress lines ("resolving ..."); silent when absent. */
  log?: (line: string) => void;
}

/** The dependency plugin's version is pinned too, so a fresh machine runs the same code. */
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.6.1';

/** Parses `groupId:artifactId:version[:classifier]`. */
export function parseCoordinates(coordinates: string): MavenArtifact {
  const parts = coordinates.split(':');
  if (parts.length < 3 || parts.length > 4 || parts.some((p) => p.length === 0)) {
    throw new MavenResolveError(coordinates, 0, 'expected groupId:artifactId:version[:classifier]');
  }
  const [groupId, artifactId, version, classifier] = parts as [string, string, string, string?];
  return classifier ? { groupId, artifactId, version, classifier } : { groupId, artifactId, version };
}

export function formatCoordinates(a: MavenArtifact): string {
  return [a.groupId, a.artifactId, a.version, a.classifier].filter(Boolean).join(':');
}

/**
 * The absolute paths of the jars for `artifacts` (strings `g:a:v[:classifier]` or objects), the
 * named artifacts' own jars first. Throws `MavenResolveError` naming the artifacts after the
 * last failed attempt.
 */
export async function resolveMavenClasspath(
  artifacts: string | MavenArtifact | Array<string | MavenArtifact>,
  options: ResolveOptions = {},
): Promise<string[]> {
  const list = (Array.isArray(artifacts) ? artifacts : [artifacts]).map((a) =>
    typeof a === 'string' ? parseCoordinates(a) : a,
  );
  const transitive = options.transitive ?? true;
  const names = list.map(formatCoordinates).join(', ');
  const key = cacheKey(list, transitive);
  const dir = join(enginesDir('maven'), key);
  const cached = readCachedList(dir);
  if (cached) return cached;

  const attempts = options.attempts ?? 3;
  let lastOutput = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    options.log?.(`resolving ${names} with mvn (attempt ${attempt} of ${attempts})`);
    const work = `${dir}.partial-${process.pid}-${attempt}`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(join(work, 'lib'), { recursive: true });
    writeFileSync(join(work, 'pom.xml'), pomFor(list));
    const args = [
      '-B',
      '-q',
      '-f',
      join(work, 'pom.xml'),
      `${DEPENDENCY_PLUGIN}:copy-dependencies`,
      `-DoutputDirectory=${join(work, 'lib')}`,
      '-DincludeScope=runtime',
      ...(transitive ? [] : ['-DexcludeTransitive=true']),
    ];
    const run = await runMvn(args, options.timeoutMs ?? 600_000);
    if (run.ok) {
      const jars = readdirSync(join(work, 'lib')).filter((f) => f.endsWith('.jar'));
      const own = list.map((a) => ownJarName(a));
      jars.sort((x, y) => rank(own, x) - rank(own, y) || x.localeCompare(y));
      writeFileSync(join(work, 'classpath.txt'), jars.join('\n') + '\n');
      try {
        renameSync(work, dir);
      } catch {
        rmSync(work, { recursive: true, force: true }); // another caller finished first
      }
      const done = readCachedList(dir);
      if (done) return done;
      lastOutput = `resolved, but ${dir} has no classpath.txt`;
    } else {
      lastOutput = run.output;
      rmSync(work, { recursive: true, force: true });
    }
    if (attempt < attempts) await new Promise((r) => setTimeout(r, 2000 * attempt));
  }
  throw new MavenResolveError(names, attempts, tail(lastOutput, 40));
}

function readCachedList(dir: string): string[] | undefined {
  const file = join(dir, 'classpath.txt');
  if (!existsSync(file)) return undefined;
  const jars = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((j) => join(dir, 'lib', j));
  return jars.every((j) => existsSync(j)) ? jars : undefined;
}

function cacheKey(list: MavenArtifact[], transitive: boolean): string {
  const first = list[0]!;
  const hash = createHash('sha256')
    .update(JSON.stringify({ list, transitive }))
    .digest('hex')
    .slice(0, 12);
  return `${first.artifactId}-${first.version}-${hash}`;
}

function ownJarName(a: MavenArtifact): string {
  return `${a.artifactId}-${a.version}${a.classifier ? `-${a.classifier}` : ''}.${a.type ?? 'jar'}`;
}

function rank(own: string[], jar: string): number {
  const i = own.indexOf(jar);
  return i < 0 ? own.length : i;
}

function pomFor(list: MavenArtifact[]): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const deps = list
    .map((a) => {
      const exclusions = (a.exclusions ?? [])
        .map((e) => {
          const [g, n] = e.split(':');
          return `<exclusion><groupId>${esc(g ?? '')}</groupId><artifactId>${esc(n ?? '*')}</artifactId></exclusion>`;
        })
        .join('');
      return (
        `<dependency><groupId>${esc(a.groupId)}</groupId><artifactId>${esc(a.artifactId)}</artifactId>` +
        `<version>${esc(a.version)}</version>` +
        (a.classifier ? `<classifier>${esc(a.classifier)}</classifier>` : '') +
        (a.type ? `<type>${esc(a.type)}</type>` : '') +
        (exclusions ? `<exclusions>${exclusions}</exclusions>` : '') +
        `</dependency>`
      );
    })
    .join('\n    ');
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>tributary.engines</groupId>
  <artifactId>resolve</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    ${deps}
  </dependencies>
</project>
`;
}

function runMvn(args: string[], timeoutMs: number): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile('mvn', args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        resolve({ ok: false, output: "'mvn' was not found on PATH: install Maven 3 (e.g. apt-get install maven)" });
      } else {
        resolve({ ok: !err, output: err ? `${err.message}\n${output}` : output });
      }
    });
  });
}

function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
}
