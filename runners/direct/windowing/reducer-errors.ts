/** Errors of the windowing engine. */
import { CheckpointError } from '../../exec/snapshot-bytes.js';

/** A reducer checkpoint that does not fit the reducer asked to restore it. */
export class ReducerRestoreError extends CheckpointError {
  private constructor(
    /** The grouping (GroupByKey / Combine.perKey) being restored. */
    readonly grouping: string,
    message: string,
  ) {
    super(message);
  }

  static notEmpty(grouping: string): ReducerRestoreError {
    return new ReducerRestoreError(grouping, `the grouping "${grouping}" has state already: a checkpoint is restored before any element`);
  }

  static otherStrategy(grouping: string): ReducerRestoreError {
    return new ReducerRestoreError(
      grouping,
      `the checkpoint of "${grouping}" was taken with another windowing strategy: resume it with the pipeline that wrote it, or start over with another --checkpointDir`,
    );
  }
}
