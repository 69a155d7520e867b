/**
 * Where the direct runner keeps its checkpoint: one file in a local directory, written with
 * v8's structured serialization (state keeps Maps, Sets and shared references) and replaced
 * atomically (write, fsync, rename), so a crash leaves the previous checkpoint or the new one.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';

export interface Checkpoint {
  /** 2 added root positions and processing time; a version-1 checkpoint reads as one without. */
  readonly version: 1 | 2;
  /** The plan's node ids, in order: a checkpoint only restores the pipeline that wrote it. */
  readonly nodes: readonly string[];
  /** Root nodes whose source had finished emitting. */
  readonly rootsDone: readonly string[];
  /** Where each root still emitting was (a position it reported), by node id. */
  readonly roots?: Record<string, unknown>;
  /** The job's processing time (a manual clock's, under TestStream). */
  readonly processingTime?: number;
  readonly watermarks: Record<string, [number, number, number, number]>;
  /** Operator state by node id (operators holding nothing are absent). */
  readonly operators: Record<string, unknown>;
  /** How many checkpoints this run and the runs before it took. */
  readonly sequence: number;
}

const FILE = 'checkpoint.v8';

export class CheckpointStore {
  constructor(readonly dir: string) {}

  async save(checkpoint: Checkpoint): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `${FILE}.tmp`);
    const file = await open(tmp, 'w');
    try {
      await file.writeFile(serialize(checkpoint));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, join(this.dir, FILE));
  }

  async load(): Promise<Checkpoint | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(this.dir, FILE));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    let cp: Checkpoint;
    try {
      cp = deserialize(bytes) as Checkpoint;
    } catch (e) {
      throw new Error(`${join(this.dir, FILE)} is not a readable checkpoint (${(e as Error).message}); delete it to start over`);
    }
    if (cp?.version !== 1 && cp?.version !== 2) {
      throw new Error(`${join(this.dir, FILE)} has checkpoint version ${String(cp?.version)}, this runner reads versions 1 and 2; delete it to start over`);
    }
    return cp;
  }
}
