/**
 * esbuild plugins shared by the two places that compile a user's pipeline file: loading it in a
 * compiled CLI (compile-pipeline-file.ts) and bundling it for remote workers
 * (runners/portable/bundle.ts).
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { RUNNING_COMPILED, compiledTwin } from '../../engines/package-root.js';

const RESOLVING = Symbol('tributary-resolving');

/** How both places build: one ES module for Node 20, in memory, errors thrown (not printed). */
export const NODE_MODULE_BUILD = { bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, logLevel: 'silent' } as const;

/**
 * Tributary's own modules as the running process has them. A pipeline file imports the SDK by a
 * relative path (`../sdk/index.js`), which names a TypeScript source; when this process runs from
 * `dist/`, that import must reach the same compiled module the CLI already loaded — two copies of
 * the SDK would split `instanceof` checks and registries. `external`: leave such imports (and
 * npm packages) to Node at run time, by absolute URL; otherwise bundle the compiled files.
 */
export function tributaryAsRunning(options: { external: boolean }): Plugin {
  return {
    name: 'tributary-as-running',
    setup(build) {
      // Bundling from the sources: they are what the process runs, nothing to redirect.
      if (!options.external && !RUNNING_COMPILED) return;
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === RESOLVING || args.kind === 'entry-point') return undefined;
        const r = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: RESOLVING });
        if (r.errors.length > 0 || r.external || !r.path) return undefined;
        const twin = RUNNING_COMPILED ? compiledTwin(r.path) : undefined;
        if (options.external) {
          if (twin) return { path: pathToFileURL(twin).href, external: true };
          if (/[\\/]node_modules[\\/]/.test(r.path)) return { path: pathToFileURL(r.path).href, external: true };
          return undefined;
        }
        return twin ? { path: twin } : undefined;
      });
    },
  };
}

/** `import.meta.url` (and `dirname`/`filename`) in a user's file keep naming that file once it is
 *  compiled into another place. */
export function keepImportMeta(): Plugin {
  return {
    name: 'keep-import-meta',
    setup(build) {
      build.onLoad({ filter: /\.[mc]?[jt]sx?$/ }, async (args) => {
        if (/[\\/]node_modules[\\/]/.test(args.path)) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('import.meta.')) return undefined;
        const url = pathToFileURL(args.path).href;
        const dir = args.path.replace(/[\\/][^\\/]*$/, '');
        const contents = source
          .replace(/\bimport\.meta\.url\b/g, JSON.stringify(url))
          .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(args.path))
          .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(dir));
        const ext = args.path.slice(args.path.lastIndexOf('.') + 1);
        const loader = ext.startsWith('m') || ext.startsWith('c') ? (ext.slice(1) as 'ts' | 'js') : (ext as 'ts' | 'js' | 'tsx' | 'jsx');
        return { contents, loader };
      });
    },
  };
}
