import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// A fresh machine downloads the dependency plugin and the jars on the first call.
const FIRST_FETCH_MS = 300_000;
import { MavenResolveError, parseCoordinates, resolveMavenClasspath } from '../../engines/index.js';

describe('resolveMavenClasspath', () => {
  it('resolves a pinned artifact with its dependencies to local jars, the artifact first, and caches the list', async () => {
    const jars = await resolveMavenClasspath('org.slf4j:slf4j-simple:1.7.36');
    expect(jars[0]).toMatch(/slf4j-simple-1\.7\.36\.jar$/);
    expect(jars.some((j) => /slf4j-api-1\.7\.36\.jar$/.test(j))).toBe(true);
    expect(jars.every((j) => existsSync(j))).toBe(true);
    expect(await resolveMavenClasspath('org.slf4j:slf4j-simple:1.7.36')).toEqual(jars);
  }, FIRST_FETCH_MS);

  it('leaves dependencies out when not transitive', async () => {
    const jars = await resolveMavenClasspath('org.slf4j:slf4j-simple:1.7.36', { transitive: false });
    expect(jars.map((j) => j.split('/').pop())).toEqual(['slf4j-simple-1.7.36.jar']);
  }, FIRST_FETCH_MS);

  it('names the artifact when it cannot be resolved', async () => {
    const error = await resolveMavenClasspath('org.tributary.nonexistent:no-such-artifact:0.0.1', { attempts: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MavenResolveError);
    expect((error as Error).message).toContain('org.tributary.nonexistent:no-such-artifact:0.0.1');
  }, FIRST_FETCH_MS);

  it('rejects malformed coordinates', () => {
    expect(() => parseCoordinates('just-a-name')).toThrow(/groupId:artifactId:version/);
  });
});
