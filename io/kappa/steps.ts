/**
 * The replay plan of a lockstep group, with no I/O (KAPPA.md rules 4–7): which partitions each
 * source reads, how they fall into steps, and the watermark each step completion emits. Tested
 * with tables alone.
 *
 * - Steps are the intervals of the coarsest source; finer layouts must nest inside them.
 * - A source's partitions of step k are read one at a time, oldest first; no source opens a
 *   partition of step k+1 before the whole group completed step k.
 * - Completing step k emits `min(E_k − B, to)`: B is the group's largest backward skew, `to`
 *   applies with a range. Steps whose watermark would not move past the previous one emit none.
 */
import { intervalEnd, intervalStart, type Granularity } from '../warehouse/layout.js';
import type { Partition } from '../warehouse/partitions.js';
import { TributaryError } from '../../sdk/errors.js';

export interface SourcePlanInput {
  readonly name: string;
  readonly granularity: Granularity;
  /** The source's expected partitions, chronological (missing ones included). */
  readonly partitions: readonly Partition[];
  readonly backwardSkew: number;
}

export interface Step {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  /** Per source (in group order), its partitions in this step, oldest first. */
  readonly partitions: ReadonlyMap<string, readonly Partition[]>;
  /** The watermark emitted when the whole group completed this step, if it moves. */
  readonly watermark: number | undefined;
}

export class ReplayPlanError extends TributaryError {
  override readonly name = 'ReplayPlanError';
}

const ORDER: readonly Granularity[] = ['minute', 'hour', 'day', 'month', 'year'];

export function coarsest(granularities: readonly Granularity[]): Granularity {
  return granularities.reduce((a, b) => (ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a));
}

export function planSteps(sources: readonly SourcePlanInput[], range?: { readonly from: number; readonly to: number }): Step[] {
  if (sources.length === 0) return [];
  const stepGranularity = coarsest(sources.map((s) => s.granularity));
  const maxBackward = Math.max(0, ...sources.map((s) => s.backwardSkew));
  const byStep = new Map<number, Map<string, Partition[]>>();
  for (const source of sources) {
    for (const p of source.partitions) {
      const stepStart = intervalStart(p.start, stepGranularity);
      if (p.end > intervalEnd(stepStart, stepGranularity)) {
        throw new ReplayPlanError(
          `source "${source.name}": partition ${p.label} [${iso(p.start)}, ${iso(p.end)}) crosses a step boundary of the ${stepGranularity}ly steps; ` +
            `layouts in one lockstep group must nest (put sources whose partitions do not nest in separate groups)`,
        );
      }
      let perSource = byStep.get(stepStart);
      if (!perSource) byStep.set(stepStart, (perSource = new Map(sources.map((s) => [s.name, []]))));
      perSource.get(source.name)!.push(p);
    }
  }
  const starts = [...byStep.keys()].sort((a, b) => a - b);
  const steps: Step[] = [];
  let last = -Infinity;
  // Steps with no partition of any source between two that have some still bound the group's
  // progress (they are simply empty), so they are not listed: the next step's watermark covers them.
  for (const start of starts) {
    const end = intervalEnd(start, stepGranularity);
    const perSource = byStep.get(start)!;
    for (const list of perSource.values()) list.sort((a, b) => a.start - b.start);
    let w = end - maxBackward;
    if (range) w = Math.min(w, range.to);
    const watermark = w > last ? w : undefined;
    if (watermark !== undefined) last = watermark;
    steps.push({ index: steps.length, start, end, partitions: perSource, watermark });
  }
  return steps;
}

/** The partitions a source must read (KAPPA.md rule 4): those intersecting `[from − F, to + B)`. */
export function readInterval(range: { readonly from: number; readonly to: number }, forwardSkew: number, backwardSkew: number): { start: number; end: number } {
  return { start: range.from - forwardSkew, end: range.to + backwardSkew };
}

export function iso(t: number): string {
  return new Date(t).toISOString();
}
