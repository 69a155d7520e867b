/**
 * Where the direct runner keeps its checkpoint: one file in a local directory, written with
 * v8's structured serialization (state keeps Maps, Sets and shared references). A save writes a
 * temporary file of its own (a fresh name, created exclusively, readable by the owner only),
 * fsyncs it, renames it over the checkpoint and fsyncs the directory: a crash leaves the
 * previous checkpoint or the new one, a planted symlink is never followed, and a checkpoint
 * said to be saved is on disk. A load validates the whole structure (checkpoint-validate.ts)
 * before anything trusts it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { CheckpointFormatError } from './checkpoint-errors.js';
import { validateCheckpoint } from './checkpoint-validate.js';
import { syncDirectory } from '../../sdk/files/sync-directory.js';

/** What a checkpoint belongs to (checkpoint-identity.ts). */
export interface CheckpointIdentity {
  /** A digest of every step of the pipeline. */
  readonly pipeline: string;
  /** Each step's digest (its spec, inputs and outputs), by unique name. */
  readonly steps: Readonly<Record<string, string>>;
  /** The job's option values (JSON), by option name. */
  readonly options: Readonly<Record<string, string>>;
  /** What each source step reads (tables, time range...), as the source describes it. */
  readonly inputs: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface Checkpoint {
  /** 3 added the identity, the finished mark and the save time; 1 and 2 are refused. */
  readonly version: 3;
  readonly identity: CheckpointIdentity;
  /** Wall-clock time of the save (ms since the epoch). */
  readonly savedAt: number;
  /** The job ended: nothing to resume, a new run starts over (or refuses, by option). */
  readonly finished: boolean;
  /** The plan's node ids, in order: a checkpoint only restores the pipeline that wrote it. */
  readonly nodes: readonly string[];
  /** Root nodes whose source had finished emitting. */
  readonly rootsDone: readonly string[];
  /** Where each root still emitting was (a position it reported), by node id. */
  readonly roots: Readonly<Record<string, unknown>>;
  /** The job's processing time (a manual clock's, under TestStream). */
  readonly processingTime: number;
  readonly watermarks: Readonly<Record<string, [number, number, number, number]>>;
  /** Operator state by node id (operators holding nothing are absent). */
  readonly operators: Readonly<Record<string, unknown>>;
  /** How many checkpoints this run and the runs before it took. */
  readonly sequence: number;
}

export const CHECKPOINT_FILE = 'checkpoint.v8';

export class CheckpointStore {
  constructor(readonly dir: string) {}

  get file(): string {
    return join(this.dir, CHECKPOINT_FILE);
  }

  /** Creates the directory (owner-only) or checks that it is one. */
  async prepare(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOTDIR') throw new CheckpointFormatError(this.dir, '', 'is a file, not a directory: --checkpointDir names a directory');
      throw e;
    }
  }

  async save(checkpoint: Checkpoint): Promise<void> {
    await this.prepare();
    const tmp = join(this.dir, `${CHECKPOINT_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    const file = await open(tmp, 'wx', 0o600);
    try {
      try {
        await file.writeFile(serialize(checkpoint));
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, this.file);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    await syncDirectory(this.dir);
  }

  /** The checkpoint in the directory, its structure validated (checkpoint-validate.ts). */
  async load(): Promise<Checkpoint | undefined> {
    const file = this.file;
    let bytes: Buffer;
    try {
      if ((await stat(file)).isDirectory()) throw new CheckpointFormatError(file, '', 'is a directory, not a checkpoint file');
      bytes = await readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    let value: unknown;
    try {
      value = deserialize(bytes);
    } catch (e) {
      throw new CheckpointFormatError(file, '', `cannot be read (${(e as Error).message})`);
    }
    return validateCheckpoint(value, { file, size: bytes.length });
  }
}
