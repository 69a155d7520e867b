/**
 * The folder an engine keeps its configuration, logs and temporary files in. A folder the engine
 * made itself is removed when the engine stops, so runs do not pile up in the system's temp folder
 * (a Flink TaskManager's working folder holds every job's staged jars: hundreds of MB per job);
 * a folder the caller gave is kept, all but its `tmp` part. `TRIBUTARY_KEEP_ENGINE_DIRS=1` keeps
 * everything, for reading an engine's logs after a run.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EngineWorkDir {
  readonly path: string;
  /** The engine JVMs' `java.io.tmpdir`. */
  readonly tmp: string;
  /** Removes the folder if the engine made it (only `tmp` otherwise). */
  remove(): void;
}

export function engineWorkDir(given: string | undefined, prefix: string): EngineWorkDir {
  const own = given === undefined;
  const path = given ?? mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(path, { recursive: true });
  const tmp = join(path, 'tmp');
  return {
    path,
    tmp,
    remove() {
      if (process.env.TRIBUTARY_KEEP_ENGINE_DIRS === '1') return;
      rmSync(own ? path : tmp, { recursive: true, force: true });
    },
  };
}
