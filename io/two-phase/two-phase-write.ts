/**
 * A two-phase-commit file sink, built the Beam way on requires-stable-input so that it is
 * exactly-once on every runner that honours it (the direct runner with a checkpoint directory,
 * Flink with checkpointing):
 *
 *   WritePending   each bundle writes its elements, per window and destination, to new pending
 *                  files under a hidden folder (`_pending…`) and outputs one record per file
 *   → Commit       requires stable input: a record arrives only once a durable checkpoint holds
 *                  it, and moves the pending file to its final name (idempotent: seen again after
 *                  a restore, it finds the move done); outputs what was committed
 *   → Cleanup      when the input ends (global window, after every commit): deletes the pending
 *                  files no checkpoint holds — written after the last checkpoint before a crash,
 *                  and written again by the resumed run — counted as `orphanedFilesRemoved`
 *
 * Final names carry a fresh token per pending file, so committing a bundle's output twice would
 * show as duplicates: the sink relies on the commit step seeing each record exactly as the
 * checkpoint holds it, never on names. A file becomes visible at the checkpoint after it was
 * written (the checkpoint interval is the commit latency). Files are per bundle and destination:
 * many small bundles make many small files.
 */
import { randomBytes } from 'node:crypto';
import {
  Count,
  DoFn,
  GlobalWindows,
  Metrics,
  ParDo,
  PTransform,
  Window,
  type FinishBundleContext,
  type PCollection,
  type ProcessContext,
} from '../../sdk/index.js';
import type { Instant } from '../../sdk/time/instant.js';
import type { BoundedWindow } from '../../sdk/window/bounded-window.js';
import { validate } from '../storage/index.js';
import { commitPendingFile, removeOrphans, type PendingFile } from './commit.js';

/** How a sink lays out its files: what goes together, where it ends up, how it is written. */
export interface PendingFileFormat<T, M> {
  /** File name ending, e.g. `.txt`, `.parquet`. */
  readonly suffix: string;
  /** The hidden folder pending files go to (stable across runs: a resumed run commits there). */
  readonly pendingDir: string;
  /** Elements with the same destination (in one window, one bundle) go to one file. */
  destination(element: T, timestamp: Instant, window: BoundedWindow): string;
  /** The final path of a file of `destination`, made unique by `token`. */
  finalPath(destination: string, token: string, window: BoundedWindow): string;
  /** Writes `elements` to `path` (atomically) and says what it wrote. */
  write(path: string, elements: readonly T[], destination: string): Promise<M>;
}

/** What the sink outputs per committed file. */
export interface CommittedFile<M> {
  readonly path: string;
  readonly meta: M;
}

interface Group<T> {
  readonly destination: string;
  readonly window: BoundedWindow;
  earliest: Instant;
  readonly elements: T[];
}

class WritePendingFn<T, M> extends DoFn<T, PendingFile<M>> {
  private readonly files = Metrics.counter('twophase', 'pendingFilesWritten');
  private groups = new Map<string, Group<T>>();
  constructor(readonly format: PendingFileFormat<T, M>) {
    super();
  }
  override async setup(): Promise<void> {
    await validate(this.format.pendingDir, 'write');
  }
  process(element: T, ctx: ProcessContext<PendingFile<M>>): void {
    const destination = this.format.destination(element, ctx.timestamp, ctx.window);
    const key = `${String(ctx.window)}\u0000${destination}`;
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { destination, window: ctx.window, earliest: ctx.timestamp, elements: [] }));
    if (ctx.timestamp < g.earliest) g.earliest = ctx.timestamp;
    g.elements.push(element);
  }
  override async finishBundle(ctx: FinishBundleContext<PendingFile<M>>): Promise<void> {
    const groups = [...this.groups.values()];
    this.groups = new Map();
    for (const g of groups) {
      const token = `${Date.now().toString(36)}-${randomBytes(8).toString('hex')}`;
      const pending = `${this.format.pendingDir}/${token}${this.format.suffix}`;
      const meta = await this.format.write(pending, g.elements, g.destination);
      this.files.inc();
      ctx.output({ pending, final: this.format.finalPath(g.destination, token, g.window), meta }, g.earliest, g.window);
    }
  }
}

class CommitFn<M> extends DoFn<PendingFile<M>, CommittedFile<M>> {
  readonly requiresStableInput = true;
  private readonly committed = Metrics.counter('twophase', 'filesCommitted');
  private readonly again = Metrics.counter('twophase', 'commitsRepeated');
  async process(file: PendingFile<M>, ctx: ProcessContext<CommittedFile<M>>): Promise<void> {
    const outcome = await commitPendingFile(file);
    (outcome === 'committed' ? this.committed : this.again).inc();
    ctx.output({ path: file.final, meta: file.meta });
  }
}

class CleanupFn extends DoFn<number, never> {
  readonly requiresStableInput = true;
  private readonly orphans = Metrics.counter('twophase', 'orphanedFilesRemoved');
  constructor(readonly pendingDir: string) {
    super();
  }
  async process(): Promise<void> {
    this.orphans.inc(await removeOrphans(this.pendingDir));
  }
}

export class TwoPhaseWrite<T, M> extends PTransform<PCollection<T>, PCollection<CommittedFile<M>>> {
  constructor(
    private readonly format: PendingFileFormat<T, M>,
    name = 'TwoPhaseWrite',
  ) {
    super(name);
  }
  expand(input: PCollection<T>): PCollection<CommittedFile<M>> {
    const committed = input
      .apply('WritePending', ParDo.of(new WritePendingFn<T, M>(this.format)))
      .apply('Commit', ParDo.of(new CommitFn<M>()));
    committed
      .apply('AllCommitted', Window.into<CommittedFile<M>>(GlobalWindows.of()))
      .apply('CountCommitted', Count.globally<CommittedFile<M>>())
      .apply('Cleanup', ParDo.of(new CleanupFn(this.format.pendingDir)));
    return committed;
  }
}

/** The hidden folder beside `path`'s last segment: `/out/lines` → `/out/_pending-lines`. */
export function pendingFolderBeside(path: string): string {
  const at = path.lastIndexOf('/');
  return `${path.slice(0, at + 1)}_pending-${path.slice(at + 1)}`;
}
