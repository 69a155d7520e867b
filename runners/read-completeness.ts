/**
 * A job that ends DONE must have read what its Kappa+ replays planned. A runner that drops a
 * read's leftover work (a residual it never schedules again) otherwise ends a backfill DONE, exit
 * 0, having read a part of the warehouse — Beam's Flink runner did exactly that with checkpointing
 * on (docs/runners.md, "Checkpointing and the replay"), and no other signal showed it. The replay
 * publishes its plan and its progress as the `kappa/partitionsTotal` and
 * `kappa/partitionsCompleted` gauges (the names the job page and Prometheus show), so the check
 * needs no import of the connector. A runner that reports no such gauges is not checked.
 */
import { TributaryError } from '../sdk/errors.js';
import type { MetricResults } from '../sdk/metrics/container.js';

export interface IncompleteRead {
  readonly transform: string;
  readonly partitionsCompleted: number;
  readonly partitionsTotal: number;
}

export class IncompleteReadError extends TributaryError {
  constructor(
    readonly runner: string,
    readonly reads: readonly IncompleteRead[],
  ) {
    super(
      `the job ended DONE on the ${runner} runner, but ${reads
        .map((r) => `the Kappa+ replay "${r.transform}" completed ${r.partitionsCompleted} of its ${r.partitionsTotal} partitions`)
        .join('; ')}: the runner dropped the rest of the read, so the output is incomplete. ` +
        'Run the job again (a stateful job from a checkpoint taken before the end); report it with the runner and its options, ' +
        'as it is a runner defect',
    );
  }
}

/** The replays of a finished job that completed fewer partitions than they planned. */
export function incompleteReads(metrics: MetricResults): IncompleteRead[] {
  const steps = new Set(metrics.gauges.filter((g) => g.namespace === 'kappa' && g.name === 'partitionsTotal').map((g) => g.step));
  const out: IncompleteRead[] = [];
  for (const step of steps) {
    const partitionsTotal = metrics.gauge('partitionsTotal', { step, namespace: 'kappa' });
    const partitionsCompleted = metrics.gauge('partitionsCompleted', { step, namespace: 'kappa' }) ?? 0;
    if (partitionsTotal !== undefined && partitionsCompleted < partitionsTotal) out.push({ transform: step, partitionsCompleted, partitionsTotal });
  }
  return out;
}

/** Throws `IncompleteReadError` when a DONE job's replays read less than they planned. */
export function checkReadsCompleted(runner: string, metrics: MetricResults): void {
  const reads = incompleteReads(metrics);
  if (reads.length > 0) throw new IncompleteReadError(runner, reads);
}
