/**
 * The replay's restriction: the step to read next, the files already finished inside it, and
 * how many rows of each file being read were already emitted (KAPPA.md, resume). The runner
 * checkpoints it between batches, together with the state downstream, so a resumed run skips
 * exactly what was emitted before — each row goes downstream once.
 */
import type { RestrictionTracker } from '../../sdk/index.js';
import { InternalError } from '../../sdk/errors.js';

export interface ReplayPosition {
  /** The first step not completed by the whole group. */
  readonly step: number;
  /** Paths of the files of that step already read to the end (all sources). */
  readonly finished: readonly string[];
  /** Files of that step read part-way: rows already emitted, in the file's row order. */
  readonly partial?: Readonly<Record<string, number>>;
}

export const ReplayPosition = {
  START: { step: 0, finished: [], partial: {} } as ReplayPosition,
};

export type ReplayClaim =
  | { readonly kind: 'file'; readonly step: number; readonly source: string; readonly path: string }
  /** The whole group completed every step before `step`. */
  | { readonly kind: 'step'; readonly step: number };

export class ReplayTracker implements RestrictionTracker<ReplayPosition, ReplayClaim> {
  private step: number;
  private readonly done: Set<string>;
  private readonly partial: Map<string, number>;

  constructor(position: ReplayPosition) {
    this.step = position.step;
    this.done = new Set(position.finished);
    this.partial = new Map(Object.entries(position.partial ?? {}));
  }

  tryClaim(claim: ReplayClaim): boolean {
    if (claim.kind === 'step') {
      if (claim.step <= this.step) throw new InternalError(`replay step ${claim.step} claimed after step ${this.step}`);
      this.step = claim.step;
      this.done.clear();
      this.partial.clear();
      return true;
    }
    if (claim.step !== this.step) throw new InternalError(`file ${claim.path} of step ${claim.step} claimed during step ${this.step}`);
    return !this.done.has(claim.path);
  }

  /** Rows of `path` emitted so far (a resumed read skips them). */
  emitted(path: string): number {
    return this.partial.get(path) ?? 0;
  }

  /** `rows` rows of `path` have been output (in the file's order). */
  progress(path: string, rows: number): void {
    this.partial.set(path, rows);
  }

  /** The file's rows have all been output. */
  finished(claim: ReplayClaim & { kind: 'file' }): void {
    this.partial.delete(claim.path);
    this.done.add(claim.path);
  }

  currentRestriction(): ReplayPosition {
    return { step: this.step, finished: [...this.done].sort(), partial: Object.fromEntries([...this.partial].sort(([a], [b]) => (a < b ? -1 : 1))) };
  }
}
