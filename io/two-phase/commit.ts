/**
 * The commit half of a two-phase-commit file sink: moving a pending file to its final name,
 * idempotently (a restored run hands the commit step the same pending files again), and removing
 * what no checkpoint will ever commit (files written after the last checkpoint before a crash).
 */
import { TributaryError } from '../../sdk/errors.js';
import { storageFor } from '../storage/index.js';

/** A file written by one bundle, waiting to be committed. `meta` is what the format reports. */
export interface PendingFile<M> {
  readonly pending: string;
  readonly final: string;
  readonly meta: M;
}

/** A pending file that is gone while its final file does not exist: its output is lost. */
export class CommitError extends TributaryError {
  constructor(readonly pending: string, readonly final: string) {
    super(
      `cannot commit ${pending} to ${final}: the pending file is gone and the final file does not exist, so this output is lost; ` +
        `was the pending folder cleaned by another job writing to the same place? Give each job its own output location`,
    );
  }
}

export type CommitOutcome = 'committed' | 'already-committed';

/**
 * Moves `file.pending` to `file.final`. Seen again after a restore: the pending file is gone and
 * the final one exists (already committed), or both exist (S3: copied, not yet deleted), which
 * moves again — the same bytes over the same object.
 */
export async function commitPendingFile(file: PendingFile<unknown>): Promise<CommitOutcome> {
  const storage = storageFor(file.pending);
  if (await storage.exists(file.pending)) {
    await storage.move(file.pending, file.final);
    return 'committed';
  }
  if (await storage.exists(file.final)) return 'already-committed';
  throw new CommitError(file.pending, file.final);
}

/** Deletes everything left in `pendingDir` (run once every commit is done), unfinished writes
 *  of killed processes included; returns how many files went. */
export async function removeOrphans(pendingDir: string): Promise<number> {
  return storageFor(pendingDir).deleteAll(pendingDir);
}
