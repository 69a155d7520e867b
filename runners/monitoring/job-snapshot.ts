/**
 * What the job page shows, as one JSON object per refresh: per-stage throughput (from the change
 * in element counts since the previous snapshot), watermarks and lag, Kappa+ progress,
 * checkpoints, errors and the final state.
 */
import type { MonitoredJob } from './monitored-job.js';
import type { PipelineLayout } from './graph-layout.js';
import { instantText } from './sampler.js';

export interface StageStatus {
  readonly id: string;
  /** Elements out of the stage (into other stages, or into its sinks when it has no outputs). */
  readonly elements: number;
  readonly perSecond: number;
  readonly watermark: string;
  readonly lagSeconds: number | null;
  readonly buffered: number;
}

export interface KappaStatus {
  readonly transform: string;
  readonly partitionsCompleted: number;
  readonly partitionsTotal: number;
  readonly rowsPerSecond: number;
  readonly etaSeconds: number | null;
  readonly watermark: string;
}

export interface JobSnapshot {
  readonly runner: string;
  readonly state: string;
  readonly uptimeSeconds: number;
  readonly externalUi?: string;
  readonly stages: readonly StageStatus[];
  readonly pcollections: Readonly<Record<string, number>>;
  readonly kappa: readonly KappaStatus[];
  readonly checkpoints?: { count: number; lastDurationMs?: number; lastBytes?: number; lastAt?: string };
  readonly errors: ReadonlyArray<{ at: string; message: string }>;
  readonly counters: ReadonlyArray<{ transform: string; name: string; value: number }>;
}

const BOUND = 9.2e15;

/** Builds snapshots; keeps the previous counts to turn them into rates. */
export class JobSnapshots {
  private previous: { at: number; counts: Map<string, number> } | undefined;

  constructor(
    private readonly job: MonitoredJob,
    private readonly layout: PipelineLayout,
  ) {}

  take(): JobSnapshot {
    const job = this.job;
    const now = Date.now();
    const pcs = job.pcollections();
    const counts = new Map(pcs.map((p) => [p.id, p.elements]));
    const transforms = new Map(job.transforms().map((t) => [t.id, t]));
    const outgoing = new Map<string, string[]>();
    for (const e of this.layout.edges) (outgoing.get(e.from) ?? outgoing.set(e.from, []).get(e.from)!).push(e.pcollection);
    const seconds = this.previous ? (now - this.previous.at) / 1000 : 0;
    const stages = this.layout.stages.map((stage): StageStatus => {
      const own = new Set(stage.transforms);
      const pcsOut = [...new Set(outgoing.get(stage.id) ?? [])];
      const measured = pcsOut.length ? pcsOut : Object.entries(this.layout.producers).filter(([, s]) => s === stage.id).map(([pc]) => pc);
      const elements = measured.reduce((s, pc) => s + (counts.get(pc) ?? 0), 0);
      const before = this.previous ? measured.reduce((s, pc) => s + (this.previous!.counts.get(pc) ?? 0), 0) : elements;
      let wm = Infinity;
      let buffered = 0;
      for (const id of own) {
        const t = transforms.get(id);
        if (!t) continue;
        wm = Math.min(wm, t.inputWatermark);
        buffered += t.buffered ?? 0;
      }
      const finite = wm > -BOUND && wm < BOUND;
      return {
        id: stage.id,
        elements,
        perSecond: seconds > 0 ? Math.max(0, (elements - before) / seconds) : 0,
        watermark: wm === Infinity ? '' : instantText(wm),
        lagSeconds: finite ? Math.max(0, (now - wm) / 1000) : wm >= BOUND ? 0 : null,
        buffered,
      };
    });
    this.previous = { at: now, counts };
    const metrics = job.metrics();
    const kappaGauge = (step: string, name: string) => metrics.gauges.find((g) => g.step === step && g.namespace === 'kappa' && g.name === name)?.value;
    const kappaSteps = [...new Set(metrics.gauges.filter((g) => g.namespace === 'kappa' && g.name === 'partitionsTotal').map((g) => g.step))];
    const cp = job.checkpoints();
    return {
      runner: job.runner,
      state: job.state(),
      uptimeSeconds: Math.round((now - job.startedAt) / 100) / 10,
      ...(job.externalUi ? { externalUi: job.externalUi } : {}),
      stages,
      pcollections: Object.fromEntries(counts),
      kappa: kappaSteps.map((step) => ({
        transform: step,
        partitionsCompleted: kappaGauge(step, 'partitionsCompleted') ?? 0,
        partitionsTotal: kappaGauge(step, 'partitionsTotal') ?? 0,
        rowsPerSecond: Math.round(kappaGauge(step, 'rowsPerSecond') ?? 0),
        etaSeconds: kappaGauge(step, 'etaSeconds') ?? null,
        watermark: instantText(kappaGauge(step, 'watermark') ?? -BOUND),
      })),
      ...(cp ? { checkpoints: { count: cp.count, lastDurationMs: cp.lastDurationMs, lastBytes: cp.lastBytes, lastAt: cp.lastAt ? new Date(cp.lastAt).toISOString() : undefined } } : {}),
      errors: job.errors().slice(-10).map((e) => ({ at: new Date(e.at).toISOString(), message: e.message })),
      counters: metrics.counters
        .filter((c) => c.namespace !== 'tributary')
        .sort((a, b) => b.value - a.value)
        .slice(0, 30)
        .map((c) => ({ transform: c.step, name: `${c.namespace}/${c.name}`, value: c.value })),
    };
  }
}
