/**
 * Where fetched engines live: `.engines/` at the repository root (git-ignored), or the folder
 * named by `TRIBUTARY_ENGINES_DIR`. Nothing here is ever committed; a bare clone fills it on the
 * first run.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from './package-root.js';

export function enginesDir(...parts: string[]): string {
  const root = process.env.TRIBUTARY_ENGINES_DIR ?? packagePath('.engines');
  const dir = join(root, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}
