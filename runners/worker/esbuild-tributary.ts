/**
 * esbuild plugins shared by the two places that compile a user's pipeline file: loading it in a
 * compiled CLI (compile-pipeline-file.ts) and bundling it for remote workers
 * (runners/portable/bundle.ts); keepImportMeta also builds the CLI's own bundle (bin/build-dist.mjs).
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { RUNNING_COMPILED, compiledTwin } from '../../engines/package-root.js';
import { TributaryError } from '../../sdk/errors.js';

const RESOLVING = Symbol('tributary-resolving');

/** How both places build: one ES module for Node 20, in memory, errors thrown (not printed). */
export const NODE_MODULE_BUILD = { bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, logLevel: 'silent' } as const;

/**
 * Tributary's own modules as the running process has them. A pipeline file imports the SDK by a
 * relative path (`../sdk/index.js`), which names a TypeScript source; when this process runs from
 * `dist/`, that import must reach the same compiled module the CLI already loaded — two copies of
 * the SDK would split `instanceof` checks and registries. Such imports (and npm packages) are
 * left to Node at run time, by absolute URL: `dist/<path>.js`, which gives the module of the
 * CLI's one bundle (bin/build-dist.mjs).
 */
export function tributaryAsRunning(): Plugin {
  return {
    name: 'tributary-as-running',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === RESOLVING || args.kind === 'entry-point') return undefined;
        const r = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: RESOLVING });
        if (r.errors.length > 0 || r.external || !r.path) return undefined;
        const twin = RUNNING_COMPILED ? compiledTwin(r.path) : undefined;
        if (twin) return { path: pathToFileURL(twin).href, external: true };
        if (/[\\/]node_modules[\\/]/.test(r.path)) return { path: pathToFileURL(r.path).href, external: true };
        return undefined;
      });
    },
  };
}

/** A module uses what a build cannot keep of its import.meta. */
export class ImportMetaError extends TributaryError {}

/** `import.meta.url` (and `dirname`/`filename`) in a user's file keep naming that file once it is
 *  compiled into another place. `urlOf` gives, for a file, the JavaScript expression of its URL
 *  (default: the absolute URL as a string); with one, `dirname`/`filename` are refused, since
 *  they would have to be computed from that expression. */
export function keepImportMeta(urlOf?: (path: string) => string): Plugin {
  return {
    name: 'keep-import-meta',
    setup(build) {
      build.onLoad({ filter: /\.[mc]?[jt]sx?$/ }, async (args) => {
        if (/[\\/]node_modules[\\/]/.test(args.path)) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('import.meta.')) return undefined;
        let contents: string;
        if (urlOf) {
          if (/\bimport\.meta\.(dirname|filename)\b/.test(source)) {
            throw new ImportMetaError(`${args.path}: the dirname and filename of import.meta cannot be kept in this build; derive them from its url`);
          }
          contents = source.replace(/\bimport\.meta\.url\b/g, urlOf(args.path));
        } else {
          const url = pathToFileURL(args.path).href;
          const dir = args.path.replace(/[\\/][^\\/]*$/, '');
          contents = source
            .replace(/\bimport\.meta\.url\b/g, JSON.stringify(url))
            .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(args.path))
            .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(dir));
        }
        const ext = args.path.slice(args.path.lastIndexOf('.') + 1);
        const loader = ext.startsWith('m') || ext.startsWith('c') ? (ext.slice(1) as 'ts' | 'js') : (ext as 'ts' | 'js' | 'tsx' | 'jsx');
        return { contents, loader };
      });
    },
  };
}
