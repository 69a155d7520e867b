// How the two commands load the CLI: compiled from dist/ when it is fresh (plain Node, fast to
// start), else from the TypeScript sources through tsx (a checkout being edited, or a build that
// has not run). TRIBUTARY_FROM_SOURCE=1 forces the sources.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Written by bin/build-dist.mjs: when the build started (ms since the epoch). */
export const BUILT_AT = 'dist/.built-at';
const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** The folders dist/ is built from: the top folders of tsconfig.build.json's `include`. */
export function compiledFolders(root = ROOT) {
  const include = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')).include;
  return [...new Set(include.map((entry) => entry.split('/')[0]))];
}

/** dist/ was built after the last change to any source it compiles. */
export function compiledIsFresh() {
  let builtAt;
  try {
    builtAt = Number(readFileSync(join(ROOT, BUILT_AT), 'utf8'));
  } catch {
    return false;
  }
  const newer = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (newer(path)) return true;
      } else if ((entry.name.endsWith('.ts') || entry.name.endsWith('.js')) && statSync(path).mtimeMs > builtAt) return true;
    }
    return false;
  };
  // (A dist/ without the CLI's bundle was built by an older bin/build-dist.mjs.)
  return Number.isFinite(builtAt) && existsSync(join(ROOT, 'dist/tributary.js')) && !compiledFolders().some((dir) => newer(join(ROOT, dir)));
}

/** The CLI's entry points, from wherever they are fresh. */
export async function loadCli() {
  if (process.env.TRIBUTARY_FROM_SOURCE !== '1' && compiledIsFresh()) {
    // Pipeline files are compiled with inline source maps: their stack traces name their lines.
    process.setSourceMapsEnabled(true);
    const { main, exitAfterOutput } = await import('../dist/tributary.js');
    return { main, exitAfterOutput };
  }
  const { register } = await import('tsx/esm/api');
  register();
  const [{ main }, { exitAfterOutput }] = await Promise.all([import('../cli/main.ts'), import('../cli/exit.ts')]);
  return { main, exitAfterOutput };
}
