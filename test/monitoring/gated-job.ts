/**
 * Jobs the monitoring tests watch while they run: a DoFn named "Gate" holds one chosen element
 * until the test opens the gate, so the test inspects the job at a known point (no sleeps), then
 * lets it finish and inspects the end.
 */
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import type { MonitoredJob } from '../../runners/monitoring/monitored-job.js';
import { isMonitorable } from '../../runners/monitoring/monitored-job.js';
import {
  Count,
  DoFn,
  Duration,
  FixedWindows,
  Instant,
  Metrics,
  ParDo,
  Pipeline,
  Window,
  type PCollection,
  type PipelineResult,
  type ProcessContext,
} from '../../sdk/index.js';
import { TestStream } from '../../sdk/testing/test-stream.js';

export class Gate {
  private open!: () => void;
  private reach!: () => void;
  readonly opened = new Promise<void>((r) => (this.open = r));
  /** Resolves when the held element arrives. */
  readonly reached = new Promise<void>((r) => (this.reach = r));
  constructor(readonly holds: (value: unknown) => boolean) {}
  arrive(): Promise<void> {
    this.reach();
    return this.opened;
  }
  release(): void {
    this.open();
  }
}

class GateFn<T> extends DoFn<T, T> {
  private readonly seen = Metrics.counter('test', 'seen');
  private readonly sizes = Metrics.distribution('test', 'valueLength');
  constructor(private readonly gate: Gate) {
    super();
  }
  async process(value: T, ctx: ProcessContext<T>): Promise<void> {
    if (this.gate.holds(value)) await this.gate.arrive();
    this.seen.inc();
    this.sizes.update(String(value).length);
    ctx.output(value);
  }
}

export function gated<T>(input: PCollection<T>, gate: Gate): PCollection<T> {
  return input.apply('Gate', ParDo.of(new GateFn<T>(gate)));
}

const s = (n: number) => Instant.ofEpochMillis(n * 1000);

/** a, b, cc in [0, 10 s); the watermark to 10 s (that window fires); then "gate" at 11 s, held;
 *  then "late" at 5 s, behind the watermark: dropped by the count. */
export function countingPipeline(gate: Gate): Pipeline {
  const p = new Pipeline();
  const events = p.apply(
    'Events',
    TestStream.create<string>()
      .addElements({ value: 'a', timestamp: s(1) }, { value: 'b', timestamp: s(2) }, { value: 'cc', timestamp: s(3) })
      .advanceWatermarkTo(s(10))
      .addElements({ value: 'gate', timestamp: s(11) })
      .addElements({ value: 'late', timestamp: s(5) })
      .advanceWatermarkToInfinity(),
  );
  gated(events, gate)
    .apply('Windowed', Window.into<string>(FixedWindows.of(Duration.seconds(10))))
    .apply('CountPerWindow', Count.globally<string>().withoutDefaults());
  return p;
}

export function runWatched(p: Pipeline): { result: PipelineResult; job: MonitoredJob } {
  const result = new DirectRunner({ monitoring: true }).run(p);
  if (!isMonitorable(result)) throw new Error('a direct runner with monitoring on returns a monitorable result');
  return { result, job: result.monitored() };
}

/** The id of the PCollection a transform (by unique name prefix) produces. */
export function outputOf(job: MonitoredJob, transformName: string): string {
  const transforms = job.pipeline.components?.transforms ?? {};
  const t = Object.values(transforms).find((x) => x.uniqueName === transformName);
  if (!t) throw new Error(`no transform "${transformName}" (have ${Object.values(transforms).map((x) => x.uniqueName).join(', ')})`);
  return Object.values(t.outputs ?? {})[0]!;
}
