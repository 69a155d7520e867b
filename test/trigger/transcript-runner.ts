/**
 * Replays a trigger transcript through the whole stack: a TestStream (elements, watermark moves,
 * processing-time moves) → Window.into → GroupByKey on the direct runner, executing the pipeline
 * proto. Returns every pane in emission order, in the harness's shape.
 */
import { DoFn, Duration, GroupByKey, Instant, ParDo, Pipeline, Window, kv, type KV, type ProcessContext } from '../../sdk/index.js';
import { TestStream, type TestStreamBuilder } from '../../sdk/testing/test-stream.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { GLOBAL_WINDOW_MAX, IntervalWindow } from '../../sdk/window/bounded-window.js';
import { accumulationMode, TIMESTAMP_COMBINERS, triggerFromPython, windowFnFromPython } from './beam-python-names.js';
import type { ProducedPane, TranscriptSpec } from './transcript-harness.js';

/** Panes captured in this process (the direct runner runs the DoFn here). */
const captured = new Map<string, ProducedPane[]>();

class CapturePanes extends DoFn<KV<string, number[]>, never> {
  constructor(private readonly run: string) {
    super();
  }
  process(e: KV<string, number[]>, ctx: ProcessContext<never>): void {
    const w = ctx.window;
    captured.get(this.run)!.push({
      window: w instanceof IntervalWindow ? [w.start, w.maxTimestamp()] : [Instant.MIN, GLOBAL_WINDOW_MAX],
      values: [...e.value].sort((a, b) => a - b),
      timestamp: ctx.timestamp,
      index: ctx.pane.index,
      nonspeculative_index: ctx.pane.onTimeIndex,
      early: ctx.pane.timing === 'EARLY',
      late: ctx.pane.timing === 'LATE',
      final: ctx.pane.isLast,
    });
  }
}

let runs = 0;

export async function runTranscriptOnDirectRunner(spec: TranscriptSpec): Promise<ProducedPane[]> {
  const combiner = TIMESTAMP_COMBINERS[spec.output_time_fn ?? spec.timestamp_combiner ?? 'OUTPUT_AT_EOW'];
  if (!combiner || combiner === 'EARLIEST_TRANSFORMED') throw new Error(`timestamp combiner ${String(combiner)} has no Beam proto form`);
  let stream: TestStreamBuilder<KV<string, number>> = TestStream.create<KV<string, number>>();
  let clock = 0;
  for (const step of spec.transcript) {
    const [action, params] = Object.entries(step)[0]!;
    if (action === 'input') {
      const ts = params as number[];
      if (ts.length) stream = stream.addElements(...ts.map((t) => ({ value: kv('k', t), timestamp: Instant.ofEpochMillis(t) })));
    } else if (action === 'watermark') {
      stream = stream.advanceWatermarkTo(Instant.ofEpochMillis(params as number));
    } else if (action === 'clock') {
      const to = params as number;
      if (to > clock) stream = stream.advanceProcessingTime(Duration.millis(to - clock));
      clock = Math.max(clock, to);
    }
  }
  const run = `run${runs++}`;
  captured.set(run, []);
  const p = new Pipeline();
  p.apply(stream.advanceWatermarkToInfinity())
    .apply(
      Window.into<KV<string, number>>(windowFnFromPython(spec.window_fn))
        .triggering(triggerFromPython(spec.trigger_fn))
        .withAllowedLateness(Duration.millis(spec.allowed_lateness ?? GLOBAL_WINDOW_MAX))
        .withTimestampCombiner(combiner)
        [accumulationMode(spec.accumulation_mode) === 'ACCUMULATING' ? 'accumulatingFiredPanes' : 'discardingFiredPanes'](),
    )
    .apply(GroupByKey.create<string, number>())
    .apply(ParDo.of(new CapturePanes(run)));
  await new DirectRunner().run(p).waitUntilFinish();
  const out = captured.get(run)!;
  captured.delete(run);
  return out;
}
