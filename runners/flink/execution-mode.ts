/**
 * Flink's batch or streaming mode for a pipeline. Beam's Flink job server translates a job in
 * batch mode (its DataSet translation) when `beam:option:streaming:v1` is false: each fused stage
 * is one bundle per partition (no per-bundle round trips to the harness), and a GroupByKey is a
 * sort-based group-combine then group-reduce (no keyed state, no timer per key and window). For a
 * bounded keyed sum that is 3–4× faster than streaming (bench/flink/cluster.ts).
 *
 * Batch computes one pane per key and window, at the end of the input, and Beam 2.62's batch
 * translation differs from a streaming run for some pipelines, so the runner picks batch only
 * where the output is the same; anything else runs in streaming mode:
 *
 * - a TestStream or an unbounded PCollection (Beam's batch translation has no source for them);
 * - a splittable DoFn (a Kappa+ replay, a live read): its watermark steps between residuals are
 *   what its windows fire on; in batch the residuals are drained inside one bundle;
 * - user state or timers: batch groups a stateful stage by key and fires every timer after the
 *   key's last element, where a streaming run fires event-time timers as the watermark passes;
 * - a trigger other than the default (or AfterWatermark without early or late firings): batch
 *   computes one final pane, not EARLY/LATE panes; a GroupByKey with a late-data output likewise;
 * - a merging window fn other than sessions (a custom one): Beam's batch group-combine merges
 *   each partition's windows, then its reduce merges the partial windows after sorting them by end
 *   only, so a partial window that spans two others from another partition is not merged with the
 *   first: at parallelism 2 a 50,000-event sessions count gave 45,103 sessions where the direct
 *   runner gives 45,101;
 * - checkpointing (`--checkpointingInterval`): recovery from a checkpoint is a streaming feature.
 *
 * Sessions do not keep a pipeline in streaming mode: where the rest of the rule holds, the workers
 * merge them (`sessionsInWorkers`) and Flink only groups by key in the global window.
 *
 * `--flinkBatch` asks for batch and is refused, with the reason, for a pipeline the rule keeps in
 * streaming mode; `--no-flinkBatch` forces streaming.
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { URN } from '../../sdk/urns.js';
import { WINDOW_FN_URN } from '../../sdk/window/window-fn-proto.js';
import { FlinkSetupError } from './flink-options.js';

/** `--flinkBatch` on a pipeline that batch mode would run differently; names the reason. */
export class FlinkBatchRefusedError extends FlinkSetupError {}

/** Why `p` must run in Flink's streaming mode, or undefined when batch gives the same output
 *  (its sessions merged by the workers, see sessionsInWorkers). */
export function streamingReason(p: beam.IPipeline, checkpointing: boolean): string | undefined {
  if (checkpointing) return '--checkpointingInterval is set (checkpoints are a streaming feature)';
  const c = p.components ?? {};
  const transforms = c.transforms ?? {};
  for (const [id, t] of Object.entries(transforms)) {
    const urn = t.spec?.urn;
    const name = t.uniqueName || id;
    if (urn === URN.TEST_STREAM) return `"${name}" is a TestStream`;
    if (urn === URN.GROUP_BY_KEY && Object.keys(t.outputs ?? {}).length > 1) return `GroupByKey "${name}" has a late-data output`;
    if (urn === URN.PAR_DO) {
      const pardo = beam.ParDoPayload.decode(t.spec?.payload ?? new Uint8Array());
      if (pardo.restrictionCoderId) return `"${name}" is a splittable DoFn (a read)`;
      if (Object.keys(pardo.stateSpecs ?? {}).length || Object.keys(pardo.timerFamilySpecs ?? {}).length) return `"${name}" uses state or timers`;
    }
  }
  for (const [id, pc] of Object.entries(c.pcollections ?? {})) {
    const name = pc.uniqueName || id;
    if (pc.isBounded === beam.IsBounded.Enum.UNBOUNDED) return `PCollection "${name}" is unbounded`;
    const ws = c.windowingStrategies?.[pc.windowingStrategyId ?? ''];
    if (!ws) continue;
    if (ws.mergeStatus === beam.MergeStatus.Enum.NEEDS_MERGE && ws.windowFn?.urn !== WINDOW_FN_URN.SESSIONS) return `PCollection "${name}" has merging windows other than sessions, which Beam's batch GroupByKey can merge wrongly at parallelism > 1`;
    if (!finalPaneOnly(ws.trigger)) return `PCollection "${name}" has a trigger with early or late firings (batch computes only the final pane)`;
  }
  return undefined;
}

/** The default trigger, or AfterWatermark with neither early nor late firings. */
function finalPaneOnly(t: beam.ITrigger | null | undefined): boolean {
  if (!t || t.default) return true;
  const w = t.afterEndOfWindow;
  return w != null && !w.earlyFirings && !w.lateFirings;
}

/**
 * Streaming (true) or batch (false) for `p`: `requested` is `--flinkBatch` (true: batch, false:
 * streaming, undefined: the runner's choice, batch wherever it gives the same output).
 */
export function chooseStreaming(p: beam.IPipeline, requested: { batch?: boolean; checkpointing: boolean }): boolean {
  if (requested.batch === false) return true;
  const reason = streamingReason(p, requested.checkpointing);
  if (requested.batch === true && reason !== undefined) {
    throw new FlinkBatchRefusedError(`--flinkBatch: this pipeline must run in Flink's streaming mode: ${reason}; drop --flinkBatch (the runner picks batch by itself where batch gives the same output)`);
  }
  return reason !== undefined;
}

/**
 * Whether the workers may merge the pipeline's sessions (runners/portable/sessions-in-workers.ts,
 * with the pre-merge of runners/exec/merging-precombine.ts before the shuffle): only where no
 * element can be late and every session fires one final pane — the pipeline batch would run
 * (checkpointing aside: the rewrite is exact in streaming mode too). Its one source is then an
 * Impulse, whose watermark goes from the start of time to the end in one step after every
 * element, so no stage sees an element behind its watermark; and every trigger is the default or
 * a plain AfterWatermark.
 */
export function sessionsInWorkers(p: beam.IPipeline): boolean {
  return streamingReason(p, false) === undefined;
}
