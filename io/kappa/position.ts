/**
 * The replay's restriction: the step to read next and the files already finished inside it
 * (KAPPA.md, resume). Files are claimed before they are read and marked finished after their
 * rows went downstream; only finished files may be skipped by a resumed run.
 */
import type { RestrictionTracker } from '../../sdk/index.js';

export interface ReplayPosition {
  /** The first step not completed by the whole group. */
  readonly step: number;
  /** Paths of the files of that step already read to the end (all sources). */
  readonly finished: readonly string[];
}

export const ReplayPosition = {
  START: { step: 0, finished: [] } as ReplayPosition,
};

export type ReplayClaim =
  | { readonly kind: 'file'; readonly step: number; readonly source: string; readonly path: string }
  /** The whole group completed every step before `step`. */
  | { readonly kind: 'step'; readonly step: number };

export class ReplayTracker implements RestrictionTracker<ReplayPosition, ReplayClaim> {
  private step: number;
  private readonly done: Set<string>;

  constructor(position: ReplayPosition) {
    this.step = position.step;
    this.done = new Set(position.finished);
  }

  tryClaim(claim: ReplayClaim): boolean {
    if (claim.kind === 'step') {
      if (claim.step <= this.step) throw new Error(`replay step ${claim.step} claimed after step ${this.step}`);
      this.step = claim.step;
      this.done.clear();
      return true;
    }
    if (claim.step !== this.step) throw new Error(`file ${claim.path} of step ${claim.step} claimed during step ${this.step}`);
    return !this.done.has(claim.path);
  }

  /** The file's rows are all downstream. */
  finished(claim: ReplayClaim & { kind: 'file' }): void {
    this.done.add(claim.path);
  }

  currentRestriction(): ReplayPosition {
    return { step: this.step, finished: [...this.done].sort() };
  }
}
