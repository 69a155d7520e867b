/**
 * What can be wrong with a checkpoint directory, each naming the file (and the field, the
 * differing items, the process holding it) and what to do.
 */
import { CheckpointError } from '../exec/snapshot-bytes.js';

export { CheckpointError };

/** The checkpoint file is unreadable, or a field of it is missing or out of range. */
export class CheckpointFormatError extends CheckpointError {
  constructor(
    readonly file: string,
    readonly field: string,
    problem: string,
  ) {
    super(`${file} is not a valid checkpoint: ${field === '' ? '' : `field "${field}" `}${problem}; delete it (or use another --checkpointDir) to start over`);
  }
}

/** The checkpoint was written by another pipeline, other options or other input. */
export class CheckpointMismatchError extends CheckpointError {
  constructor(
    readonly file: string,
    readonly differences: readonly string[],
  ) {
    const shown = differences.slice(0, 8).join('; ') + (differences.length > 8 ? `; and ${differences.length - 8} more` : '');
    super(
      `the checkpoint ${file} belongs to another job (${shown}): run the job it was written for to resume it, ` +
        `or give this job another --checkpointDir (or delete this one) to start over`,
    );
  }
}

/** The job the checkpoint belongs to finished, and the run was told not to start it over. */
export class CheckpointFinishedError extends CheckpointError {
  constructor(readonly file: string, finishedAt: number) {
    super(
      `the checkpoint ${file} belongs to a job that finished at ${new Date(finishedAt).toISOString()}: there is nothing to resume; ` +
        `run with --checkpointIfFinished=restart to start it over, or use another --checkpointDir`,
    );
  }
}

/** Another live process holds the checkpoint directory. */
export class CheckpointLockedError extends CheckpointError {
  constructor(readonly dir: string, readonly holder: string) {
    super(
      `the checkpoint directory ${dir} is in use by ${holder}: two jobs cannot share a checkpoint directory; ` +
        `give this job its own --checkpointDir, or wait for the other job to end`,
    );
  }
}
