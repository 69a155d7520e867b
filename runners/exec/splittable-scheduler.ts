/**
 * What a splittable read needs from whatever runs it: a task outside bundles, exclusive turns in
 * which its buffered output is delivered and watermarks settle, and a moment a checkpoint may be
 * taken. The direct runner's executor implements it; the SDK harness runs reads inside the
 * runner's bundles instead (see `runners/harness/`), with its own implementation.
 */
export interface SplittableScheduler {
  /** Runs `task` outside any bundle; the job waits for it, and fails if it fails. */
  spawn(task: Promise<void>): void;
  /** Runs `work` as one bundle: after everything queued, before anything queued later. */
  exclusive(work: () => Promise<void>): Promise<void>;
  /** Inside `exclusive`: finishes the bundle (finishBundle, drain async work), upstream first. */
  finishBundles(): Promise<void>;
  /** Inside `exclusive`: re-reads holds and fires what the new watermarks make ready. */
  settleWatermarks(): Promise<void>;
  /** Records the elements buffered right now, for the peak (KAPPA.md rule 10). */
  sampleBufferedElements(): void;
  /** Inside `exclusive`, after finishing the bundle: a moment a checkpoint may be taken. */
  maybeCheckpoint(): Promise<void>;
  /** The job was cancelled or failed: long-lived work should stop. */
  readonly stopped: boolean;
}
